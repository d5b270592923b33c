"""Report schedules: the month before's report published on the 3rd working day of each month
in the agreement's calendar and mailed with its PDF to the distribution list (a real SMTP
server on loopback); each run recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.jobs import worker
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reporting import schedules as report_schedules
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.settings import get_settings
from tests.integration.api.conftest import auth
from tests.integration.receivers import Mailbox, smtp_server


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with smtp_server() as (port, box):
        monkeypatch.setenv("SLM_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SLM_SMTP_PORT", str(port))
        get_settings.cache_clear()
        yield box
    get_settings.cache_clear()


def third_weekday_opening(year: int, month: int) -> dt.datetime:
    """The reference: the 3rd Monday-to-Friday of a month, 09:00 in Beijing (01:00 UTC) —
    the test calendar "bj" has those hours and no holidays."""
    day, seen = dt.date(year, month, 1), 0
    while True:
        if day.weekday() < 5:
            seen += 1
            if seen == 3:
                return dt.datetime(day.year, day.month, day.day, 1, tzinfo=dt.UTC)
        day += dt.timedelta(days=1)


def test_a_schedule_is_set_to_the_third_working_day_and_bad_input_is_named(
    client: TestClient, tokens: dict[str, str], sla_in_force: int
) -> None:
    url = f"/api/v1/agreements/{sla_in_force}/report-schedules"
    manager = auth(tokens["manager"])
    bad = client.post(url, headers=manager, json={"emails": ["not-an-address"]})
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "emails")
    zero = client.post(url, headers=manager, json={"emails": ["a@example.com"], "working_day": 0})
    assert zero.status_code == 422
    nocal = client.post(url, headers=manager, json={"emails": ["a@x.io"], "calendar_key": "mars"})
    assert (nocal.status_code, nocal.json()["error"]["field"]) == (422, "calendar_key")
    made = client.post(url, headers=manager, json={"emails": ["ops@example.com"]})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["calendar_key"] == "business"  # the agreement's first stored calendar (bj)
    now = dt.datetime.now(dt.UTC)
    expected = third_weekday_opening(now.year, now.month)
    if expected <= now:
        nxt = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
        expected = third_weekday_opening(*nxt)
    assert dt.datetime.fromisoformat(body["next_run_at"]) == expected
    rep = auth(tokens["customer_rep"])
    assert client.post(url, headers=rep, json={"emails": ["a@b.io"]}).status_code == 403
    listed = client.get(url, headers=auth(tokens["customer_rep"])).json()["items"]
    assert [s["id"] for s in listed] == [body["id"]]


def test_a_due_schedule_publishes_and_mails_the_report_once(
    session: Session, sla_in_force: int, mailbox: Mailbox
) -> None:
    schedule = report_schedules.create_schedule(
        session,
        actor=SYSTEM,
        agreement_id=sla_in_force,
        data=report_schedules.ScheduleData(emails=["ops@example.com", "boss@example.com"]),
        now=dt.datetime(2026, 2, 15, tzinfo=dt.UTC),
    )
    assert schedule.next_run_at == third_weekday_opening(2026, 3)  # due long ago: runs now
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    assert worker.send_reports(sessions) == 1
    [mail] = mailbox.messages
    now = dt.datetime.now(dt.UTC)
    month = (now.year - 1, 12) if now.month == 1 else (now.year, now.month - 1)
    period = f"{month[0]}-{month[1]:02d}"
    assert mail["Subject"] == f"SLA-1: service report for {period}"
    assert mail["To"] == "ops@example.com, boss@example.com"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"SLA-1-{period}.pdf"
    assert attachment.get_content()[:5] == b"%PDF-"
    [delivery] = report_schedules.deliveries(session, actor=SYSTEM, schedule_id=schedule.id)
    assert (delivery.status, delivery.period, delivery.error) == ("sent", period, "")
    published = report_snapshots.get_report(
        session, actor=SYSTEM, report_id=delivery.report_id or 0
    )
    assert published.period == period
    session.refresh(schedule)
    assert schedule.next_run_at > now  # moved on: not sent twice
    assert worker.send_reports(sessions) == 0
    assert len(mailbox.messages) == 1


def test_a_run_whose_mail_fails_is_recorded_with_why(session: Session, sla_in_force: int) -> None:
    schedule = report_schedules.create_schedule(
        session,
        actor=SYSTEM,
        agreement_id=sla_in_force,
        data=report_schedules.ScheduleData(emails=["ops@example.com"], language="zh-Hans"),
        now=dt.datetime(2026, 2, 15, tzinfo=dt.UTC),
    )
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    assert worker.send_reports(sessions) == 0  # no SMTP server configured
    [delivery] = report_schedules.deliveries(session, actor=SYSTEM, schedule_id=schedule.id)
    assert delivery.status == "failed"
    assert "SLM_SMTP_HOST" in delivery.error
    assert delivery.report_id is not None  # the report itself was published
