"""Underpinning: the OLAs and UCs an SLA relies on, and the checks that they can carry it.

An SLA promises what its supporting agreements let it keep. The checks compare each SLA with
the current version (in force, else newest) of every OLA and UC linked to it:

- ``looser_target``: a supporting target on the same clock and tickets with a longer time
  budget or a lower objective than the SLA target it supports (availability: a lower objective
  for the same service);
- ``ends_earlier``: a supporting agreement whose term ends before the SLA's;
- ``uncovered_service``: a service of the SLA that no supporting agreement covers;
- ``calendar_mismatch``: matching targets measured on different calendars.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementTarget, AgreementVersion, Underpinning
from servicelevel.db.repositories import agreements as repo
from servicelevel.engine.durations import Duration, DurationError, parse_duration
from servicelevel.services.agreements.reading import can_see, current, get_agreement
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound

MESSAGES = {
    "looser_target": "{supporting} target {target} is looser than {sla} target {ours} it supports",
    "ends_earlier": "{supporting} ends on {theirs}, before {sla} ({ours})",
    "uncovered_service": "no OLA or UC linked to {sla} covers service {service}",
    "calendar_mismatch": "{supporting} target {target} runs on another calendar than {sla} "
    "target {ours}",
}


@dataclass(frozen=True)
class Finding:
    """One inconsistency: ``message`` is English with ``{name}`` placeholders (pages translate
    it, then fill in ``params``)."""

    kind: str
    sla: str
    supporting: str
    params: dict[str, str]

    @property
    def message(self) -> str:
        return MESSAGES[self.kind]

    @property
    def text(self) -> str:
        return self.message.format(**self.params)


def link(session: Session, *, actor: Actor, sla_id: int, supporting_id: int) -> Underpinning:
    """Record that the OLA or UC ``supporting_id`` underpins the SLA ``sla_id``."""
    require(actor, "agreement.write")
    sla = get_agreement(session, actor=actor, agreement_id=sla_id)
    supporting = get_agreement(session, actor=actor, agreement_id=supporting_id)
    if sla.kind != "SLA":
        raise Invalid(
            "only an SLA is underpinned; {code} is an {kind}",
            "sla_id",
            code=sla.code,
            kind=sla.kind,
        )
    if supporting.kind not in ("OLA", "UC"):
        raise Invalid(
            "an SLA is underpinned by OLAs and UCs; {code} is an {kind}",
            "supporting_id",
            code=supporting.code,
            kind=supporting.kind,
        )
    if repo.link(session, sla_id, supporting_id) is not None:
        raise Conflict(
            "{supporting} underpins {sla} already",
            "supporting_id",
            supporting=supporting.code,
            sla=sla.code,
        )
    made = Underpinning(sla_id=sla_id, supporting_id=supporting_id)
    session.add(made)
    audit.record(
        session, actor, "link", made, None, {"sla": sla.code, "supporting": supporting.code}
    )
    return made


def unlink(session: Session, *, actor: Actor, sla_id: int, supporting_id: int) -> None:
    require(actor, "agreement.write")
    sla = get_agreement(session, actor=actor, agreement_id=sla_id)
    found = repo.link(session, sla_id, supporting_id)
    if found is None:
        raise NotFound(
            "agreement {supporting} does not underpin {sla}", supporting=supporting_id, sla=sla_id
        )
    codes = {a.id: a.code for a in repo.agreements_by_ids(session, {supporting_id})}
    before = {
        "sla": sla.code,
        "supporting": codes.get(supporting_id, ""),
        "sla_id": sla_id,
        "supporting_id": supporting_id,
    }
    audit.record(session, actor, "unlink", found, before, None)
    session.delete(found)
    session.flush()


def supporting(session: Session, *, actor: Actor, agreement_id: int) -> list[Agreement]:
    """The OLAs and UCs linked to an SLA (or, for an OLA or UC, the SLAs it supports).

    Underpinning is internal: representatives (who see only their own party's agreements)
    may not read it at all, rather than see checks run over the part of it they may see."""
    require(actor, "underpinning.read")
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    ids = (
        repo.supporting_ids(session, agreement.id)
        if agreement.kind == "SLA"
        else repo.supported_ids(session, agreement.id)
    )
    return [a for a in repo.agreements_by_ids(session, ids) if can_see(actor, a)]


def check_agreement(session: Session, *, actor: Actor, agreement_id: int) -> list[Finding]:
    """The inconsistencies between an SLA and its supporting agreements (for an OLA or UC:
    those it takes part in)."""
    return underpinning_of(session, actor=actor, agreement_id=agreement_id)[1]


def underpinning_of(
    session: Session, *, actor: Actor, agreement_id: int
) -> tuple[list[Agreement], list[Finding]]:
    """The agreements linked to this one, and the findings between them (loaded once)."""
    require(actor, "underpinning.read")
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    linked = supporting(session, actor=actor, agreement_id=agreement_id)
    return linked, findings_among(session, agreement, linked)


def findings_among(
    session: Session, agreement: Agreement, linked: list[Agreement]
) -> list[Finding]:
    codes = _service_codes(session, [agreement, *linked])
    if agreement.kind == "SLA":
        return _check_sla(agreement, linked, codes)
    return [
        f
        for sla in linked
        for f in _check_sla(sla, [agreement], codes)
        if f.supporting == agreement.code
    ]


def portfolio_findings(session: Session, *, actor: Actor) -> list[Finding]:
    """Every SLA's findings, for the portfolio page (staff and viewers)."""
    require(actor, "underpinning.read")
    links = repo.all_links(session)
    page = repo.list_agreements(
        session,
        kind="SLA",
        status=None,
        counterparty_id=None,
        service_id=None,
        search=None,
        offset=0,
        limit=10_000,
        only=actor.parties if actor.scoped else None,
    )
    wanted = {a.id for a in page.items}
    supporting = {o for _, o in links}
    loaded = repo.agreements_by_ids(session, wanted | supporting)  # one read for both
    slas = {a.id: a for a in loaded if a.id in wanted and can_see(actor, a)}
    by_id = {a.id: a for a in loaded if a.id in supporting}
    codes = _service_codes(session, list(slas.values()))
    findings: list[Finding] = []
    for sla in sorted(slas.values(), key=lambda a: a.code):
        if not sla.versions:
            continue
        mine = [by_id[o] for s, o in links if s == sla.id and o in by_id]
        findings += _check_sla(sla, mine, codes)
    return findings


def _service_codes(session: Session, agreements: list[Agreement]) -> dict[int, str]:
    ids = {s.service_id for a in agreements if a.versions for s in current(a).services}
    return repo.codes(session, set(), ids, set())[1]


def _check_sla(sla: Agreement, linked: list[Agreement], codes: dict[int, str]) -> list[Finding]:
    version = current(sla)
    out: list[Finding] = []
    covered: set[int] = set()
    for other in linked:
        theirs = current(other)
        covered |= {s.service_id for s in theirs.services}
        out += _term_findings(sla, version, other, theirs)
        out += _target_findings(sla, version, other, theirs)
    for service in version.services:
        if service.service_id not in covered:
            out.append(
                Finding(
                    "uncovered_service",
                    sla.code,
                    "",
                    {"sla": sla.code, "service": codes.get(service.service_id, "?")},
                )
            )
    return out


def _term_findings(
    sla: Agreement, version: AgreementVersion, other: Agreement, theirs: AgreementVersion
) -> list[Finding]:
    if version.term_end is None or theirs.term_end is None or theirs.term_end >= version.term_end:
        return []
    return [
        Finding(
            "ends_earlier",
            sla.code,
            other.code,
            {
                "supporting": other.code,
                "theirs": theirs.term_end.isoformat(),
                "sla": sla.code,
                "ours": version.term_end.isoformat(),
            },
        )
    ]


def _target_findings(
    sla: Agreement, version: AgreementVersion, other: Agreement, theirs: AgreementVersion
) -> list[Finding]:
    out: list[Finding] = []
    ours_cal = {c.key: c.calendar_id for c in version.calendars}
    their_cal = {c.key: c.calendar_id for c in theirs.calendars}
    for target in version.targets:
        for match in (t for t in theirs.targets if _same_scope(target, t)):
            params = {
                "supporting": other.code,
                "target": match.key,
                "sla": sla.code,
                "ours": target.key,
            }
            if _looser(target, match):
                out.append(
                    Finding(
                        "looser_target",
                        sla.code,
                        other.code,
                        params,
                    )
                )
            if ours_cal.get(target.calendar_key) != their_cal.get(match.calendar_key):
                out.append(
                    Finding(
                        "calendar_mismatch",
                        sla.code,
                        other.code,
                        params,
                    )
                )
    return out


def _same_scope(ours: AgreementTarget, theirs: AgreementTarget) -> bool:
    """Targets measuring the same thing: same kind and clock (availability: same service),
    and, where both select by priority, a shared priority."""
    if ours.kind != theirs.kind:
        return False
    if ours.kind == "availability":
        return ours.service_code == theirs.service_code
    if ours.clock != theirs.clock:
        return False
    a, b = ours.selector.get("priority"), theirs.selector.get("priority")
    return a is None or b is None or bool({x.casefold() for x in a} & {x.casefold() for x in b})


def _looser(ours: AgreementTarget, theirs: AgreementTarget) -> bool:
    objectives = (ours.objective, theirs.objective)
    if objectives[0] is not None and objectives[1] is not None and objectives[1] < objectives[0]:
        return True
    if ours.kind == "availability":
        return False
    a, b = _budget(ours.within), _budget(theirs.within)
    if a is None or b is None or a.is_business_days != b.is_business_days:
        return False  # hours and business days do not compare without a calendar
    if a.is_business_days:
        return (b.business_days or 0) > (a.business_days or 0)
    return b.seconds > a.seconds


def _budget(text: str) -> Duration | None:
    try:
        return parse_duration(text)
    except DurationError:
        return None
