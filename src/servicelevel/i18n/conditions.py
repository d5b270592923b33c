"""A target's conditions in words, for pages and documents alike: ``{"priority": ["P1", "P2"]}``
reads "Priority is P1 or P2" (优先级为 P1 或 P2), never ``priority = P1 | P2``.

The values are the ticket source's own (P1, Network) and stay as they are; the fields the
product knows have a word, any other field (an attribute of the source system) keeps its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servicelevel.i18n import Translator

FIELDS = {
    "priority": "Priority",
    "category": "Category",
    "service": "Service",
    "customer": "Customer",
    "state": "State",
    "team": "Team",
    "type": "Type",
}


def condition(selector: Mapping[str, Any], t: Translator) -> str:
    """``selector`` in words; no condition at all reads "All tickets"."""
    if not selector:
        return t.gettext("All tickets")
    parts = []
    for field, given in selector.items():
        values = [str(v) for v in (given if isinstance(given, list | tuple) else [given])]
        joined = values[0] if values else "—"
        for value in values[1:]:
            joined = t.gettext("{first} or {second}").format(first=joined, second=value)
        name = t.gettext(FIELDS[field]) if field in FIELDS else field
        parts.append(t.gettext("{field} is {values}").format(field=name, values=joined))
    text = parts[0]
    for part in parts[1:]:
        text = t.gettext("{first}; {second}").format(first=text, second=part)
    return text
