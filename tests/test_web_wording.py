"""Words pages build from codes and figures — durations, percentages, scores, a target's
conditions, labels, ticket states — and the messages about a YAML text, as pages show them:
in the reader's language as far as the catalogs know the parts, and as they are otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from servicelevel.definitions.source import DefinitionError, parse_yaml
from servicelevel.i18n import conditions, translator
from servicelevel.i18n.ticket_words import read_words, ticket_word
from servicelevel.services.shared.errors import Invalid
from servicelevel.web import labels, wording
from servicelevel.web.pages import translate
from servicelevel.web.wording import (
    DEFINITION_MESSAGES,
    FIELD_PREFIX,
    UNITS,
    definition_message,
    duration,
    explained,
    label,
    language_name,
    percent,
    score,
    within,
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
        ("en", ["1 d 3 h", "3 h 27 min", "1 h", "1 d", "59 s", "0 s", "-1 h 30 min"]),
        (
            "zh_Hans",
            ["1 天 3 小时", "3 小时 27 分", "1 小时", "1 天", "59 秒", "0 秒", "-1 小时 30 分"],
        ),
        (
            "zh_Hant",
            ["1 天 3 小時", "3 小時 27 分", "1 小時", "1 天", "59 秒", "0 秒", "-1 小時 30 分"],
        ),
    ],
)
def test_a_duration_reads_at_a_glance_in_the_pages_language(locale: str, shown: list[str]) -> None:
    """Two units from the largest that is not zero (3h 27m 49s is "3 h 27 min"); the second
    is left out when it is zero (1d 0h 5m is "1 d")."""
    t = translator(locale)
    seconds = [97_569, 12_469, 3_600 + 5, 86_400 + 300, 59, 0, -5_400]
    assert [duration(s, t) for s in seconds] == shown


def test_overdue_by_reads_as_one_chinese_phrase() -> None:
    t = translator("zh_Hans")
    assert t.gettext("Overdue by {time}").format(time=duration(5_400, t)) == "已超时 1 小时 30 分"


@pytest.mark.parametrize(
    ("share", "en", "zh"),
    [(2 / 3, "66.7%", "66.7%"), (0.99996, "99.996%", "99.996%"), (0.9995, "99.95%", "99.95%"),
     (1.0, "100%", "100%"), (0.95, "95%", "95%")],
)  # fmt: skip
def test_a_percentage_has_one_decimal_and_never_rounds_up_to_a_hundred(
    share: float, en: str, zh: str
) -> None:
    assert percent(share, translator("en")) == en
    assert percent(share, translator("zh_Hans")) == zh


def test_a_satisfaction_score_reads_as_a_score() -> None:
    assert score(4.23, translator("en")) == "4.2 / 5"
    assert score(7, translator("zh_Hant"), 10) == "7 / 10"
    assert score(None, translator("en")) == "—"


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("en", "Priority is P1 or P2; Category is Network"),
        ("zh_Hans", "优先级为 P1 或 P2；类别为 Network"),
    ],
)
def test_a_targets_conditions_read_as_words(locale: str, shown: str) -> None:
    t = translator(locale)
    assert conditions.condition({"priority": ["P1", "P2"], "category": "Network"}, t) == shown
    assert conditions.condition({}, t) == t.gettext("All tickets")
    assert conditions.condition({"u_region": "EU"}, t).startswith("u_region")  # a source's field


def test_codes_become_labels_and_unknown_codes_stay() -> None:
    t = translator("zh_Hans")
    assert label(labels.ROLES, "service_level_manager", t) == "服务级别经理"
    assert label(labels.ROLES, "someone_else", t) == "someone_else"
    assert language_name("zh-Hant") == "繁體中文"
    assert within("4h", t) == "4 小时"
    assert within("3bd", t) == "3 个工作日"
    assert within("", t) == "—"


def test_ticket_states_and_events_read_in_words_with_a_deployments_own_words(
    tmp_path: Path,
) -> None:
    assert ticket_word("states", "Awaiting Customer", "zh_Hans") == "等待客户"
    assert ticket_word("events", "responded", "en") == "Responded"
    assert ticket_word("states", "Waiting on Vendor", "zh_Hant") == "Waiting on Vendor"
    own = tmp_path / "words.yaml"
    own.write_text(
        "states:\n  Waiting on Vendor: {zh-Hant: 等待廠商}\n  Closed: {zh-Hans: 已结案}\n",
        encoding="utf-8",
    )
    assert ticket_word("states", "Waiting on Vendor", "zh_Hant", str(own)) == "等待廠商"
    assert ticket_word("states", "Closed", "zh_Hans", str(own)) == "已结案"  # its words win
    assert ticket_word("states", "Closed", "zh_Hant", str(own)) == "已關閉"  # the rest stays


def test_a_malformed_words_file_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "words.yaml"
    bad.write_text("states:\n  Closed: 已关闭\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as refused:
        read_words(bad)
    assert "line 2" in str(refused.value) or ":2" in str(refused.value)


def test_a_clock_step_names_its_state_in_words() -> None:
    t = translator("zh_Hans")
    assert explained("pause state {state}", {"state": "Awaiting Supplier"}, t).endswith(
        "等待供应商"
    )
    assert explained("running", {}, translator("en")) == "Running"


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


def test_an_unreadable_deployment_words_file_falls_back_to_the_built_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "words.yaml"
    bad.write_text("states: [oops\n", encoding="utf-8")
    monkeypatch.setenv("SLM_TICKET_WORDS", str(bad))
    wording._deployment_words.cache_clear()
    try:
        assert wording._deployment_words() == ""  # set aside (and logged), no page fails
        assert wording.ticket("states", "Closed", translator("zh_Hans")) == "已关闭"
    finally:
        wording._deployment_words.cache_clear()
