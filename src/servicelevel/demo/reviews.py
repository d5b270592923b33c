"""Demo reviews (SLM5): a year of satisfaction survey answers from the demo customers, a held
quarterly review of Contoso's SLA with minutes, a decision and an action, the improvement plan
raised from it (started, one action done), and the next reviews scheduled for every agreement.

Survey answers come from a seeded random generator, so every load is the same; answers and
the plan are only added when missing, so the demo can be loaded again safely.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.demo.agreements import DemoTerm, first_of_month
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.reviews.actions import ActionData
from servicelevel.services.reviews.meetings import MeetingData, Minutes, ParticipantData
from servicelevel.services.satisfaction import surveys

PLAN = "SIP-CONTOSO-01"
CUSTOMERS = {"CONTOSO": ("email", 4.1), "FABRIKAM": ("pos", 3.4)}  # service, typical score
COMMENTS = {
    1: "Waited two days for the till to be fixed.",
    2: "Slow replies at weekends.",
    5: "Quick and friendly.",
}


def load_demo_reviews(session: Session, now: dt.datetime, term: DemoTerm) -> int:
    """Add the surveys, the held review and its plan if missing; returns records added."""
    added = _surveys(session, now.date())
    sla = agreement_repo.agreement_by_code(session, f"SLA-CONTOSO-{term.year}")
    if sla is not None and repo.plan_by_code(session, PLAN) is None:
        added += _held_review(session, sla.id, term.start)
    added += len(reviews.schedule_due(session, actor=SYSTEM, now=now))
    return added


def _surveys(session: Session, until: dt.date) -> int:
    rng = random.Random(7)
    added = 0
    for code, (service_code, typical) in CUSTOMERS.items():
        party = party_repo.party_by_code(session, code)
        service = catalog_repo.service_by_code(session, service_code)
        if party is None:
            continue
        for back in range(365, 0, -9):
            day = until - dt.timedelta(days=back)
            score = max(1, min(5, round(rng.gauss(typical, 0.9))))
            answer = surveys.Answer(
                party.id,
                day,
                score,
                5,
                service.id if service else None,
                f"respondent {rng.randint(1, 40)}",
                COMMENTS.get(score, ""),
            )
            if not repo.known_fingerprints(session, [surveys.fingerprint(answer)]):
                surveys.record(session, actor=SYSTEM, answer=answer, source="demo")
                added += 1
    return added


def _held_review(session: Session, agreement_id: int, start: dt.date) -> int:
    """The agreement's first quarter reviewed on the 9th of the month after it (10:00 in
    Beijing, nine months before the demo's now), with an action that became a plan."""
    quarter_end = first_of_month(start, 3)
    held_at = dt.datetime.combine(quarter_end + dt.timedelta(days=8), dt.time(2), dt.UTC)
    data = MeetingData(
        scheduled_at=held_at,
        period_start=start,
        period_end=quarter_end,
        location="Contoso HQ, room 12 / Teams",
    )
    meeting = reviews.create_meeting(session, actor=SYSTEM, agreement_id=agreement_id, data=data)
    people = [
        ParticipantData("service_level_manager", "Li Na", attended=True),
        ParticipantData("incident_manager", "Zhang Wei", attended=True),
        ParticipantData("problem_manager", "Liu Yang", attended=False),
        ParticipantData("customer_representative", "Alex Doe", attended=True),
    ]
    reviews.set_participants(
        session, actor=SYSTEM, meeting_id=meeting.id, version=meeting.version, people=people
    )
    session.flush()
    record = Minutes(
        "P1 resolution stayed above its objective; P2 tickets opened on Friday evenings "
        "waited over the weekend. The customer asked for weekend cover of e-mail.",
        ["Add weekend on-call for P2 e-mail tickets", "Keep the SLA as it is"],
        "improve",
    )
    reviews.record_minutes(
        session,
        actor=SYSTEM,
        meeting_id=meeting.id,
        version=meeting.version,
        record=record,
        now=held_at,
    )
    action = review_actions.add_action(
        session,
        actor=SYSTEM,
        meeting_id=meeting.id,
        data=ActionData(
            "Add weekend on-call for P2 e-mail tickets",
            quarter_end + dt.timedelta(days=44),
            owner_name="Zhao Lei (Network Operations)",
        ),
    )
    plan = review_actions.from_action(session, actor=SYSTEM, action_id=action.id, code=PLAN)
    improvement_plans.step(
        session,
        actor=SYSTEM,
        plan_id=plan.id,
        version=plan.version,
        transition="activate",
        starts_on=first_of_month(start, 4),
    )
    for title, due, done in (
        ("Roster weekend on-call", quarter_end + dt.timedelta(days=29), True),
        (
            "Page the on-call engineer for P2 e-mail tickets",
            quarter_end + dt.timedelta(days=44),
            False,
        ),
    ):
        step = review_actions.add_action(
            session,
            actor=SYSTEM,
            plan_id=plan.id,
            data=ActionData(title, due, owner_name="Zhao Lei"),
        )
        if done:
            review_actions.update_action(
                session, actor=SYSTEM, action_id=step.id, version=step.version, status="done"
            )
    return 1
