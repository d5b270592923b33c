"""Who may do what: the permission matrix, in one place (documented in docs/permissions.md).

Roles come from the SLM process. Representatives and internal team members hold their role
*for a party*: they see only what belongs to that party (their customer's agreements, their
supplier's UCs, their team's OLAs). A check is one call: ``require(actor, "party.write")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from servicelevel.services.shared.errors import Forbidden

OWNER = "process_owner"
MANAGER = "service_level_manager"
ADMIN = "service_level_administrator"
CUSTOMER_REP = "customer_representative"
SUPPLIER_REP = "supplier_representative"
TEAM_MEMBER = "internal_team_member"
VIEWER = "viewer"
ROLES = (OWNER, MANAGER, ADMIN, CUSTOMER_REP, SUPPLIER_REP, TEAM_MEMBER, VIEWER)
PARTY_SCOPED = (CUSTOMER_REP, SUPPLIER_REP, TEAM_MEMBER)

STAFF = frozenset({OWNER, MANAGER, ADMIN})
EVERYONE = frozenset(ROLES)

# action → roles allowed. "Scoped" roles are further limited to their own party by the service.
MATRIX: dict[str, frozenset[str]] = {
    "party.read": EVERYONE,
    "party.write": STAFF,
    "calendar.read": EVERYONE,
    "calendar.write": STAFF,
    "catalog.read": EVERYONE,
    "catalog.write": STAFF,
    "catalog.approve": frozenset({OWNER, MANAGER}),
    "work.read": frozenset({OWNER, MANAGER, ADMIN, VIEWER}),
    "work.write": STAFF,
    "work.trigger": frozenset({OWNER, MANAGER}),
    "agreement.read": EVERYONE,
    "agreement.write": STAFF,
    "agreement.approve": frozenset({OWNER, MANAGER}),
    "agreement.sign": frozenset({OWNER, MANAGER, *PARTY_SCOPED}),
    "agreement.comment": STAFF | frozenset(PARTY_SCOPED),
    "agreement.terminate": frozenset({OWNER, MANAGER}),
    # which OLAs and UCs underpin an SLA and what does not add up between them: internal (it
    # names suppliers, teams and their terms), so representatives never see it
    "underpinning.read": STAFF | {VIEWER},
    "requirement.read": EVERYONE,
    "requirement.write": STAFF,
    "requirement.decide": frozenset({OWNER, MANAGER}),
    "template.read": STAFF | {VIEWER},
    "template.write": STAFF,
    "report.read": EVERYONE,
    "report.publish": STAFF,
    "job.read": STAFF | {VIEWER},
    "measurement.recompute": STAFF,
    "breach.read": EVERYONE,
    "breach.annotate": frozenset({OWNER, MANAGER}),
    "notification.read": STAFF | {VIEWER},
    "notification.manage": STAFF,
    "ticket.read": EVERYONE,
    "ticket.write": STAFF,
    # connections that pull tickets from other systems: their settings name where secrets are
    "connection.read": STAFF | {VIEWER},
    "connection.manage": STAFF,
    # per-team attainment: teams are the provider's own, so representatives never see them
    "team.read": STAFF | {VIEWER},
    "outage.read": EVERYONE,
    "outage.write": STAFF,
    "review.read": EVERYONE,
    "review.write": STAFF,
    "improvement.read": EVERYONE,
    "improvement.write": STAFF,
    "survey.read": EVERYONE,
    "survey.write": STAFF,
    "audit.read": frozenset({OWNER, MANAGER, VIEWER}),
    "user.read": frozenset({OWNER, MANAGER, ADMIN, VIEWER}),
    "user.manage": frozenset({OWNER, ADMIN}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user with roles, or the system itself (migrations, jobs)."""

    user_id: int | None
    username: str
    roles: frozenset[str]
    parties: frozenset[int] = field(default_factory=frozenset)  # for party-scoped roles

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @property
    def scoped(self) -> bool:
        """True when every role the actor holds is limited to its own parties."""
        return not self.is_system and self.roles <= frozenset(PARTY_SCOPED)


SYSTEM = Actor(user_id=None, username="system", roles=frozenset({OWNER}))


def allowed(actor: Actor, action: str) -> bool:
    if actor.is_system:
        return True
    roles = MATRIX.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}")  # a programming error, not a user's
    return bool(actor.roles & roles)


def require(actor: Actor, action: str) -> None:
    if not allowed(actor, action):
        raise Forbidden("{user} may not {action}", user=actor.username, action=action)


def can_see_party(actor: Actor, party_id: int | None) -> bool:
    """Staff and viewers see every party; representatives only their own (and nothing that
    names no party: a ticket without a customer)."""
    return not actor.scoped or party_id in actor.parties


def matrix_markdown() -> str:
    """The permission matrix as a Markdown table (docs/permissions.md must contain it)."""
    head = "| action | " + " | ".join(ROLES) + " |"
    rule = "|---" * (len(ROLES) + 1) + "|"
    rows = [
        f"| `{action}` | " + " | ".join("✔" if r in roles else "—" for r in ROLES) + " |"
        for action, roles in MATRIX.items()
    ]
    return "\n".join([head, rule, *rows])
