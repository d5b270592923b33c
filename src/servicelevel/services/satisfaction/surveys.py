"""Customer satisfaction survey results (an input of the SLM process, PROCESS.md §3.3):
entered one by one or imported from CSV, per customer and service, summarised per period, and
shown on review agendas and in reports. A low score can raise an improvement plan proposal
(:func:`servicelevel.services.reviews.plans.propose_from_survey`).

Scores keep their own scale (3 of 5, 8 of 10); summaries compare them as a share of the best
score. Imports are idempotent: an answer already stored (same customer, service, day,
respondent, score and comments) is not stored again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import SurveyResult
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.db.repositories.common import Page
from servicelevel.definitions.csvfiles import text_lines
from servicelevel.definitions.source import DefinitionError
from servicelevel.definitions.surveys import SurveyRow, parse_survey_csv
from servicelevel.definitions.tickets import BadRowsError
from servicelevel.engine.periods import Period, month, quarter
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, can_see_party, require
from servicelevel.services.shared.errors import Invalid, NotFound

LOW = 0.4  # a score at or below this share of the scale is low (2 of 5)
FIELDS = ("party_id", "service_id", "answered_on", "score", "scale", "respondent", "comments")


@dataclass(frozen=True)
class Answer:
    customer_id: int
    answered_on: dt.date
    score: float
    scale: int = 5
    service_id: int | None = None
    respondent: str = ""
    comments: str = ""
    key: str = ""  # what makes an answer distinct beyond its content (e.g. its invitation)


def is_low(result: SurveyResult) -> bool:
    return result.score <= LOW * result.scale


def record(
    session: Session, *, actor: Actor, answer: Answer, source: str = "entered"
) -> SurveyResult:
    """Store one answer (an identical answer already stored is returned instead)."""
    require(actor, "survey.write")
    _check(session, answer)
    print_ = fingerprint(answer)
    stored = repo.survey_by_fingerprint(session, print_)
    if stored is not None:
        return stored
    result = _result(answer, source, print_)
    session.add(result)
    audit.record(session, actor, "create", result, None, audit.snapshot(result, FIELDS))
    return result


def _check(session: Session, answer: Answer) -> None:
    if party_repo.party_by_id(session, answer.customer_id) is None:
        raise Invalid("no party {id}", "customer_id", id=answer.customer_id)
    if (
        answer.service_id is not None
        and catalog_repo.service_by_id(session, answer.service_id) is None
    ):
        raise Invalid("no service {id}", "service_id", id=answer.service_id)
    if not 1 <= answer.scale <= 100:
        raise Invalid("the best score must be between 1 and 100", "scale")
    if not 0 <= answer.score <= answer.scale:
        raise Invalid("the score must be between 0 and {scale}", "score", scale=answer.scale)


def fingerprint(answer: Answer) -> str:
    parts = (
        answer.customer_id,
        answer.service_id,
        answer.answered_on.isoformat(),
        answer.respondent,
        f"{answer.score:g}",
        answer.scale,
        answer.comments,
        *((answer.key,) if answer.key else ()),  # unkeyed answers keep their fingerprints
    )
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def _result(answer: Answer, source: str, print_: str) -> SurveyResult:
    return SurveyResult(
        party_id=answer.customer_id,
        service_id=answer.service_id,
        answered_on=answer.answered_on,
        score=answer.score,
        scale=answer.scale,
        respondent=answer.respondent,
        comments=answer.comments,
        source=source,
        fingerprint=print_,
    )


@dataclass(frozen=True)
class Imported:
    stored: int
    already: int


def import_csv(session: Session, *, actor: Actor, text: str, source: str = "import") -> Imported:
    """All or nothing: every bad row (unreadable, unknown customer or service) is named by its
    line and nothing is stored; answers already stored are skipped."""
    require(actor, "survey.write")
    try:
        rows = parse_survey_csv(text_lines(text, source), source)
    except BadRowsError as exc:
        raise _bad_rows([(e.row, e.reason) for e in exc.errors]) from None
    except DefinitionError as exc:
        raise Invalid("the CSV cannot be read: {reason}", "csv", reason=exc.message) from None
    answers, problems = _resolve(session, rows)
    if problems:
        raise _bad_rows(problems)
    known = repo.known_fingerprints(session, [fingerprint(a) for a in answers])
    fresh: dict[str, Answer] = {}
    for a in answers:
        if fingerprint(a) not in known:
            fresh.setdefault(fingerprint(a), a)
    session.add_all(_result(a, "import", p) for p, a in fresh.items())
    summary = {"stored": len(fresh), "already": len(answers) - len(fresh), "source": source}
    audit.record_bulk(session, actor, "import", "survey_result", summary)
    return Imported(len(fresh), len(answers) - len(fresh))


def _bad_rows(problems: list[tuple[int, str]]) -> Invalid:
    error = Invalid(
        "{count} row(s) cannot be read, so nothing was recorded", "csv", count=len(problems)
    )
    error.details = [{"row": row, "field": "csv", "message": why} for row, why in problems]
    return error


def _resolve(session: Session, rows: list[SurveyRow]) -> tuple[list[Answer], list[tuple[int, str]]]:
    parties: dict[str, int | None] = {}
    services: dict[str, int | None] = {}
    answers, problems = [], []
    for r in rows:
        if r.customer not in parties:
            party = party_repo.party_by_code(session, r.customer)
            parties[r.customer] = party.id if party else None
        if r.service and r.service not in services:
            service = catalog_repo.service_by_code(session, r.service)
            services[r.service] = service.id if service else None
        party_id, service_id = parties[r.customer], services.get(r.service)
        if party_id is None:
            problems.append((r.line, f"customer: no party {r.customer}"))
        elif r.service and service_id is None:
            problems.append((r.line, f"service: no service {r.service}"))
        else:
            answers.append(
                Answer(
                    party_id, r.answered_on, r.score, r.scale, service_id, r.respondent, r.comments
                )
            )
    return answers, problems


def visible_parties(actor: Actor) -> frozenset[int] | None:
    return actor.parties if actor.scoped else None


def list_results(
    session: Session,
    *,
    actor: Actor,
    party_id: int | None = None,
    service_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[SurveyResult]:
    require(actor, "survey.read")
    return repo.list_surveys(
        session,
        parties=visible_parties(actor),
        party_id=party_id,
        service_id=service_id,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )


def get_result(session: Session, *, actor: Actor, survey_id: int) -> SurveyResult:
    require(actor, "survey.read")
    found = repo.survey_by_id(session, survey_id)
    if found is None or not can_see_party(actor, found.party_id):
        raise NotFound("no survey result {id}", id=survey_id)
    return found


def between(session: Session, party_id: int, first: dt.date, end: dt.date) -> list[SurveyResult]:
    """A customer's answers from ``first`` to before ``end`` (no permission check: callers
    have checked who may see the customer)."""
    page = repo.list_surveys(
        session,
        parties=None,
        party_id=party_id,
        service_id=None,
        since=first,
        until=end,
        offset=0,
        limit=10_000,
    )
    return page.items


@dataclass(frozen=True)
class Summary:
    period: str
    count: int
    mean: float | None  # the mean score as a share of the best score
    low: int


def summarise(results: list[SurveyResult], period: str = "") -> Summary:
    if not results:
        return Summary(period, 0, None, 0)
    mean = sum(r.score / r.scale for r in results) / len(results)
    return Summary(period, len(results), mean, sum(1 for r in results if is_low(r)))


def trend(
    session: Session,
    *,
    actor: Actor,
    party_id: int | None = None,
    service_id: int | None = None,
    per: str = "month",
    count: int = 12,
    today: dt.date | None = None,
) -> list[Summary]:
    """The last ``count`` months or quarters up to the current one, oldest first."""
    require(actor, "survey.read")
    if per not in ("month", "quarter"):
        raise Invalid("per must be month or quarter", "per")
    if party_id is not None and not can_see_party(actor, party_id):
        raise NotFound("no party {id}", id=party_id)
    day = today or dt.datetime.now(dt.UTC).date()
    last: Period = (
        month(day.year, day.month, "UTC")
        if per == "month"
        else quarter(day.year, (day.month - 1) // 3 + 1, "UTC")
    )
    periods = last.trailing(max(1, min(count, 60)))
    found = repo.list_surveys(
        session,
        parties=visible_parties(actor),
        party_id=party_id,
        service_id=service_id,
        since=periods[0].first,
        until=periods[-1].end_date,
        offset=0,
        limit=100_000,
    ).items
    return [
        summarise([r for r in found if p.first <= r.answered_on < p.end_date], p.label)
        for p in periods
    ]
