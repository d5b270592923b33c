"""A clause's label in the reader's words: an availability objective or a credit clause named
after a service written in Chinese reads without a space inside the Chinese."""

from __future__ import annotations

import pytest

from servicelevel.i18n import translator
from servicelevel.services.agreements import clauses
from servicelevel.services.agreements.clauses import Names

DOCUMENT = {
    "availability": [{"id": "mail-up", "service": "mail", "objective": 0.999}],
    "credits": [{"id": "mail-credit", "target": "mail-up"}],
}


@pytest.mark.parametrize(
    ("locale", "name", "expected"),
    [
        ("zh_Hans", "电子邮件", "电子邮件的可用性"),
        ("zh_Hant", "電子郵件", "電子郵件的可用性"),
        ("zh_Hans", "Exchange", "Exchange 的可用性"),
        ("en", "email", "Availability of email"),
    ],
)
def test_an_availability_objective_is_named_after_its_service_spaced_as_the_language_spaces(
    locale: str, name: str, expected: str
) -> None:
    t = translator(locale)
    names = Names(services={"mail": name})
    assert clauses.label_of(DOCUMENT, "availability.mail-up", t, names) == expected
    credit = clauses.label_of(DOCUMENT, "credits.mail-credit", t, names)
    assert credit == t.gettext("Service credit for {target}").replace("{target}", expected)
