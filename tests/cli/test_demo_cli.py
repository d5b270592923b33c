"""The README's run path — ``slm demo load``, the worker, the pages a newcomer opens — at
moments the real clock may well be at when someone tries it: the hour ``make run`` once
crashed at, the first minutes of a year in Beijing, a leap day. The clock moves on during the
test (``tick=True``), as it does for a person."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from servicelevel.app import create_app
from servicelevel.cli.main import app
from servicelevel.db.session import make_engine, session_factory
from servicelevel.demo.loader import DEMO_PASSWORD
from servicelevel.jobs import worker

runner = CliRunner()
MOMENTS = [
    dt.datetime(2026, 12, 3, 9, 18, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 16, 0, 30, tzinfo=dt.UTC),
    dt.datetime(2028, 2, 29, 23, 59, tzinfo=dt.UTC),
]


def _sign_in(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    form = {"username": username, "password": DEMO_PASSWORD, "csrf": csrf.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def _last_month(now: dt.datetime) -> str:
    first = now.astimezone(dt.timezone(dt.timedelta(hours=8))).date().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


@pytest.mark.parametrize("now", MOMENTS, ids=lambda t: t.strftime("%Y%m%d%H%M"))
def test_demo_load_then_the_pages_a_newcomer_opens_work_at_any_moment(
    tmp_path: Path, now: dt.datetime
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    with time_machine.travel(now, tick=True):
        loaded = runner.invoke(app, ["demo", "load", "--url", url])
        assert loaded.exit_code == 0, loaded.output
        assert "Demo logins" in loaded.output
        engine = make_engine(url)
        worker.run(session_factory(engine), once=True)
        with TestClient(create_app(url), raise_server_exceptions=False) as client:
            _sign_in(client, "manager")
            for path in ("/", "/portfolio", "/tickets", "/agreements", "/reviews", "/breaches"):
                assert client.get(path).status_code == 200, path
            listing = client.get("/agreements").text
            found = re.search(r'href="/agreements/(\d+)"[^>]*>\s*SLA-CONTOSO', listing)
            assert found
            page = f"/agreements/{found.group(1)}"
            assert client.get(page).status_code == 200
            report = client.get(f"{page}/report?period={_last_month(now)}")
            assert report.status_code == 200
            assert re.search(r"\d+(\.\d+)?\s*%", report.text)  # figures, not an empty month
            client.cookies.clear()
            _sign_in(client, "contoso")
            assert client.get("/").status_code == 200
            assert client.get(page).status_code == 200
        engine.dispose()
