"""A connection's audit entries (made, changed, pulled, run now) read in words on the audit
page, in both Chinese scripts: no action, object or field of a connection shows as a code."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.intake import connections, pulls
from servicelevel.services.intake.connections import ConnectionData
from tests.integration.factories import World
from tests.integration.web.test_pages import sign_in


def pulled_connection(session: Session, world: World) -> None:
    admin = world.actors["admin"]
    data = ConnectionData(
        name="desk",
        kind="rt",
        base_url="https://rt.example",
        mapping="rt",
        settings={"auth": {"kind": "basic", "username": "u", "secret_env": "NEVER_SET_X"}},
    )
    made = connections.create_connection(session, actor=admin, data=data)
    session.flush()
    connections.update_connection(
        session,
        actor=admin,
        connection_id=made.id,
        lock_version=made.version,
        changes={"interval_seconds": 600, "enabled": False, "write_back": True},
    )
    session.flush()
    run = pulls.run_connection(session, actor=admin, connection_id=made.id, now=made.created_at)
    assert run.outcome == "failed"  # the secret's variable is not set: a failed pull, audited
    pulls.request_run(session, actor=admin, connection_id=made.id)
    session.flush()


def test_a_connections_trail_reads_in_chinese_words(
    client: TestClient, session: Session, world: World
) -> None:
    pulled_connection(session, world)
    sign_in(client, "viewer")
    expected = {
        "zh_Hans": ("连接", "已拉取", "拉取间隔（秒）"),
        "zh_Hant": ("連線", "已擷取", "擷取間隔（秒）"),
    }
    for lang, words in expected.items():
        client.cookies.set("slm_lang", lang)
        page = client.get("/audit?object_type=connection")
        assert page.status_code == 200
        main = page.text.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
        for data in (
            r'<td class="(before|after)">.*?</td>',
            r'<[^>]*class="name"[^>]*>.*?</(a|span|option)>',
        ):
            main = re.sub(data, " ", main, flags=re.S)
        # every field of a connection and of its auth has its words (the kind's own settings,
        # e.g. RT's query, keep the names they are written with)
        assert "<code>" not in main, main
        text = " ".join(re.sub(r"<[^>]+>", " ", main).split())
        assert set(re.findall(r"[A-Za-z]{2,}", text)) - {"SLA", "OLA", "UC", "API"} == set()
        for word in words:
            assert word in text, (lang, word)
