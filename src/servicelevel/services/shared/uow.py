"""A unit of work for adapters without a request (CLI, jobs): one session, committed at the end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from servicelevel.db.session import make_engine, session_factory
from servicelevel.settings import get_settings


@contextmanager
def unit_of_work(url: str | None = None) -> Iterator[Session]:
    """Commit when the block ends normally, roll back when it raises."""
    engine = make_engine(url or get_settings().database_url)
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        engine.dispose()
