"""Backups round-trip with nothing lost: SQLite and PostgreSQL, in every direction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from servicelevel.db.backup import BackupError
from servicelevel.db.base import Base
from servicelevel.db.session import make_engine
from servicelevel.demo.loader import load_demo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.database import (
    backup_database,
    restore_database,
    upgrade_database,
)
from servicelevel.services.shared.uow import unit_of_work
from tests.integration.conftest import fresh_postgres


@contextmanager
def fresh(kind: str, tmp_path: Path, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    else:
        with fresh_postgres() as url:
            yield url


def dump(url: str) -> dict[str, list[dict[str, object]]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {
            t.name: [dict(r) for r in conn.execute(select(t).order_by(*t.primary_key)).mappings()]
            for t in Base.metadata.sorted_tables
        }
    engine.dispose()
    return out


@pytest.mark.parametrize("source", ["sqlite", "postgresql"])
@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_backup_and_restore_lose_nothing(source: str, target: str, tmp_path: Path) -> None:
    with fresh(source, tmp_path, "source") as src, fresh(target, tmp_path, "target") as dst:
        upgrade_database(src)
        with unit_of_work(src) as db:
            load_demo(db)
            acme = parties.create_party(
                db, actor=SYSTEM, data=parties.PartyData("ACME", "customer", "Acme 中文", {})
            )
            parties.update_party(
                db, actor=SYSTEM, party_id=acme.id, version=1, changes={"description": "updated"}
            )
            first, *_, last = agreements.list_agreements(db, actor=SYSTEM).items
            first.renewed_by_id = last.id  # a row pointing at a later row of its own table
        backup_file = tmp_path / "backup.jsonl.gz"
        counts = backup_database(backup_file, src)
        assert counts["party"] == 7
        assert counts["audit_entry"] > 10
        assert counts["agreement_target"] > 10
        assert counts["review_meeting"] >= 2  # the reviews context round-trips too
        assert counts["survey_result"] > 50
        assert counts["improvement_plan"] == 1
        assert counts["improvement_action"] == 3
        restore_database(backup_file, dst)
        assert dump(dst) == dump(src)
        with unit_of_work(dst) as db:  # ids continue after the restored ones
            parties.create_party(
                db, actor=SYSTEM, data=parties.PartyData("NEW", "supplier", "New", {})
            )
        with pytest.raises(BackupError, match="not empty"):
            restore_database(backup_file, dst)


def test_a_broken_backup_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(BackupError, match="not a readable"):
        restore_database(bad, f"sqlite:///{tmp_path / 'x.sqlite3'}")
