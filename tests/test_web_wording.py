"""Durations and the messages about a YAML text, as a Chinese page shows them: in the reader's
language as far as the catalogs know the parts, and as they are otherwise."""

from __future__ import annotations

import re

import pytest

from servicelevel.definitions.source import DefinitionError, parse_yaml
from servicelevel.i18n import translator
from servicelevel.services.errors import Invalid
from servicelevel.web.pages import translate
from servicelevel.web.wording import (
    DEFINITION_MESSAGES,
    FIELD_PREFIX,
    UNITS,
    definition_message,
    duration,
)

ALIASES = "kind: SLA\ncode: &c SLA-X\ntitle: *c\n"


def read_error(text: str) -> str:
    """The message a YAML form shows for ``text`` (as the services build it)."""
    with pytest.raises(DefinitionError) as caught:
        parse_yaml(text, "document")
    exc = caught.value
    return f"line {exc.line}: column {exc.column}: {exc.message}"


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", text))


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("en", "1d 3h 6m 9s"),
        ("zh_Hans", "1 天 3 小时 6 分钟 9 秒"),
        ("zh_Hant", "1 天 3 小時 6 分鐘 9 秒"),
    ],
)
def test_a_duration_is_written_in_the_pages_language(locale: str, shown: str) -> None:
    t = translator(locale)
    assert duration(97_569, t) == shown
    assert duration(-3_600, t).startswith("-")
    assert duration(0, t) == ("0s" if locale == "en" else "0 秒")


def test_overdue_by_reads_as_one_chinese_phrase() -> None:
    t = translator("zh_Hans")
    assert t.gettext("Overdue by {time}").format(time=duration(5_400, t)) == "已超时 1 小时 30 分钟"


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_part_of_a_definition_message_is_in_both_catalogs(locale: str) -> None:
    t = translator(locale)
    for msgid in (*DEFINITION_MESSAGES, FIELD_PREFIX, *(unit for unit, _ in UNITS)):
        assert msgid in t.messages, msgid
        placeholders = set(re.findall(r"\{(\w+)\}", msgid))
        assert set(re.findall(r"\{(\w+)\}", t.messages[msgid])) == placeholders, msgid


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        (
            "zh_Hans",
            "第 2 行：第 7 列：YAML 格式错误：不接受锚点和别名（&name、*name）：请直接写出值",
        ),
        (
            "zh_Hant",
            "第 2 行：第 7 欄：YAML 格式錯誤：不接受錨點和別名（&name、*name）：請直接寫出值",
        ),
    ],
)
def test_a_refused_alias_is_explained_in_chinese_with_its_line_and_column(
    locale: str, shown: str
) -> None:
    assert definition_message(read_error(ALIASES), translator(locale)) == shown


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  b: 1\na: 2\n",  # a key given twice
        "a: " + "[" * 40 + "]" * 40 + "\n",  # nested too deep
        ALIASES,
        "x: !!bool maybe\n",  # a tag
        "x: " + "9" * 5_000 + "\n",  # a number past Python's digits
        'name: "\\ud800"\n',  # a lone surrogate
        "a: [" + "1, " * 20_001 + "1]\n",  # too many values
    ],
)
def test_the_yaml_readers_own_refusals_leave_no_english_on_a_chinese_page(text: str) -> None:
    shown = definition_message(read_error(text), translator("zh_Hans"))
    assert english_words(shown) <= {"YAML", "name", "udfff"}, shown  # \udfff: a code point


def test_a_calendar_without_working_time_is_explained_in_chinese_keeping_its_key_path() -> None:
    message = (
        "line 3: hours: the calendar has no working time: give working hours for at least one "
        "day of the week (e.g. mon-fri: 09:00-18:00) or an extra working day"
    )
    shown = definition_message(message, translator("zh_Hant"))
    assert shown.startswith("第 3 行：hours：此日曆沒有任何工作時間")
    assert english_words(shown) <= {"hours", "mon", "fri"}


def test_a_parsers_own_words_and_an_unknown_message_stay_as_they_are() -> None:
    t = translator("zh_Hans")
    shown = definition_message("line 3: column 4: invalid YAML: mapping values are not here", t)
    assert shown == "第 3 行：第 4 列：YAML 格式错误：mapping values are not here"
    # a key path before a message the catalog does not know is not taken apart
    assert definition_message("hours.x: cannot read days 'x'", t) == "hours.x: cannot read days 'x'"
    assert definition_message("anything at all", translator("en")) == "anything at all"


def test_an_error_quoting_braces_the_user_typed_is_shown_as_it_is() -> None:
    typed = Invalid("line 3: hours.x{y}: cannot read days 'x{y}'", "definition")
    for locale in ("en", "zh_Hans"):
        assert translate(typed, translator(locale)).endswith("cannot read days 'x{y}'")


def test_a_reason_given_to_a_translated_template_is_translated_too() -> None:
    error = Invalid(
        "line {line}: {reason}",
        "document",
        line=2,
        reason="column 7: invalid YAML: anchors and aliases (&name, *name) are not accepted: "
        "write the value out",
    )
    assert translate(error, translator("zh_Hans")).startswith(
        "第 2 行：第 7 列：YAML 格式错误：不接受"
    )
    assert translate(error, translator("en")) == error.message
