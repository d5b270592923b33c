"""Demo agreements: Contoso's SLA in force, underpinned by Network Operations' OLA and
CloudHost's UC (whose term ends early and whose P1 target is looser — two findings the
portfolio shows), and Fabrikam's SLA still in negotiation.

Their terms are placed around the moment the demo is loaded (:class:`DemoTerm`): they began on
the first day of the month a year before, so every month of the demo's year of tickets has a
report, and they run a year beyond it — whatever the date, including 1 January and 29 February.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.services.agreements import authoring, underpinning
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import SYSTEM, Actor

CLOCKS = {
    "response": {"stop": {"events": ["responded"]}, "cancel": {"states": ["Cancelled"]}},
    "resolution": {
        "pause": {"states": ["Awaiting Customer", "Awaiting Supplier"]},
        "stop": {"states": ["Resolved", "Closed"]},
        "cancel": {"states": ["Cancelled"]},
    },
}


def _hours(budget: str) -> int:
    """The demo's budgets are whole hours ("4h")."""
    return int(budget.removesuffix("h"))


def _names(kind: str, priority: str, budget: str) -> dict[str, str]:
    """A target's name in the three languages, as a customer reads it in the report (the id,
    "P1-response", is for people who write agreement files)."""
    if kind == "response":
        return {
            "en": f"{priority} incidents answered within 15 minutes",
            "zh-Hans": f"{priority} 事件 15 分钟内响应",
            "zh-Hant": f"{priority} 事件 15 分鐘內回應",
        }
    hours = _hours(budget)
    return {
        "en": f"{priority} incidents resolved within {hours} hours",
        "zh-Hans": f"{priority} 事件 {hours} 小时内解决",
        "zh-Hant": f"{priority} 事件 {hours} 小時內解決",
    }


def _targets(p1: str, p2: str, calendar: str = "business") -> list[dict[str, Any]]:
    return [
        {
            "id": "P1-response",
            "name": _names("response", "P1", "15m"),
            "clock": "response",
            "when": {"priority": "P1"},
            "within": "15m",
            "calendar": "always",
            "objective": "95%",
            "warnings": ["50%", "75%"],
        },
        {
            "id": "P1-resolution",
            "name": _names("resolution", "P1", p1),
            "clock": "resolution",
            "when": {"priority": "P1"},
            "within": p1,
            "calendar": "always",
            "objective": "95%",
            "warnings": ["50%", "75%", "90%"],
        },
        {
            "id": "P2-resolution",
            "name": _names("resolution", "P2", p2),
            "clock": "resolution",
            "when": {"priority": "P2"},
            "within": p2,
            "calendar": calendar,
            "objective": "90%",
            "warnings": ["75%"],
        },
    ]


def first_of_month(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class DemoTerm:
    """When the demo agreements run, and the year that names them (the year of loading)."""

    start: dt.date
    end: dt.date
    supplier_end: dt.date  # the UC ends three months before the SLA: a finding
    year: int

    @classmethod
    def around(cls, today: dt.date) -> DemoTerm:
        start = first_of_month(today, -12)
        day = dt.timedelta(days=1)
        return cls(
            start, first_of_month(start, 24) - day, first_of_month(start, 21) - day, today.year
        )

    @property
    def effective(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), dt.UTC)


def _document(code: str, kind: str, party: str, span: DemoTerm, **more: Any) -> dict[str, Any]:
    key = {"SLA": "customer", "OLA": "internal_team", "UC": "supplier"}[kind]
    return {
        "id": code,
        "kind": kind,
        "provider": "Acme IT",
        key: party,
        "term": {"start": span.start.isoformat(), "end": span.end.isoformat()},
        "review": "quarterly" if kind == "SLA" else "yearly",
        "calendars": {"business": "beijing-office", "always": "24x7"},
        "clocks": CLOCKS,
        **more,
    }


def documents(term: DemoTerm) -> list[dict[str, Any]]:
    year = term.year
    email = {
        "id": "email-availability",
        "service": "email",
        "calendar": "always",
        "objective": "99.9%",
    }
    return [
        _document(
            f"SLA-CONTOSO-{year}",
            "SLA",
            "CONTOSO",
            term,
            title={
                "en": "IT services for Contoso Finance",
                "zh-Hans": "Contoso 财务部 IT 服务",
                "zh-Hant": "Contoso 財務部 IT 服務",
            },
            services=["email", "erp"],
            targets=_targets("4h", "8h"),
            availability=[email],
            credits=[
                {
                    "id": "email-credit",
                    "target": "email-availability",
                    "tiers": [
                        {"below": "99.9%", "credit": "5%"},
                        {"below": "99%", "credit": "10%"},
                    ],
                    "cap": "10%",
                }
            ],
            fee={"amount": 200000, "currency": "CNY", "per": "month"},
        ),
        _document(
            f"OLA-NETOPS-{year}",
            "OLA",
            "NETOPS",
            term,
            title="Network support for e-mail and ERP",
            services=["email", "erp"],
            targets=_targets("3h", "6h"),
        ),
        _document(
            f"UC-CLOUDHOST-{year}",
            "UC",
            "CLOUDHOST",
            term,
            title="Hosting for e-mail and ERP",
            services=["email", "erp"],
            targets=_targets("6h", "8h"),
            term={"start": term.start.isoformat(), "end": term.supplier_end.isoformat()},
            availability=[email],
        ),
        _document(
            f"SLA-FABRIKAM-{year}",
            "SLA",
            "FABRIKAM",
            term,
            title="Point of sale for Fabrikam",
            services=["pos", "email"],
            targets=_targets("4h", "8h", "business"),
        ),
    ]


def load_demo_agreements(session: Session, term: DemoTerm) -> int:
    """Add the demo agreements that are missing; returns how many were added."""
    added = []
    year = term.year
    for document in documents(term):
        if repo.agreement_by_code(session, document["id"]) is None:
            added.append(authoring.create_agreement(session, actor=SYSTEM, document=document))
            session.flush()
    start = term.effective
    for made in added:
        if made.code.startswith("SLA-FABRIKAM"):
            _step(session, made, "propose")
        else:
            _put_in_force(session, made, start)
    sla = repo.agreement_by_code(session, f"SLA-CONTOSO-{year}")
    if sla is not None and any(a.code == sla.code for a in added):
        for code in (f"OLA-NETOPS-{year}", f"UC-CLOUDHOST-{year}"):
            other = repo.agreement_by_code(session, code)
            if other is not None:
                underpinning.link(session, actor=SYSTEM, sla_id=sla.id, supporting_id=other.id)
    return len(added)


def _step(session: Session, agreement: Any, step: str, **kw: Any) -> None:
    session.flush()
    v = agreements.latest(agreement)
    agreement_lifecycle.advance(
        session,
        actor=SYSTEM,
        agreement_id=agreement.id,
        number=v.number,
        version=v.version,
        step=step,
        **kw,
    )


def _put_in_force(session: Session, agreement: Any, start: dt.datetime) -> None:
    signers = []
    for name in ("manager", _representative(agreement.code)):
        actor = _actor(session, name)
        if actor is None:
            break  # the demo users are not there: leave it approved
        signers.append(actor)
    put_in_force(session, agreement, start if len(signers) == 2 else None, signers)


def put_in_force(
    session: Session, agreement: Any, start: dt.datetime | None, signers: list[Actor]
) -> None:
    """Propose, approve, sign (by each of ``signers``: the provider's, then the
    counterparty's) and activate the latest version from ``start`` (``None``: leave it
    signed by those given) — for demos, benchmarks and tests that need an agreement in force."""
    _step(session, agreement, "propose")
    _step(session, agreement, "approve")
    for actor in signers:
        session.flush()
        v = agreements.latest(agreement)
        agreement_lifecycle.sign(
            session, actor=actor, agreement_id=agreement.id, number=v.number, version=v.version
        )
    if start is not None:
        _step(session, agreement, "activate", effective=start)


def _representative(code: str) -> str:
    return {"SLA": "contoso", "OLA": "netops", "UC": "cloudhost"}[code.split("-")[0]]


def _actor(session: Session, username: str) -> Actor | None:
    user = identity_repo.user_by_name(session, username)
    return identity.actor_for(session, user) if user is not None else None
