"""Issue 14's "time done right": one instant reads the same wherever a person meets it — the
review register, the meeting page, the service report and a notification — for a reader in
Asia/Shanghai (an agreement whose service hours are Beijing's)."""

from __future__ import annotations

import datetime as dt
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.notifications import notices
from servicelevel.services.notifications.channels import ChannelData
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import schedule as review_schedule
from servicelevel.services.reviews.meetings import MeetingData
from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket
from tests.integration.web.test_pages import csrf_of, sign_in

UTC = dt.UTC
# Ticket C opens 10:00 UTC with a 4-hour P1 budget on 24x7: it breaches at 14:00 UTC,
# 22:00 in Shanghai. The review meeting is set for that same instant.
OPENED = dt.datetime(2026, 3, 3, 10, tzinfo=UTC)
BREACHED = dt.datetime(2026, 3, 3, 14, tzinfo=UTC)
READS = "2026年3月3日 22:00"


def test_the_same_instant_reads_the_same_on_register_meeting_report_and_notification(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    ticket(session, world, "C", OPENED, 5)
    meeting = reviews.create_meeting(
        session,
        actor=world.actors["manager"],
        agreement_id=sla_in_force,
        data=MeetingData(
            scheduled_at=BREACHED,
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 4, 1),
        ),
    )
    session.flush()
    page = sign_in(client, "manager")
    saved = client.post(
        "/account/settings",
        data={"csrf": page, "locale": "zh_Hans", "timezone": "Asia/Shanghai"},
    )
    assert saved.status_code == 200, saved.text

    register = client.get("/reviews").text
    assert f"<td>{READS}</td>" in register
    assert "时间以上海时间显示。" in register
    book = load_workbook(io.BytesIO(client.get("/reviews/register.xlsx").content)).active
    assert book is not None
    heads, row = list(book.iter_rows(values_only=True))[:2]
    assert heads[5] == "已安排（上海时间）"  # cells carry no zone: the head says it
    assert row[5] == dt.datetime(2026, 3, 3, 22, 0)
    meeting_page = client.get(f"/reviews/{meeting.id}").text
    assert f'<dd id="scheduled">{READS}（上海时间）</dd>' in meeting_page
    url = f"/api/v1/agreements/{sla_in_force}/report?period=2026-03&language=zh-Hans"
    report = client.get(url, headers=auth(tokens["manager"]))
    assert report.status_code == 200, report.text
    assert READS in report.text

    notifications.create_channel(
        session,
        actor=SYSTEM,
        data=ChannelData(
            name="shanghai-desk",
            kind="webhook",
            address="http://127.0.0.1:9/desk",
            locale="zh-Hans",
            timezone="Asia/Shanghai",
        ),
    )
    ahead = BREACHED - dt.timedelta(days=2)
    assert review_schedule.remind_due(session, now=ahead) == 1
    (parcel,) = notifications.claim_due(session, now=ahead)
    told = notices.compose(parcel.kind, parcel.facts, parcel.locale, parcel.timezone)
    assert f"{READS}（上海时间）" in told.subject
    assert "2026年3月1日 – 2026年3月31日" in told.subject  # the period in the same words
    assert csrf_of(meeting_page)  # the page is a working form, not an error page
