"""The demo catalog: e-mail, ERP and point of sale published with Gold/Silver/Bronze options,
and an intranet wiki still in draft. Approving them puts "define the SLA" on the work list."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import OfferedTargetData, OptionData, ServiceData
from servicelevel.services.identity.permissions import SYSTEM

T = OfferedTargetData

# code, name, zh-Hans, zh-Hant, category, calendar, depends on, published?
SERVICES = [
    ("email", "E-mail", "电子邮件", "電子郵件", "Collaboration", "follow-the-sun",
     ("CLOUDHOST",), True),
    ("erp", "ERP (finance)", "ERP 财务系统", "ERP 財務系統", "Business applications",
     "beijing-office", ("APPSUP", "CLOUDHOST"), True),
    ("pos", "Point of sale", "门店收银", "門市收銀", "Business applications", "new-york",
     ("NETOPS", "TELCO"), True),
    ("wiki", "Intranet wiki", "内部知识库", "內部知識庫", "Collaboration", "beijing-office",
     (), False),
]  # fmt: skip
DESCRIPTIONS = {
    "email": ("Mailboxes, calendars and shared contacts for every employee.",
              "为每位员工提供邮箱、日历和共享通讯录。", "為每位員工提供郵箱、日曆和共享通訊錄。"),
    "erp": ("General ledger, payables and receivables for the finance department.",
            "为财务部提供总账、应付和应收账款。", "為財務部提供總帳、應付和應收帳款。"),
    "pos": ("Tills and card payments in the retail stores.",
            "零售门店的收银和刷卡支付。", "零售門市的收銀和刷卡支付。"),
    "wiki": ("Team pages and how-to articles.", "团队页面和操作指南。", "團隊頁面和操作指南。"),
}  # fmt: skip
LEVELS = [  # code, names, P1 response, P1 resolution, P2 resolution, availability
    ("gold", ("Gold", "金牌", "金牌"), "15m", "4h", "8h", 0.999),
    ("silver", ("Silver", "银牌", "銀牌"), "30m", "8h", "16h", 0.995),
    ("bronze", ("Bronze", "铜牌", "銅牌"), "1h", "16h", "3bd", 0.99),
]


def _options() -> list[OptionData]:
    return [
        OptionData(
            code,
            names[0],
            {"zh-Hans": names[1], "zh-Hant": names[2]},
            (
                T("response", 0.95, "P1", p1_response),
                T("resolution", 0.95, "P1", p1_resolution),
                T("resolution", 0.9, "P2", p2_resolution),
                T("availability", availability),
            ),
        )
        for code, names, p1_response, p1_resolution, p2_resolution, availability in LEVELS
    ]


def load_demo_catalog(session: Session) -> int:
    """Add the demo services that are missing; returns how many were added."""
    added = 0
    for code, name, hans, hant, category, cal, depends, published in SERVICES:
        if catalog_repo.service_by_code(session, code) is not None:
            continue
        calendar = calendar_repo.calendar_by_code(session, cal)
        teams = [party_repo.party_by_code(session, p) for p in depends]
        text = DESCRIPTIONS[code]
        data = ServiceData(
            code,
            name,
            {"zh-Hans": hans, "zh-Hant": hant},
            text[0],
            {"zh-Hans": text[1], "zh-Hant": text[2]},
            category,
            calendar_id=calendar.id if calendar else None,
            depends_on=tuple(p.id for p in teams if p is not None),
        )
        service = catalog.create_service(session, actor=SYSTEM, data=data)
        session.flush()
        catalog.set_options(
            session, actor=SYSTEM, service_id=service.id, version=1, options=_options()
        )
        if published:
            for step in ("approve", "publish"):
                session.flush()
                catalog_lifecycle.change_status(
                    session,
                    actor=SYSTEM,
                    service_id=service.id,
                    version=service.version,
                    transition=step,
                )
        added += 1
    return added
