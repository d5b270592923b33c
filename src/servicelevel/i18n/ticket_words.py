"""Words for what ticket sources send: their states ("In Progress"), the events a mapping names
("responded") and their categories ("Network"), in the reader's language.

These names are data of the source system, not of servicelevel, so they are not msgids of the
catalogs: the built-in ``ticket_words.yaml`` knows those of the demo, the generic CSV,
ServiceNow and Jira, and a deployment adds its own source's words in a file named by
``SLM_TICKET_WORDS`` (same shape, its entries win). A name known nowhere is shown as the source
wrote it — the agreement's clocks name states the same way, so nothing is lost in translation.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any, Literal

from servicelevel.definitions.source import DefinitionError, read_yaml
from servicelevel.settings import get_settings

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
BUILT_IN = HERE / "ticket_words.yaml"
KINDS = ("states", "events", "categories")
Kind = Literal["states", "events", "categories"]
Words = dict[str, dict[str, dict[str, str]]]  # kind → source name → language tag → word


def read_words(path: str | Path) -> Words:
    """A words file as ``kind → name → {tag: word}``; a malformed file raises a
    :class:`~servicelevel.definitions.source.DefinitionError` naming its line."""
    located = read_yaml(path)
    data: Any = located.data or {}
    if not isinstance(data, dict):
        raise located.error((), "a ticket words file maps states, events, categories to names")
    out: Words = {}
    for kind, names in data.items():
        if kind not in KINDS or not isinstance(names, dict):
            raise located.error((kind,), f"{kind}: expected one of {', '.join(KINDS)}, each a map")
        out[kind] = {str(name): _per_language(located, kind, name, v) for name, v in names.items()}
    return out


def _per_language(located: Any, kind: str, name: object, value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(w, str) for w in value.values()):
        raise located.error((kind, name), "give the words per language: {zh-Hans: …, zh-Hant: …}")
    return {str(tag): str(word) for tag, word in value.items()}


@cache
def words(extra: str = "") -> Words:
    """The built-in words with those of the file ``extra`` (when given) over them."""
    merged = read_words(BUILT_IN)
    if extra:
        for kind, names in read_words(extra).items():
            for name, per_language in names.items():
                merged.setdefault(kind, {}).setdefault(name, {}).update(per_language)
    return merged


def ticket_word(kind: Kind, name: str, locale: str, extra: str = "") -> str:
    """``name`` (a state, event or category) in ``locale`` (``zh_Hans`` or a tag); as given
    when no word is known for it."""
    tag = locale.replace("_", "-")
    return words(extra).get(kind, {}).get(name, {}).get(tag) or name


@cache
def deployment_words() -> str:
    """The deployment's words file (``SLM_TICKET_WORDS``), checked once: a file that cannot be
    read is logged and the built-in words are used, so no page or answer fails for it."""
    path = get_settings().ticket_words
    if not path:
        return ""
    try:
        words(path)
    except (DefinitionError, OSError) as exc:
        log.warning("SLM_TICKET_WORDS: %s cannot be read (%s); built-in words used", path, exc)
        return ""
    return path


def word_for(kind: Kind, name: str | None, locale: str) -> str:
    """A ticket's state, event or category in ``locale`` with the deployment's words over the
    built-in ones; an event with no name is a dash."""
    if not name:
        return "—"
    return ticket_word(kind, name, locale, deployment_words())
