"""Demo data: a small IT provider with customers, teams, suppliers, calendars and users.

``load_demo`` is safe to run again: what exists (by code or username) is left as it is.
Every demo user has the password :data:`DEMO_PASSWORD`; never load the demo into production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.definitions.source import parse_yaml
from servicelevel.demo.agreements import DemoTerm, load_demo_agreements
from servicelevel.demo.catalog import load_demo_catalog
from servicelevel.demo.requirements import load_demo_requirements
from servicelevel.demo.reviews import load_demo_reviews
from servicelevel.demo.tickets import load_demo_tickets
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import RoleGrant
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute
from servicelevel.services.parties import directory as parties

DEMO_PASSWORD = "servicelevel-demo"
PARTIES = [
    parties.PartyData(
        "CONTOSO",
        "customer",
        "Contoso Finance",
        {"zh-Hans": "Contoso 财务部", "zh-Hant": "Contoso 財務部"},
        "Finance department: ERP and e-mail users in Beijing and New York",
    ),
    parties.PartyData(
        "FABRIKAM",
        "customer",
        "Fabrikam Retail",
        {"zh-Hans": "Fabrikam 零售", "zh-Hant": "Fabrikam 零售"},
        "Retail stores: point of sale and e-mail",
    ),
    parties.PartyData(
        "NETOPS",
        "internal_team",
        "Network Operations",
        {"zh-Hans": "网络运维组", "zh-Hant": "網路維運組"},
        "Second line, networks",
    ),
    parties.PartyData(
        "APPSUP",
        "internal_team",
        "Application Support",
        {"zh-Hans": "应用支持组", "zh-Hant": "應用支援組"},
        "Second line, ERP",
    ),
    parties.PartyData(
        "CLOUDHOST",
        "supplier",
        "CloudHost Ltd",
        {"zh-Hans": "云主机有限公司", "zh-Hant": "雲主機有限公司"},
        "Hosting (UC)",
    ),
    parties.PartyData(
        "TELCO",
        "supplier",
        "Metro Telecom",
        {"zh-Hans": "城市电信", "zh-Hant": "城市電信"},
        "WAN links (UC)",
    ),
]
CALENDARS = {
    "beijing-office": "beijing-office.yaml",
    "new-york": "new-york.yaml",
    "follow-the-sun": "follow-the-sun.yaml",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    party: str | None = None
    locale: str = "en"


USERS = [
    DemoUser("owner", "Wang Fang (process owner)", "process_owner", locale="zh_Hans"),
    DemoUser("manager", "Li Na (service level manager)", "service_level_manager", locale="zh_Hans"),
    DemoUser("admin", "Chen Jie (administrator)", "service_level_administrator"),
    DemoUser("contoso", "Alex Doe (Contoso representative)", "customer_representative", "CONTOSO"),
    DemoUser(
        "cloudhost",
        "Lin Mei (CloudHost representative)",
        "supplier_representative",
        "CLOUDHOST",
        "zh_Hant",
    ),
    DemoUser("netops", "Zhao Lei (Network Operations)", "internal_team_member", "NETOPS"),
    DemoUser("auditor", "Sam Roe (auditor)", "viewer"),
]


def load_demo(
    session: Session, now: dt.datetime | None = None, *, with_tickets: bool = True
) -> dict[str, int]:
    """Add whatever part of the demo is missing; returns how many records were added.

    The demo is a year of history ending at ``now`` (default: the real clock): tickets, survey
    answers and a held review lie before it, agreements are in force around it and the next
    reviews are scheduled after it."""
    now = now or dt.datetime.now(dt.UTC)
    term = DemoTerm.around(now.date())
    added = {"parties": 0, "calendars": 0, "users": 0, "services": 0, "requirements": 0}
    added["agreements"] = 0
    added["tickets"] = 0
    added["reviews"] = 0
    for data in PARTIES:
        if party_repo.party_by_code(session, data.code) is None:
            parties.create_party(session, actor=SYSTEM, data=data)
            added["parties"] += 1
    for code, filename in CALENDARS.items():
        if calendar_repo.calendar_by_code(session, code) is None:
            text = resources.files("servicelevel.demo").joinpath(filename).read_text("utf-8")
            definition = parse_yaml(text, filename).data
            calendars.create_calendar(session, actor=SYSTEM, code=code, definition=definition)
            added["calendars"] += 1
    for user in USERS:
        if identity_repo.user_by_name(session, user.username) is None:
            identity.create_user(
                session,
                actor=SYSTEM,
                username=user.username,
                password=DEMO_PASSWORD,
                roles=[RoleGrant(user.role, user.party)],
                display_name=user.name,
                locale=user.locale,
            )
            added["users"] += 1
    added["services"] = load_demo_catalog(session)
    added["requirements"] = load_demo_requirements(session)
    added["agreements"] = load_demo_agreements(session, term)
    session.flush()
    agreement_lifecycle.refresh(session, actor=SYSTEM, today=now.date())
    if with_tickets:
        added["tickets"] = load_demo_tickets(session, now)
        for found in agreement_repo.agreements_in_force(session):  # measurements to look at
            recompute.recompute(session, agreement_id=found.id, now=now)
    added["reviews"] = load_demo_reviews(session, now, term)
    return added
