"""The start page is each role's operational home: the manager's dashboard (what needs
attention now, charts over a period the reader picks, the portfolio this month) or a
representative's home (their agreements this month, published reports, their tickets at risk,
the next review)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from babel.numbers import format_percent
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep
from servicelevel.i18n import Translator, moments, translator
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.monitoring import queue as ticket_queue
from servicelevel.services.monitoring.queue import QueueFilter
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.reporting.charts import Series, bar_chart, line_chart
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.workspace import home as workspace
from servicelevel.services.workspace import portfolio as dashboard
from servicelevel.web import labels
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import language, render

router = APIRouter()
Months = Annotated[str, Query(max_length=4)]


@router.get("/")
def home(request: Request, visitor: UserDep, db: SessionDep, months: Months = "6") -> Response:
    actor, now = visitor.actor, dt.datetime.now(dt.UTC)
    if actor.scoped:
        return _representative(request, visitor, db, now)
    t = translator(language(request))
    health = dashboard.portfolio(db, actor=actor, now=now)
    ids = [h.agreement_id for h in health]
    context: dict[str, Any] = {
        "figures": workspace.attention(db, actor=actor, now=now),
        "health": health,
        "clocks": ticket_queue.clock_counts_by_agreement(
            db, actor=actor, agreement_ids=ids, now=now
        ),
        "months": months,
        "periods": workspace.PERIODS,
        "labels": labels,
    }
    status = 200
    try:
        found = workspace.charts(db, actor=actor, months=_int(months), now=now)
        context |= {"charts": _drawn(found, t), "found": found}
    except ServiceError as exc:
        context["error"], status = exc, exc.status
    return render(
        request, "home.html", actor=actor, csrf=visitor.session.csrf, status=status, **context
    )


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _drawn(found: workspace.Charts, t: Translator) -> dict[str, str]:
    """The charts as inline SVG, titled and labelled in the reader's language."""

    def share(value: float) -> str:
        return format_percent(value, "#,##0.#%", locale=t.babel_locale)

    compliance = [Series(x.label, x.values) for x in found.compliance]
    uptime = [Series(x.label, x.values) for x in found.availability]
    weeks = [
        moments.short_day(d, t.locale) if i % max(1, len(found.weeks) // 13) == 0 else ""
        for i, d in enumerate(found.weeks)
    ]
    return {
        "compliance": line_chart(
            found.months, compliance, title=t.gettext("Compliance per agreement"), share=share
        ),
        "availability": line_chart(
            found.months, uptime, title=t.gettext("Availability"), share=share
        ),
        "breaches": bar_chart(
            weeks,
            found.breaches,
            title=t.gettext("Breaches by week"),
            names=[
                t.gettext("Week from {day}").format(day=moments.day(d, t.locale))
                for d in found.weeks
            ],
            links=[f"/breaches?week={d.isoformat()}" for d in found.weeks],
        ),
    }


def _representative(
    request: Request, visitor: UserDep, db: SessionDep, now: dt.datetime
) -> Response:
    actor: Actor = visitor.actor
    clocks = ticket_queue.clock_counts(db, actor=actor, filters=QueueFilter(), now=now)
    health = dashboard.portfolio(db, actor=actor, now=now)
    ids = [h.agreement_id for h in health]
    reviews = sorted((h for h in health if h.next_review), key=lambda h: h.next_review or now)
    return render(
        request,
        "home_representative.html",
        actor=actor,
        csrf=visitor.session.csrf,
        clocks=clocks,
        health=health,
        per_agreement=ticket_queue.clock_counts_by_agreement(
            db, actor=actor, agreement_ids=ids, now=now
        ),
        next_review=reviews[0] if reviews else None,
        reports=report_snapshots.list_reports(db, actor=actor, limit=10).items,
        labels=labels,
    )
