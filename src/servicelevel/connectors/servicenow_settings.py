"""ServiceNow's settings and authentication: what a connection of kind ``servicenow`` may set
(:class:`ServiceNowSettings`, checked when the connection is saved), and the OAuth access
token a pull reads with.

Authentication is HTTP basic, or OAuth: ``settings.oauth`` names the grant
(``client_credentials``, or ``password`` with the connection's user and password), the
client's id and where its secret is found (an environment variable or a file, never stored);
the token comes from ``/oauth_token.do`` (a form post, as the instance requires) and is asked
again before it expires.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicelevel.connectors import secrets
from servicelevel.connectors.base import Auth, ConnectorError
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.servicenow_rows import count_of

NAME = r"^[a-z][a-z0-9_]{0,79}$"
TOKEN_MARGIN = 60.0  # seconds before its expiry a token is asked again
DEFAULT_FIELDS = [
    "incident_state",
    "state",
    "priority",
    "category",
    "assignment_group",
    "company",
    "business_service",
]
DEFAULT_REFERENCES = {
    "assignment_group": "sys_user_group",
    "assigned_to": "sys_user",
    "company": "core_company",
    "business_service": "cmdb_ci_service",
    "cmdb_ci": "cmdb_ci",
}


class OAuthSettings(BaseModel):
    """How an access token is asked for (``/oauth_token.do``)."""

    model_config = ConfigDict(extra="forbid")
    grant_type: Literal["client_credentials", "password"]
    client_id: str = Field(min_length=1, max_length=200)
    client_secret_env: str | None = Field(default=None, max_length=200)
    client_secret_file: str | None = Field(default=None, max_length=1000)
    token_path: str = Field(default="/oauth_token.do", pattern=r"^/[A-Za-z0-9_./-]*$")


class ServiceNowSettings(BaseModel):
    """The connection's settings for ServiceNow (``auth`` is the framework's)."""

    model_config = ConfigDict(extra="forbid")
    table: str = Field(default="incident", pattern=NAME)
    query: str = Field(default="", max_length=2000)  # encoded query ANDed in: "active=true"
    page_size: int = Field(default=100, ge=1, le=10_000)
    max_pages: int = Field(default=100, ge=1, le=10_000)
    query_margin_minutes: int = Field(default=0, ge=0, le=24 * 60)
    fields: list[str] = Field(default=DEFAULT_FIELDS, min_length=1, max_length=50)
    references: dict[str, str] = Field(default=DEFAULT_REFERENCES, max_length=50)
    choice_language: str = Field(default="en", pattern=r"^[a-z]{2}(_[a-z]{2})?$")
    oauth: OAuthSettings | None = None
    # the incident fields write-back sets (string fields made for it), never replayed
    write_back_fields: dict[str, str] = Field(
        default={"deadline": "u_sla_deadline", "breached": "u_sla_breached"}, max_length=20
    )


def read_settings(settings: dict[str, Any]) -> ServiceNowSettings:
    """The settings as a model; the first problem is a :class:`ConnectorError` naming it."""
    given = {k: v for k, v in settings.items() if k != "auth"}
    try:
        model = ServiceNowSettings.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("settings", *first["loc"]))
        raise ConnectorError(f"{where}: {first['msg']}") from None
    names = [*model.fields, *model.references, *model.references.values()]
    for name in [*names, *model.write_back_fields.values()]:
        if not re.match(NAME, name):
            raise ConnectorError(f"settings.fields: {name[:80]!r} is not a field or table name")
    both = sorted(set(model.fields) & set(model.write_back_fields.values()))
    if both:
        raise ConnectorError(
            f"settings.write_back_fields: {both[0]} is also in settings.fields: what the "
            "connector writes would be read back as a change"
        )
    return model


def ask_token(
    http: HttpClient, *, base_url: str, auth: Auth, oauth: OAuthSettings
) -> tuple[Auth, float]:
    """A bearer token from the instance's token endpoint and the moment (``http.clock()``) to
    ask again, a little before it expires; ``auth`` is the connection's own (the password
    grant sends its user and password)."""
    form = {
        "grant_type": oauth.grant_type,
        "client_id": oauth.client_id,
        "client_secret": _client_secret(oauth),
    }
    if oauth.grant_type == "password":
        if auth.kind != "basic" or not auth.username:
            raise ConnectorError(
                "settings.oauth: the password grant needs the connection's user and "
                "password (auth kind basic)"
            )
        form |= {"username": auth.username, "password": auth.secret}
    answer = http.post_form(base_url + oauth.token_path, form=form, auth=Auth(kind="none"))
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise ConnectorError(f"ServiceNow answered {oauth.token_path} without an access token")
    lifetime = count_of(str(answer.get("expires_in") or "")) or 1800
    bearer = Auth(kind="bearer", secret=token)
    return bearer, http.clock() + max(lifetime - TOKEN_MARGIN, 1.0)


def _client_secret(oauth: OAuthSettings) -> str:
    """The OAuth client's secret, from where the settings say it is (read at run time, where
    :mod:`servicelevel.connectors.secrets` allows)."""
    if not (oauth.client_secret_env or oauth.client_secret_file):
        raise ConnectorError("settings.oauth: name client_secret_env or client_secret_file")
    return secrets.read_secret(
        env=oauth.client_secret_env, path=oauth.client_secret_file, what="OAuth client secret"
    )
