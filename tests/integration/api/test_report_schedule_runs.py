"""A report schedule run now by a manager (issue 15): queued as a job, run by the worker like
a scheduled run (published, mailed to a real SMTP server on loopback, a delivery recorded, an
audit row), the next scheduled run left where it was; the mail in the schedule's language
with the agreement's title in it and the send time in each recipient's zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.db.models import AuditEntry
from servicelevel.jobs import worker
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reporting import schedules as report_schedules
from servicelevel.settings import get_settings
from tests.integration.api.conftest import auth
from tests.integration.receivers import Mailbox, smtp_server

SENT_AT = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shanghai, 10:00 in London


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with smtp_server() as (port, box):
        monkeypatch.setenv("SLM_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SLM_SMTP_PORT", str(port))
        get_settings.cache_clear()
        yield box
    get_settings.cache_clear()


def schedule_of(session: Session, agreement_id: int, language: str, emails: list[str]) -> int:
    made = report_schedules.create_schedule(
        session,
        actor=SYSTEM,
        agreement_id=agreement_id,
        data=report_schedules.ScheduleData(emails=emails, language=language),
    )
    session.flush()
    return made.id


def test_a_manager_runs_a_schedule_now_without_moving_its_next_run(
    client: TestClient,
    session: Session,
    tokens: dict[str, str],
    sla_in_force: int,
    mailbox: Mailbox,
) -> None:
    schedule_id = schedule_of(session, sla_in_force, "en", ["ops@example.com"])
    url = f"/api/v1/report-schedules/{schedule_id}/run"
    assert client.post(url, headers=auth(tokens["customer_rep"])).status_code == 403
    assert client.post(url, headers=auth(tokens["outsider"])).status_code in (403, 404)
    assert (
        client.post("/api/v1/report-schedules/999999/run", headers=auth(tokens["manager"])).json()[
            "error"
        ]["code"]
        == "not_found"
    )
    before = client.get(
        f"/api/v1/agreements/{sla_in_force}/report-schedules", headers=auth(tokens["manager"])
    ).json()["items"][0]["next_run_at"]
    r = client.post(url, headers=auth(tokens["manager"]))
    assert r.status_code == 202, r.text
    job = r.json()
    assert (job["kind"], job["status"], job["payload"]["period"]) == (
        "report_run",
        "queued",
        "2026-11",
    )
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    assert worker.run_one(sessions, "test-worker")
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=auth(tokens["manager"])).json()
    assert (done["status"], done["result"]["status"]) == ("done", "sent"), done
    [mail] = mailbox.messages
    assert mail["Subject"] == "SLA-1: service report for 2026-11"
    assert mail["To"] == "ops@example.com"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content()[:5] == b"%PDF-"
    deliveries = client.get(
        f"/api/v1/report-schedules/{schedule_id}/deliveries", headers=auth(tokens["manager"])
    ).json()["items"]
    assert [(d["status"], d["period"], d["id"]) for d in deliveries] == [
        ("sent", "2026-11", done["result"]["delivery_id"])
    ]
    after = client.get(
        f"/api/v1/agreements/{sla_in_force}/report-schedules", headers=auth(tokens["manager"])
    ).json()["items"][0]
    assert after["next_run_at"] == before
    assert after["last_run_at"] is not None
    trail = session.query(AuditEntry).filter_by(action="run_now", object_id=str(schedule_id)).all()
    assert [(e.after or {}).get("period") for e in trail] == ["2026-11"]


def test_the_mail_is_in_the_schedules_language_with_its_send_time_in_each_zone(
    session: Session, world: object, sla_in_force: int, mailbox: Mailbox
) -> None:
    """A user of servicelevel in London reads 10:00; an address nobody uses reads the
    agreement's reporting zone (Shanghai): 18:00. The title is the agreement's Chinese one."""
    lin = identity.create_user(
        session,
        actor=SYSTEM,
        username="lin",
        password="a long enough password 1",
        roles=[],
        email="Lin@Example.com",
        locale="zh_Hans",
    )
    lin.timezone = "Europe/London"  # as set on the account page
    schedule_id = schedule_of(session, sla_in_force, "zh-Hans", ["lin@example.com", "x@y.io"])
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    with time_machine.travel(SENT_AT, tick=False):
        report_schedules.run_now(session, actor=SYSTEM, schedule_id=schedule_id)
        session.flush()
        assert worker.run_one(sessions, "test-worker")
    by_to = {m["To"]: m for m in mailbox.messages}
    assert set(by_to) == {"lin@example.com", "x@y.io"}
    for to, hour in (("lin@example.com", "10:00"), ("x@y.io", "18:00")):
        body = by_to[to].get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        assert "阿克米邮件服务" in text
        assert "E-mail for Acme" not in text
        sent = next(line for line in text.splitlines() if line.startswith("由 servicelevel"))
        assert "—" not in sent
        assert hour in sent
