"""Import the real ServiceNow incident log (../shared/data) and evaluate it, on SQLite and on
PostgreSQL: the seconds each step takes (issue 5).

Run with ``make bench-servicenow``. For each database: migrate a fresh one; add the catalog
service the shipped mapping names (``it-support``), a 24×7 calendar, the service desk team and
an OLA in force since 2016 with a resolution target per priority (P1 4 h, P2 8 h, P3 24 h,
P4 72 h; paused while awaiting the user, a vendor or evidence; stopped when resolved or
closed); then time ``slm import tickets … -m servicenow`` and the recomputation of every
measurement of the OLA (what the worker runs after an import), as of 2017-03-01.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import PG_ADMIN, temporary_postgres  # noqa: E402
from servicelevel.demo.agreements import put_in_force  # noqa: E402
from servicelevel.services.agreements import authoring as agreements  # noqa: E402
from servicelevel.services.calendars import service_hours as calendars  # noqa: E402
from servicelevel.services.catalog import offerings as catalog  # noqa: E402
from servicelevel.services.identity import accounts as identity  # noqa: E402
from servicelevel.services.identity.accounts import RoleGrant  # noqa: E402
from servicelevel.services.identity.permissions import SYSTEM  # noqa: E402
from servicelevel.services.monitoring import recompute  # noqa: E402
from servicelevel.services.parties import directory as parties  # noqa: E402
from servicelevel.services.shared.database import upgrade_database  # noqa: E402
from servicelevel.services.shared.uow import unit_of_work  # noqa: E402

LOG = ROOT.parent / "shared" / "data" / "servicenow_incident_event_log.csv.gz"
AS_OF = dt.datetime(2017, 3, 1, tzinfo=dt.UTC)
TARGETS = {"P1": "4h", "P2": "8h", "P3": "24h", "P4": "72h"}
OLA = {
    "id": "OLA-SERVICEDESK",
    "kind": "OLA",
    "title": "Service desk incident resolution",
    "internal_team": "DESK",
    "services": ["it-support"],
    "term": {"start": "2016-01-01", "end": "2017-12-31"},
    "calendars": {"always": "24x7"},
    "clocks": {
        "resolution": {
            "pause": {"states": ["Awaiting User Info", "Awaiting Vendor", "Awaiting Evidence"]},
            "stop": {"states": ["Resolved", "Closed"]},
        }
    },
    "targets": [
        {
            "id": f"{p}-resolution",
            "clock": "resolution",
            "when": {"priority": p},
            "within": within,
            "calendar": "always",
            "objective": "90%",
            "warnings": ["75%"],
        }
        for p, within in TARGETS.items()
    ],
}


def prepare(url: str) -> int:
    """The catalog service, calendar, team and the OLA in force; returns the OLA's id."""
    upgrade_database(url)
    with unit_of_work(url) as db:
        calendars.create_calendar(
            db, actor=SYSTEM, code="24x7", definition={"timezone": "UTC", "hours": "24x7"}
        )
        parties.create_party(
            db, actor=SYSTEM, data=parties.PartyData("DESK", "internal_team", "Service desk", {})
        )
        catalog.create_service(
            db, actor=SYSTEM, data=catalog.ServiceData("it-support", "IT support")
        )
        db.flush()
        signers = [
            identity.actor_for(
                db,
                identity.create_user(
                    db, actor=SYSTEM, username=name, password="bench password", roles=[grant]
                ),
            )
            for name, grant in (
                ("manager", RoleGrant("service_level_manager")),
                ("desk", RoleGrant("internal_team_member", "DESK")),
            )
        ]
        made = agreements.create_agreement(db, actor=SYSTEM, document=OLA)
        put_in_force(db, made, dt.datetime(2016, 1, 1, tzinfo=dt.UTC), signers)
        return made.id


def run(name: str, url: str) -> None:
    agreement_id = prepare(url)
    slm = str(Path(sys.executable).with_name("slm"))
    started = time.perf_counter()
    done = subprocess.run(
        [slm, "import", "tickets", str(LOG), "-m", "servicenow", "--url", url],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = time.perf_counter() - started
    with unit_of_work(url) as db:
        started = time.perf_counter()
        result = recompute.recompute(db, agreement_id=agreement_id, now=AS_OF)
    evaluated = time.perf_counter() - started
    print(f"{name:10s} import {imported:5.1f} s  ({done.stdout.strip()})", flush=True)
    print(
        f"{name:10s} evaluate {evaluated:5.1f} s  ({result['measurements']:,} measurements "
        f"{result['by_status']}, {result['breaches']['added']:,} breaches)",
        flush=True,
    )


def main() -> None:
    if not LOG.exists():
        raise SystemExit(f"{LOG} is missing")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SLM_SECRET_FILE"] = str(Path(tmp) / "secret")
        run("sqlite", f"sqlite:///{Path(tmp) / 'servicenow.sqlite3'}")
        with temporary_postgres(PG_ADMIN) as url:
            run("postgresql", url)


if __name__ == "__main__":
    main()
