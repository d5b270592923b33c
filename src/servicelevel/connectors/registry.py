"""Which class reads which kind of source; one line per kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from servicelevel.connectors.base import Auth, ConnectorError, Source
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.jira import JiraSource
from servicelevel.connectors.rest import RestSource
from servicelevel.connectors.rt import RtSource
from servicelevel.connectors.servicenow import ServiceNowSource

SOURCES: dict[str, Callable[..., Source]] = {
    "jira": JiraSource,
    "rest": RestSource,
    "rt": RtSource,
    "servicenow": ServiceNowSource,
}


def build_source(
    kind: str, *, base_url: str, auth: Auth, settings: dict[str, Any], http: HttpClient
) -> Source:
    """The source of ``kind`` at ``base_url``; an unknown kind is a :class:`ConnectorError`."""
    make = SOURCES.get(kind)
    if make is None:
        known = ", ".join(sorted(SOURCES)) or "none"
        raise ConnectorError(f"unknown connector kind {kind!r} (known: {known})")
    return make(base_url=base_url, auth=auth, settings=settings, http=http)
