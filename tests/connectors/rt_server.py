"""A real Request Tracker 5 on loopback, for the RT connector's tests.

Debian's ``request-tracker5`` and ``rt5-db-sqlite`` packages (RT 5.0.3, REST2 built in) are run
as a throw-away site: a site config in a temporary directory (``RT_SITE_CONFIG``; an empty
``RT_SITE_CONFIG_DIR`` so the system's ``/etc/request-tracker5`` is not read) with an SQLite
database beside it, initialised by ``rt-setup-database-5 --action init``, then the data the tests
need (a queue ``Support`` and the ticket custom fields ``Customer``, ``SLA deadline`` and
``SLA breached``) inserted from an initialdata file, and RT's own Plack server ``rt-server``
started on 127.0.0.1. The tests authenticate as ``root`` with RT's default password
``password`` (HTTP basic): the database is created for the test run and removed after, so this
is no secret.

``CI=true`` and the packages absent: the tests fail (``.ci/run`` installs them); elsewhere they
are skipped with a reason.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
RT_SETUP = Path("/usr/sbin/rt-setup-database-5")
USER = "root"
PASSWORD = "password"  # RT's default root password, in a database made for the test run
PORT = 8106
READY_SECONDS = 90.0

SITE_CONFIG = """\
Set($rtname, 'servicelevel-test');
Set($Organization, 'servicelevel.test');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($CanonicalizeRedirectURLs, 0);
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{root}/rt.db');
Set($MasonDataDir, '{root}/mason');
Set($MasonSessionDir, '{root}/sessions');
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'warning');
Set($Timezone, 'UTC');
Set($RestrictReferrer, 0);
1;
"""

INITIAL_DATA = """\
@CustomFields = (
    { Name => 'Customer', Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket',
      Queue => 0, Description => 'the customer whose SLA measures the ticket' },
    { Name => 'SLA deadline', Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket',
      Queue => 0, Description => 'written by servicelevel' },
    { Name => 'SLA breached', Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket',
      Queue => 0, Description => 'written by servicelevel' },
);
@Queues = ( { Name => 'Support', Description => 'customer support' } );
1;
"""


def installed() -> bool:
    """Whether Debian's RT 5 packages are here."""
    return RT_SERVER.exists() and RT_SETUP.exists()


@dataclass(frozen=True)
class RtServer:
    """A running RT: its base URL and a small REST2 client the tests use to make tickets."""

    url: str

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One REST2 request as root; the answer's JSON."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/REST/2.0/{path}", data=data, method=method)
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")

    def clock(self) -> dt.datetime:
        """RT's own time (its answer's ``Date``, whole seconds): the clock that stamps its
        transactions, which need not be this process's (a suite run under faketime)."""
        request = urllib.request.Request(f"{self.url}/REST/2.0/", method="GET")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                stamp = answer.headers["Date"]
        except urllib.error.HTTPError as refused:  # unauthenticated: 401, dated all the same
            stamp = refused.headers["Date"]
        return email.utils.parsedate_to_datetime(stamp)

    def create_ticket(self, subject: str, **fields: Any) -> str:
        """A new ticket in the queue Support (unless another is given); its id."""
        answer = self.call("POST", "ticket", {"Queue": "Support", "Subject": subject, **fields})
        return str(answer["id"])

    def update_ticket(self, ticket: str, **fields: Any) -> list[str]:
        """Change a ticket's fields (Status, Owner, Queue, CustomFields…) as a person would."""
        answer = self.call("PUT", f"ticket/{ticket}", fields)
        return [str(a) for a in answer]

    def ticket(self, ticket: str) -> dict[str, Any]:
        found = self.call("GET", f"ticket/{ticket}")
        assert isinstance(found, dict)
        return found

    def custom_field(self, ticket: str, name: str) -> list[str]:
        """The values of a ticket's custom field, as RT's API answers them."""
        for field in self.ticket(ticket).get("CustomFields", []):
            if field.get("name") == name:
                return [str(v) for v in field.get("values", [])]
        raise KeyError(name)

    def history(self, ticket: str) -> list[dict[str, Any]]:
        answer = self.call(
            "GET", f"ticket/{ticket}/history?per_page=100&fields=Type,Field,NewValue,Created"
        )
        return list(answer["items"])


def _write_site(root: Path, port: int) -> dict[str, str]:
    for sub in ("conf.d", "mason", "sessions"):
        (root / sub).mkdir()
    (root / "RT_SiteConfig.pm").write_text(SITE_CONFIG.format(port=port, root=root))
    (root / "initialdata").write_text(INITIAL_DATA)
    return {
        **os.environ,
        "RT_SITE_CONFIG": str(root / "RT_SiteConfig.pm"),
        "RT_SITE_CONFIG_DIR": str(root / "conf.d"),
    }


def _setup(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(RT_SETUP), *args, "--skip-create"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"rt-setup-database {args}: {done.stdout[-2000:]}{done.stderr[-2000:]}")


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rt-server ended: {log.read_text(errors='replace')[-2000:]}")
        try:
            RtServer(url).call("GET", "queues/all")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"rt-server not ready after {READY_SECONDS} s")


@contextmanager
def running_rt(port: int = PORT) -> Iterator[RtServer]:
    """A fresh RT on 127.0.0.1:``port`` for the duration of the block, then stopped and removed."""
    root = Path(tempfile.mkdtemp(prefix="slm-rt-"))
    try:
        env = _write_site(root, port)
        _setup(env, "--action", "init")
        _setup(env, "--action", "insert", "--datafile", str(root / "initialdata"))
        log = root / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(RT_SERVER), "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, process, log)
            yield RtServer(url)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def rt_or_skip(port: int = PORT) -> Iterator[RtServer]:
    """A running RT, or the test skipped when the packages are absent (failed under CI, where
    ``make test`` installs them: its ticket-systems target)."""
    import pytest

    if not installed():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "CI: request-tracker5 and rt5-db-sqlite are not installed (make ticket-systems)"
            )
        pytest.skip(
            "Request Tracker 5 is not installed (apt-get install request-tracker5 rt5-db-sqlite)"
        )
    with running_rt(port) as server:
        yield server
