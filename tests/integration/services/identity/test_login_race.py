"""Sign-ins at once, each in its own connection as in a server (committed, not rolled back):
parallel guesses get no more password checks than the lock-out allows, and the password hash
runs outside any transaction (on SQLite a transaction holds the only write lock)."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, delete, select, text

from servicelevel.db.models import User
from servicelevel.db.session import session_factory
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import MAX_FAILURES
from servicelevel.services.shared.errors import Unauthenticated
from servicelevel.settings import get_settings
from tests.integration.factories import PASSWORD

HASH_TIME = 0.05  # a production Argon2 hash takes longer; this is enough to overlap


@pytest.fixture
def committed_user(engine: Engine) -> Iterator[tuple[str, str]]:
    """A user committed to the database (name, password hash), deleted afterwards."""
    settings = get_settings()
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost_kib
    )
    name = f"racer-{uuid.uuid4().hex[:8]}"
    password_hash = hasher.hash(PASSWORD)
    with session_factory(engine)() as db:
        db.add(User(username=name, display_name=name, password_hash=password_hash))
        db.commit()
    yield name, password_hash
    with session_factory(engine)() as db:
        db.execute(delete(User).where(User.username == name))
        db.commit()


def _watch_checks(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, during: Any = None
) -> list[bool]:
    """Record each check of the user's real hash (the work a guess costs), slowed down to a
    production hash's pace; ``during`` runs while the hash is being checked."""
    checks: list[bool] = []
    real = PasswordHasher.verify

    def verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        if hash == password_hash:
            if during is not None:
                during()
            time.sleep(HASH_TIME)
            checks.append(True)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return checks


def _sign_in(engine: Engine, name: str, password: str) -> str:
    with session_factory(engine)() as db:
        try:
            identity.authenticate(db, username=name, password=password)
            db.commit()
            return "accepted"
        except Unauthenticated:
            return "refused"
        except Exception as exc:  # a "database is locked" would land here
            return f"error: {type(exc).__name__}: {exc}"


def _all_at_once(engine: Engine, name: str, passwords: list[str]) -> list[str]:
    start = threading.Barrier(len(passwords))
    results: list[str] = [""] * len(passwords)

    def run(i: int) -> None:
        start.wait()
        results[i] = _sign_in(engine, name, passwords[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(passwords))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_thirty_parallel_guesses_get_no_more_password_checks_than_the_lock_out_allows(
    engine: Engine, committed_user: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name, password_hash = committed_user
    checks = _watch_checks(monkeypatch, password_hash)
    results = _all_at_once(engine, name, ["wrong guess"] * 30)
    assert results == ["refused"] * 30  # and no "database is locked"
    assert len(checks) == MAX_FAILURES  # the others were refused unchecked
    assert _sign_in(engine, name, PASSWORD) == "refused"  # locked: the right one too
    assert len(checks) == MAX_FAILURES
    with session_factory(engine)() as db:
        assert db.scalars(select(User).where(User.username == name)).one().locked_until


def test_a_right_password_among_parallel_guesses_counts_within_the_same_allowance(
    engine: Engine, committed_user: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A right password clears the count (and a lock the guesses beside it set): the guesses
    get at most the allowance before it and the allowance after it, never one each."""
    name, password_hash = committed_user
    checks = _watch_checks(monkeypatch, password_hash)
    results = _all_at_once(engine, name, ["wrong guess"] * 29 + [PASSWORD])
    assert [r for r in results if r.startswith("error")] == []
    assert len(checks) <= (2 if results[-1] == "accepted" else 1) * MAX_FAILURES


def test_a_password_is_checked_while_other_writers_can_write(
    engine: Engine, committed_user: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No transaction of the sign-in is open during the hash: on SQLite another writer takes
    the write lock at once; on PostgreSQL the user's row is not held."""
    name, password_hash = committed_user
    wrote: list[bool] = []

    def another_writer() -> None:
        if engine.dialect.name == "sqlite":
            other = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                wrote.append(True)
            except sqlite3.OperationalError:
                wrote.append(False)
            finally:
                other.close()
            return
        with engine.connect() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '200ms'"))
            try:
                conn.execute(
                    text("UPDATE user_account SET display_name = display_name WHERE username = :n"),
                    {"n": name},
                )
                wrote.append(True)
            except Exception:
                wrote.append(False)
            conn.rollback()

    _watch_checks(monkeypatch, password_hash, during=another_writer)
    assert _sign_in(engine, name, "a wrong password") == "refused"
    assert _sign_in(engine, name, PASSWORD) == "accepted"
    assert wrote == [True, True]
