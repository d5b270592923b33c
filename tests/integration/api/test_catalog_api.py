"""The catalog API: the whole path from a draft to a published service and its work item."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth
from tests.integration.factories import World

OPTIONS = [
    {
        "code": "gold",
        "name": "Gold",
        "names": {"zh-Hans": "金牌", "zh-Hant": "金牌"},
        "targets": [
            {"metric": "resolution", "priority": "P1", "within": "4h", "objective": 0.95},
            {"metric": "availability", "objective": 0.999},
        ],
    },
    {
        "code": "silver",
        "name": "Silver",
        "targets": [{"metric": "resolution", "priority": "P1", "within": "8h", "objective": 0.9}],
    },
]


def new_service(client: TestClient, tokens: dict[str, str], code: str = "email") -> dict[str, Any]:
    staff = auth(tokens["admin"])
    cal = client.post(
        "/api/v1/calendars",
        headers=staff,
        json={"code": f"h-{code}", "definition": {"timezone": "Asia/Shanghai", "hours": "24x7"}},
    ).json()
    r = client.post(
        "/api/v1/services",
        headers=staff,
        json={
            "code": code,
            "name": "Email",
            "names": {"zh-Hans": "电子邮件", "zh-Hant": "電子郵件"},
            "category": "Collaboration",
            "calendar_id": cal["id"],
        },
    )
    assert r.status_code == 201, r.text
    r = client.put(
        f"/api/v1/services/{r.json()['id']}/options",
        headers=staff,
        json={"lock_version": 1, "options": OPTIONS},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def transition(
    client: TestClient, token: str, service: dict[str, Any], step: str
) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/services/{service['id']}/lifecycle",
        headers=auth(token),
        json={"lock_version": service["lock_version"], "transition": step},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_service_goes_from_draft_to_the_published_catalog(
    client: TestClient, tokens: dict[str, str]
) -> None:
    service = new_service(client, tokens)
    assert [o["code"] for o in service["options"]] == ["gold", "silver"]
    rep = auth(tokens["customer_rep"])
    assert client.get("/api/v1/catalog", headers=rep).json()["items"] == []
    assert client.get(f"/api/v1/services/{service['id']}", headers=rep).status_code == 404
    service = transition(client, tokens["manager"], service, "approve")
    assert service["approved_at"] is not None
    work = client.get("/api/v1/work-items?status=open", headers=auth(tokens["manager"])).json()
    assert [(w["kind"], w["service_id"]) for w in work["items"]] == [("define_sla", service["id"])]
    service = transition(client, tokens["admin"], service, "publish")
    published = client.get("/api/v1/catalog", headers=rep).json()["items"]
    assert [s["names"]["zh-Hans"] for s in published] == ["电子邮件"]
    assert published[0]["options"][0]["targets"][0]["within"] == "4h"


def test_a_published_service_is_not_edited_in_place(
    client: TestClient, tokens: dict[str, str]
) -> None:
    service = transition(client, tokens["manager"], new_service(client, tokens), "approve")
    url = f"/api/v1/services/{service['id']}"
    r = client.patch(url, headers=auth(tokens["admin"]), json={"lock_version": 3, "name": "Mail"})
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "status"
    revised = transition(client, tokens["admin"], service, "revise")
    r = client.patch(
        url,
        headers=auth(tokens["admin"]),
        json={"lock_version": revised["lock_version"], "name": "Mail", "owner_id": None},
    )
    assert (r.status_code, r.json()["name"], r.json()["status"]) == (200, "Mail", "draft")


def test_bad_options_are_rejected_with_the_field_named(
    client: TestClient, tokens: dict[str, str]
) -> None:
    service = new_service(client, tokens)
    url = f"/api/v1/services/{service['id']}/options"
    bad = [{"code": "x", "name": "X", "targets": [{"metric": "resolution", "objective": 0.9}]}]
    r = client.put(url, headers=auth(tokens["admin"]), json={"lock_version": 2, "options": bad})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "options.0.targets.0.within"
    r = client.put(
        url,
        headers=auth(tokens["admin"]),
        json={
            "lock_version": 2,
            "options": [{"code": "x", "name": "X", "targets": [{"metric": "?"}]}],
        },
    )
    assert r.status_code == 422
    kept = client.get(f"/api/v1/services/{service['id']}", headers=auth(tokens["admin"])).json()
    assert [o["code"] for o in kept["options"]] == ["gold", "silver"]


def test_unknown_references_are_422_not_500(client: TestClient, tokens: dict[str, str]) -> None:
    staff = auth(tokens["admin"])
    for body, field in [
        ({"code": "a", "name": "A", "calendar_id": 999999}, "calendar_id"),
        ({"code": "a", "name": "A", "owner_id": 999999}, "owner_id"),
        ({"code": "a", "name": "A", "depends_on": [2**62]}, "depends_on"),
        ({"code": "a", "name": "A", "names": {"fr": "A"}}, "names"),
    ]:
        r = client.post("/api/v1/services", headers=staff, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field


def test_a_material_change_puts_reviews_on_the_work_list(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    service = transition(client, tokens["manager"], new_service(client, tokens), "approve")
    r = client.post(
        "/api/v1/material-changes",
        headers=auth(tokens["owner"]),
        json={"change": "capability", "description": "Data centre moves to Shanghai"},
    )
    assert r.status_code == 201, r.text
    assert [w["kind"] for w in r.json()] == ["review_sla"]
    item = r.json()[0]
    done = client.post(
        f"/api/v1/work-items/{item['id']}/complete",
        headers=auth(tokens["manager"]),
        json={"lock_version": item["lock_version"], "note": "Reviewed with Acme"},
    )
    assert (done.status_code, done.json()["status"]) == (200, "done")
    open_items = client.get(
        f"/api/v1/work-items?status=open&service_id={service['id']}",
        headers=auth(tokens["viewer"]),
    ).json()
    assert [w["kind"] for w in open_items["items"]] == ["define_sla"]
