"""Warnings and breaches computed ahead, fired once, recorded with their cause, and told on
every listening channel — email through a real SMTP server, webhooks to a real HTTP server —
in the channel's language and time zone, retried when a channel is down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.db.models import Notification, TicketEvent
from servicelevel.db.repositories.monitoring import alerts as alert_repo
from servicelevel.jobs import worker
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.identity import trail as audit_trail
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import (
    alerts,
    availability_alerts,
    breaches,
    outages,
    recompute,
)
from servicelevel.services.monitoring.outages import OutageData
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.notifications import notices
from servicelevel.services.notifications.channels import ChannelData
from servicelevel.services.shared import jobs
from servicelevel.services.shared.errors import Forbidden, Invalid
from servicelevel.services.workspace import portfolio as dashboard
from servicelevel.settings import get_settings
from tests.integration.api.conftest import auth
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket
from tests.integration.receivers import HttpReceiver, Mailbox, http_receiver, smtp_server

OPENED = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)  # a Tuesday; P1: 4 h on 24x7, warn at 75 %


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as found:
        yield found


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with smtp_server() as (port, box):
        monkeypatch.setenv("SLM_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SLM_SMTP_PORT", str(port))
        monkeypatch.setenv("SLM_SMTP_FROM", "slm@example.com")
        get_settings.cache_clear()
        yield box
    get_settings.cache_clear()


def channel(session: Session, name: str, kind: str, address: str, **more: object) -> int:
    made = notifications.create_channel(
        session,
        actor=SYSTEM,
        data=ChannelData(name=name, kind=kind, address=address, **more),  # type: ignore[arg-type]
    )
    return made.id


def open_ticket(session: Session, world: World, number: str = "T1") -> int:
    tid = add_ticket(session, world, number, [(OPENED, "New", "created")])
    session.flush()
    return tid


def at(hours: float) -> dt.datetime:
    return OPENED + hours * HOUR


def test_warnings_and_the_deadline_are_known_ahead_and_fire_once(
    session: Session, world: World, sla_in_force: int
) -> None:
    open_ticket(session, world)
    recompute.recompute(session, agreement_id=sla_in_force, now=at(0.5))
    upcoming = alerts.upcoming(session, actor=SYSTEM, agreement_id=sla_in_force)
    assert [(a.kind, a.threshold, a.due_at) for a in upcoming] == [
        ("warning", 0.75, at(3)),  # 75 % of 4 h
        ("breach", 1.0, at(4)),
    ]
    assert alerts.fire_due(session, now=at(2.99)) == {"announced": 0, "stale": 0}
    assert alerts.fire_due(session, now=at(3)) == {"announced": 1, "stale": 0}
    assert alerts.fire_due(session, now=at(3.5)) == {"announced": 0, "stale": 0}
    recompute.recompute(session, agreement_id=sla_in_force, now=at(3.5))  # the warning stays told
    assert [a.kind for a in alerts.upcoming(session, actor=SYSTEM, agreement_id=sla_in_force)] == [
        "breach"
    ]
    assert alerts.fire_due(session, now=at(4)) == {"announced": 1, "stale": 0}
    [breach] = breaches.list_breaches(session, actor=SYSTEM, agreement_id=sla_in_force).items
    assert (breach.status, breach.breached_at, breach.target_key) == (
        "open",
        at(4),
        "P1-resolution",
    )


def test_a_breach_is_recorded_with_its_cause_and_withdrawn_when_late_data_shows_none(
    session: Session, world: World, sla_in_force: int
) -> None:
    tid = add_ticket(session, world, "LATE", [(OPENED, "New", "created"), (at(6), "Resolved", "")])
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=at(7))
    [breach] = breaches.list_breaches(session, actor=SYSTEM, agreement_id=sla_in_force).items
    assert (breach.ticket_id, breach.version_number, breach.status) == (tid, 1, "closed")
    assert (breach.breached_at, breach.overrun_seconds) == (at(4), 2 * 3600)
    # a late event says it was resolved after three hours after all: no breach
    late = update(TicketEvent).where(TicketEvent.ticket_id == tid, TicketEvent.seq == 1)
    session.execute(late.values(at=at(3)))
    recompute.recompute(session, agreement_id=sla_in_force, now=at(7))
    session.refresh(breach)
    assert (breach.status, breach.overrun_seconds) == ("withdrawn", 0)


def test_alerts_wait_while_a_recomputation_is_queued(
    session: Session, world: World, sla_in_force: int
) -> None:
    open_ticket(session, world)
    recompute.recompute(session, agreement_id=sla_in_force, now=at(0.5))
    job = recompute.request(session, actor=SYSTEM, agreement_id=sla_in_force)
    assert alerts.fire_due(session, now=at(3)) == {"announced": 0, "stale": 0}
    jobs.finish(session, job, {})
    assert alerts.fire_due(session, now=at(3)) == {"announced": 1, "stale": 0}


def test_an_alert_found_long_overdue_is_recorded_but_not_announced(
    session: Session, world: World, sla_in_force: int
) -> None:
    channel(session, "hook", "webhook", "http://127.0.0.1:9/x")
    open_ticket(session, world)
    recompute.recompute(session, agreement_id=sla_in_force, now=at(100))
    assert alerts.fire_due(session, now=at(100)) == {"announced": 0, "stale": 1}
    assert session.query(Notification).count() == 0
    assert breaches.list_breaches(session, actor=SYSTEM).total == 1


def test_every_channel_is_told_once_in_its_language_and_zone(
    session: Session, world: World, sla_in_force: int, receiver: HttpReceiver, mailbox: Mailbox
) -> None:
    url = receiver.url
    receiver.answers["/wecom"] = (200, b'{"errcode":0,"errmsg":"ok"}')
    channel(
        session, "mail-zh", "email", "ops@example.com", locale="zh-Hans", timezone="Asia/Shanghai"
    )
    channel(session, "hook", "webhook", f"{url}/hook", secret="tok")
    channel(session, "wecom", "wecom", f"{url}/wecom")
    channel(session, "dingtalk", "dingtalk", f"{url}/ding?access_token=x", secret="SEC")
    channel(session, "feishu", "feishu", f"{url}/feishu", secret="SEC", locale="zh-Hant")
    channel(session, "slack", "slack", f"{url}/slack", notices=["breach"])
    open_ticket(session, world)
    recompute.recompute(session, agreement_id=sla_in_force, now=at(0.5))
    alerts.fire_due(session, now=at(3))
    outcome = notifications.deliver_due(session, now=at(3))
    assert (outcome.sent, outcome.retrying, outcome.failed) == (5, 0, 0)  # slack: breaches only
    [mail] = mailbox.messages
    assert mail["Subject"] == "SLA-1：工单 T1 已用去 P1-resolution 时限的 75%"
    assert "2026年3月3日 22:00（上海时间）" in mail.get_content()  # deadline 14:00 UTC
    by_path = {r.path.split("?")[0]: r for r in receiver.received}
    hook = by_path["/hook"]
    assert hook.headers["Authorization"] == "Bearer tok"
    assert hook.body["type"] == "servicelevel.warning"
    assert (hook.body["facts"]["ticket"], hook.body["facts"]["threshold"]) == ("T1", 0.75)
    assert by_path["/wecom"].body["msgtype"] == "markdown"
    assert "T1" in by_path["/wecom"].body["markdown"]["content"]
    assert "&timestamp=" in by_path["/ding"].path
    assert "&sign=" in by_path["/ding"].path
    feishu = by_path["/feishu"].body
    assert (feishu["msg_type"], len(feishu["sign"])) == ("text", 44)
    assert "工單" in feishu["content"]["text"]
    assert notifications.deliver_due(session, now=at(3.1)).sent == 0  # told once
    alerts.fire_due(session, now=at(4))
    assert notifications.deliver_due(session, now=at(4)).sent == 6
    assert "/slack" in {r.path for r in receiver.received}


def test_a_channel_that_is_down_is_retried_and_never_blocks_the_others(
    session: Session, world: World, sla_in_force: int, receiver: HttpReceiver
) -> None:
    receiver.answers["/down"] = (503, b"")
    receiver.answers["/refuses"] = (200, b'{"errcode":310000,"errmsg":"keywords not in content"}')
    channel(session, "down", "webhook", f"{receiver.url}/down")
    channel(session, "refuses", "dingtalk", f"{receiver.url}/refuses")
    channel(session, "fine", "webhook", f"{receiver.url}/fine")
    channel(session, "mail", "email", "ops@example.com")  # no SMTP server configured
    open_ticket(session, world)
    recompute.recompute(session, agreement_id=sla_in_force, now=at(0.5))
    alerts.fire_due(session, now=at(3))
    first = notifications.deliver_due(session, now=at(3))
    assert (first.sent, first.retrying, first.failed) == (1, 3, 0)
    notes = {n.channel_id: n for n in session.query(Notification)}
    errors = sorted(n.last_error for n in notes.values() if n.status == "pending")
    assert errors == [
        "HTTP 503",
        "no SMTP server is configured (SLM_SMTP_HOST)",
        "refused: 310000 keywords not in content",
    ]
    assert all(
        n.next_attempt_at == at(3) + dt.timedelta(minutes=1)
        for n in notes.values()
        if n.status == "pending"
    )
    moment = at(3)
    for _ in range(notifications.MAX_ATTEMPTS - 1):
        moment += dt.timedelta(hours=1)
        notifications.deliver_due(session, now=moment)
    assert sorted(n.status for n in notes.values()) == ["failed", "failed", "failed", "sent"]
    assert {n.attempts for n in notes.values() if n.status == "failed"} == {
        notifications.MAX_ATTEMPTS
    }


def test_non_urgent_warnings_wait_for_the_channels_service_hours(
    session: Session, world: World, sla_in_force: int, receiver: HttpReceiver
) -> None:
    hours = calendars.list_calendars(session, actor=SYSTEM).items
    beijing = next(c for c in hours if c.code == "bj")  # mon-fri 09:00-18:00 Asia/Shanghai
    channel(session, "office", "webhook", f"{receiver.url}/office", hours_calendar_id=beijing.id)
    open_ticket(session, world)
    recompute.recompute(session, agreement_id=sla_in_force, now=at(0.5))
    alerts.fire_due(session, now=at(3))  # 13:00 UTC = 21:00 in Beijing: after hours
    assert notifications.deliver_due(session, now=at(3)).sent == 0
    [warning] = session.query(Notification).all()
    assert warning.next_attempt_at == dt.datetime(2026, 3, 4, 1, tzinfo=dt.UTC)  # 09:00 Beijing
    alerts.fire_due(session, now=at(4))  # a breach is urgent: told at once
    assert [r.body["type"] for r in receiver.received] == []
    assert notifications.deliver_due(session, now=at(4)).sent == 1
    assert [r.body["type"] for r in receiver.received] == ["servicelevel.breach"]
    assert notifications.deliver_due(session, now=warning.next_attempt_at).sent == 1


def test_a_manager_excludes_a_breach_with_a_reason_and_it_is_audited(
    session: Session, world: World, sla_in_force: int
) -> None:
    add_ticket(session, world, "B", [(OPENED, "New", "created"), (at(6), "Resolved", "")])
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=at(7))
    [breach] = breaches.list_breaches(session, actor=SYSTEM).items
    manager, rep = world.actors["manager"], world.actors["customer_rep"]
    with pytest.raises(Invalid) as missing:
        breaches.annotate(
            session, actor=manager, breach_id=breach.id, version=breach.version, excluded=True
        )
    assert missing.value.field == "reason"
    with pytest.raises(Forbidden):
        breaches.annotate(
            session, actor=rep, breach_id=breach.id, version=1, excluded=False, note="x"
        )
    done = breaches.annotate(
        session,
        actor=manager,
        breach_id=breach.id,
        version=breach.version,
        excluded=True,
        reason="the customer kept the ticket waiting without saying so",
    )
    assert (done.excluded, done.decided_by_id) == (True, manager.user_id)
    recompute.recompute(session, agreement_id=sla_in_force, now=at(8))  # survives recomputation
    session.refresh(done)
    assert (done.excluded, done.status) == (True, "closed")
    assert alert_repo.excluded_tickets(session, sla_in_force) == {"P1-resolution": {done.ticket_id}}
    trail = audit_trail.list_audit(session, actor=SYSTEM, object_type="breach").items
    assert trail[0].after is not None
    assert trail[0].after["exclusion_reason"].startswith("the customer")
    assert breaches.list_breaches(session, actor=world.actors["outsider"]).total == 0


def test_breaches_and_channels_through_the_api(
    client: TestClient,
    session: Session,
    world: World,
    tokens: dict[str, str],
    sla_in_force: int,
) -> None:
    add_ticket(session, world, "B", [(OPENED, "New", "created"), (at(6), "Resolved", "")])
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=at(7))
    manager, rep = auth(tokens["manager"]), auth(tokens["customer_rep"])
    listed = client.get(f"/api/v1/breaches?agreement_id={sla_in_force}", headers=rep).json()
    [breach] = listed["items"]
    assert (breach["status"], breach["overrun_seconds"]) == ("closed", 7200)
    url = f"/api/v1/breaches/{breach['id']}/annotation"
    body = {"lock_version": breach["lock_version"], "excluded": True, "reason": ""}
    missing = client.post(url, headers=manager, json=body)
    assert (missing.status_code, missing.json()["error"]["field"]) == (422, "reason")
    assert client.post(url, headers=rep, json=body).status_code == 403
    done = client.post(url, headers=manager, json={**body, "reason": "customer waited"})
    assert (done.status_code, done.json()["excluded"]) == (200, True)
    stale = client.post(url, headers=manager, json={**body, "reason": "again"})
    assert stale.status_code == 409
    outsider = client.get(f"/api/v1/breaches/{breach['id']}", headers=auth(tokens["outsider"]))
    assert outsider.status_code == 404
    channel_body = {"name": "ops", "kind": "dingtalk", "address": "ftp://x", "secret": "S"}
    bad = client.post("/api/v1/notification-channels", headers=manager, json=channel_body)
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "address")
    made = client.post(
        "/api/v1/notification-channels",
        headers=manager,
        json={**channel_body, "address": "https://oapi.dingtalk.com/robot/send?access_token=t"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["has_secret"] is True
    assert "secret" not in made.json()
    zone = client.put(
        f"/api/v1/notification-channels/{made.json()['id']}",
        headers=manager,
        json={**channel_body, "lock_version": 1, "address": "https://x", "timezone": "Mars/Base"},
    )
    assert (zone.status_code, zone.json()["error"]["field"]) == (422, "timezone")
    assert client.get("/api/v1/notifications", headers=manager).json()["total"] == 0


def test_an_excluded_breach_counts_as_met_and_is_listed_in_the_report(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    for number, hours in (("A", 1), ("B", 6)):  # B breaches P1's 4 hours
        add_ticket(
            session, world, number, [(OPENED, "New", "created"), (at(hours), "Resolved", "")]
        )
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=at(7))
    url = f"/api/v1/agreements/{sla_in_force}/report?period=2026-03"
    before = client.get(url, headers=auth(tokens["manager"])).text
    assert "<td>P1-resolution</td>\n<td>95%</td>\n<td>50%</td>\n<td>1</td>\n<td>1</td>" in before
    [breach] = breaches.list_breaches(session, actor=SYSTEM).items
    breaches.annotate(
        session,
        actor=world.actors["manager"],
        breach_id=breach.id,
        version=breach.version,
        excluded=True,
        reason="waiting for the customer's parts",
    )
    after = client.get(url, headers=auth(tokens["customer_rep"])).text
    assert "<td>P1-resolution</td>\n<td>95%</td>\n<td>100%</td>\n<td>2</td>\n<td>0</td>" in after
    assert "P1-resolution · B · breached" in after
    assert "waiting for the customer's parts" in after


def outage(session: Session, start: dt.datetime, minutes: int, planned: bool = False) -> None:
    data = OutageData("email", start, start + dt.timedelta(minutes=minutes), planned)
    outages.record_outage(session, actor=SYSTEM, data=data)
    session.flush()


def test_burn_rate_alerts_and_an_availability_breach_are_told_once(
    session: Session, world: World, sla_in_force: int
) -> None:
    channel(session, "hook", "webhook", "http://127.0.0.1:9/hook")
    # email-up: 99.9 % on 24x7; March has 31 days, so the month's budget is 2,678.4 s
    tenth = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
    outage(session, tenth - dt.timedelta(hours=2), 90, planned=True)  # maintenance: costs nothing
    assert availability_alerts.check(session, now=tenth) == {"breaches": 0, "burn_alerts": 0}
    # 600 s down in the last hour: burn 166.7×; in the last six hours, less the 90 minutes of
    # maintenance (4.5 h agreed): 600 / 16,200 / 0.001 = 37×
    outage(session, tenth, 10)
    found = availability_alerts.check(session, now=tenth + dt.timedelta(minutes=30))
    assert found == {"breaches": 0, "burn_alerts": 2}
    burns = {n.facts["window_seconds"]: n for n in session.query(Notification)}
    assert sorted(burns) == [3600, 6 * 3600]
    assert (burns[3600].urgent, burns[3600].facts["rate"]) == (True, 166.7)
    assert (burns[6 * 3600].urgent, burns[6 * 3600].facts["rate"]) == (False, 37.0)
    outage(session, tenth + dt.timedelta(hours=1), 40)  # 3,000 s in all: over the budget
    found = availability_alerts.check(session, now=tenth + dt.timedelta(hours=2))
    assert found["breaches"] == 1
    again = availability_alerts.check(session, now=tenth + dt.timedelta(hours=2, minutes=5))
    assert again["breaches"] == 0  # recorded and told once per period
    [breach] = breaches.list_breaches(session, actor=SYSTEM, agreement_id=sla_in_force).items
    assert (breach.kind, breach.target_key, breach.status) == ("availability", "email-up", "open")
    # the month starts at midnight in Beijing (the agreement's zone); up to the last check
    month_start = dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC)
    agreed = (tenth + dt.timedelta(hours=2, minutes=5) - month_start).total_seconds() - 5400
    assert breach.achieved == pytest.approx(1 - 3000 / agreed)
    kinds = sorted(n.kind for n in session.query(Notification))
    assert kinds == ["availability", "burn_rate", "burn_rate"]  # burn told once a day
    message = notices.compose("availability", breach_facts(session), "en", "UTC")
    assert message.subject.startswith("SLA-1: availability of email is 99.")


def breach_facts(session: Session) -> dict[str, object]:
    return next(n.facts for n in session.query(Notification) if n.kind == "availability")


def test_the_worker_sweep_fires_due_alerts_and_delivers_outside_any_transaction(
    session: Session, world: World, sla_in_force: int, receiver: HttpReceiver
) -> None:
    channel(session, "hook", "webhook", f"{receiver.url}/hook")
    now = dt.datetime.now(dt.UTC)
    add_ticket(session, world, "LIVE", [(now - 3.5 * HOUR, "New", "created")])
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=now)
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    done = worker.sweep(sessions, availability=True)
    assert (done["announced"], done["sent"], done["breaches"]) == (1, 2, 0)
    # the same round scheduled the SLA's next review (already due) and reminded its chair
    assert (done["reviews_scheduled"], done["reviews_reminded"]) == (1, 1)
    told = sorted(r.body["facts"].get("ticket", "review") for r in receiver.received)
    assert told == ["LIVE", "review"]
    [notice] = session.query(Notification).filter(Notification.kind != "review").all()
    session.refresh(notice)
    assert (notice.status, notice.attempts) == ("sent", 1)
    assert worker.sweep(sessions)["sent"] == 0  # nothing twice


def test_the_portfolio_shows_this_month_from_stored_measurements(
    client: TestClient,
    session: Session,
    world: World,
    tokens: dict[str, str],
    sla_in_force: int,
) -> None:
    for number, hours in (("OK", 1), ("LATE", 6), ("WAIT", 0)):
        steps = [(OPENED, "New", "created")]
        if hours:
            steps.append((at(hours), "Resolved", ""))
        add_ticket(session, world, number, steps)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=at(7))
    rep = world.actors["customer_rep"]
    [sla] = dashboard.portfolio(session, actor=rep, now=at(7))
    # OK met, LATE breached; WAIT (still open at 7 h) breached while running: at risk too
    assert (sla.period, sla.met, sla.breached, sla.breaches) == ("2026-03", 1, 2, 2)
    assert sla.within == pytest.approx(1 / 3)
    assert sla.at_risk == 1
    [late] = [
        b for b in breaches.list_breaches(session, actor=SYSTEM).items if b.status == "closed"
    ]
    breaches.annotate(
        session,
        actor=world.actors["manager"],
        breach_id=late.id,
        version=late.version,
        excluded=True,
        reason="customer",
    )
    [again] = dashboard.portfolio(session, actor=rep, now=at(7))
    assert (again.met, again.breached, again.excluded) == (2, 1, 1)
    assert dashboard.portfolio(session, actor=rep, now=at(7), customer_id=world.globex_id) == []
    assert dashboard.portfolio(session, actor=world.actors["outsider"], now=at(7)) == []
    shown = client.get("/api/v1/portfolio/health", headers=auth(tokens["customer_rep"]))
    assert [h["code"] for h in shown.json()["items"]] == ["SLA-1"]
    period, targets = dashboard.agreement_month(
        session, actor=rep, agreement_id=sla_in_force, now=at(7)
    )
    p1 = next(t for t in targets if t.target == "P1-resolution")
    assert (period, p1.met, p1.breached, p1.objective, p1.on_track) == (
        "2026-03",
        2,
        1,
        0.95,
        False,
    )
    api = client.get(f"/api/v1/agreements/{sla_in_force}/health", headers=auth(tokens["viewer"]))
    assert [t["target"] for t in api.json()["targets"]] == ["P1-resolution", "P2-resolution"]
