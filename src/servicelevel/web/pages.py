"""Rendering pages: templates, the language of the request, dates and numbers in its locale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from servicelevel.i18n import LOCALES, NAMES, Translator, moments, negotiate, translator
from servicelevel.services.identity.permissions import Actor, allowed
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import labels
from servicelevel.web.wording import NESTED, definition_message, field_label, words

HERE = Path(__file__).parent
LANG_COOKIE = "slm_lang"
ZONE_COOKIE = "slm_tz"  # the browser's own zone, written by static/timezone.js
env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals["labels"] = labels  # the words for codes, on every page (see web/labels.py)


def language(request: Request) -> str:
    """The cookie's choice, else the signed-in user's setting, else the browser's."""
    chosen = request.cookies.get(LANG_COOKIE) or getattr(request.state, "locale", None)
    if chosen in LOCALES:
        return chosen
    return negotiate(request.headers.get("accept-language", ""))


def time_zone(request: Request) -> str:
    """The zone the page's instants are shown in: the signed-in user's choice, else the
    browser's, else UTC (see :func:`servicelevel.i18n.moments.reader_zone`)."""
    chosen = getattr(request.state, "timezone", None)
    return moments.reader_zone(chosen, request.cookies.get(ZONE_COOKIE))


def render(
    request: Request,
    template: str,
    *,
    actor: Actor | None = None,
    csrf: str = "",
    status: int = 200,
    lang: str | None = None,
    **context: Any,
) -> HTMLResponse:
    t = translator(lang or language(request))
    zone = time_zone(request)
    html = env.get_template(template).render(
        request=request,
        actor=actor,
        csrf=csrf,
        _=t.gettext,
        tr=lambda value: translate(value, t),
        lang=t.locale,
        html_lang=t.locale.replace("_", "-"),
        languages=NAMES,
        can=lambda action: actor is not None and allowed(actor, action),
        when=lambda value: moments.moment(value, t.locale, zone),
        when_named=lambda value: moments.named(value, t.locale, zone),
        when_bound=lambda value, agreed: moments.bound(value, t.locale, zone, agreed),
        on_day=lambda value: moments.day(value, t.locale, zone),
        reader_zone=zone,
        reader_zone_label=moments.zone_label(zone, t.locale),
        zone_label=lambda other: moments.zone_label(other, t.locale),
        number=lambda value: format_decimal(value, locale=t.babel_locale),
        local=lambda default, names: local_text(default, names, t.locale),
        **words(t),  # codes, durations, percentages and scores in the page's language
        **context,
    )
    return HTMLResponse(html, status_code=status)


def local_text(default: str, names: dict[str, str], locale: str) -> str:
    """A record's text in the page's language when it has one (``names`` is keyed by BCP 47
    tags: en, zh-Hans, zh-Hant), else its main text."""
    return names.get(locale.replace("_", "-")) or default


def translate(value: object, t: Translator) -> str:
    """A message in the page's language: a service error's template is translated, then
    filled in with its values (a reason about a definition's text translated as far as the
    catalog knows its parts); plain text is looked up as it is. A template without values is
    not filled in: its braces may be text the user typed."""
    if isinstance(value, ServiceError):
        if not value.params:
            return definition_message(value.template, t)
        params = {
            name: definition_message(given, t)
            if name in NESTED and isinstance(given, str)
            else given
            for name, given in value.params.items()
        }
        if value.field and params.get("name") == value.field:  # "{name} is required": a label
            params["name"] = field_label(value.field, t)
        return t.gettext(value.template).format(**params)
    return t.gettext(str(value))
