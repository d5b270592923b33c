"""The one YAML reader is bounded: hostile input gets an error naming line and column, fast,
never a memory blow-up, a RecursionError or a silently dropped key."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicelevel.definitions.agreements import load_agreement
from servicelevel.definitions.calendars import load_calendar
from servicelevel.definitions.source import (
    MAX_DEPTH,
    MAX_NODES,
    DefinitionError,
    parse_yaml,
    read_yaml,
)
from servicelevel.settings import get_settings


def alias_bomb(levels: int) -> str:
    """The billion-laughs document: each level lists the previous one nine times."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SLM_YAML_MAX_BYTES", "100")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SLM_YAML_MAX_BYTES")
    get_settings.cache_clear()


def test_an_alias_bomb_is_refused_at_its_first_anchor_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(DefinitionError) as caught:
        parse_yaml(alias_bomb(9), "bomb.yaml")
    assert time.perf_counter() - started < 1
    assert caught.value.line == 1
    assert caught.value.column == 5
    assert "anchors and aliases" in caught.value.message
    assert str(caught.value).startswith("bomb.yaml:1:5: invalid YAML")


def test_an_alias_without_an_anchor_is_refused_too() -> None:
    with pytest.raises(DefinitionError, match="anchors and aliases") as caught:
        parse_yaml("a: 1\nb: *x\n", "doc")
    assert caught.value.line == 2


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "{a: " * 50_000 + "1" + "}" * 50_000,
        "".join(f"{'  ' * i}k:\n" for i in range(200)) + "  " * 200 + "v\n",
        "".join(f"{'  ' * i}- \n" for i in range(200)),
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings", "block-lists"],
)
def test_deep_nesting_is_refused_with_its_line_never_a_recursion_error(text: str) -> None:
    with pytest.raises(DefinitionError, match=f"nested more than {MAX_DEPTH} levels") as caught:
        parse_yaml(text, "deep.yaml")
    assert caught.value.line is not None
    assert caught.value.column is not None


def test_nesting_up_to_the_limit_is_read() -> None:
    text = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    data = parse_yaml(text, "doc").data
    for _ in range(MAX_DEPTH):
        data = data[0]
    assert data == 1


def test_a_key_given_twice_is_refused_naming_both_lines() -> None:
    text = "id: A\ntitle: first\nnote: x\ntitle: second\n"
    with pytest.raises(DefinitionError) as caught:
        parse_yaml(text, "doc.yaml")
    assert caught.value.line == 4
    assert caught.value.column == 1
    assert "the key 'title' is given twice (first on line 2)" in caught.value.message


def test_a_key_given_twice_in_a_nested_mapping_is_refused() -> None:
    with pytest.raises(DefinitionError, match="'mon' is given twice"):
        parse_yaml("hours:\n  mon: 09:00-17:00\n  mon: 10:00-12:00\n", "doc")


def test_the_same_key_in_two_mappings_is_fine() -> None:
    assert parse_yaml("a: {x: 1}\nb: {x: 2}\n", "doc").data == {"a": {"x": 1}, "b": {"x": 2}}


def test_a_text_over_the_size_limit_is_refused_before_parsing(small_limit: None) -> None:
    with pytest.raises(DefinitionError, match="at most 100 are read") as caught:
        parse_yaml("a: " + "x" * 200, "big.yaml")
    assert "SLM_YAML_MAX_BYTES" in str(caught.value)
    assert parse_yaml("a: " + "x" * 50, "small.yaml").data == {"a": "x" * 50}


def test_a_file_over_the_size_limit_is_refused_without_reading_it(
    tmp_path: Path, small_limit: None
) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"\xff" * 500)  # not UTF-8: reading it would say so instead
    with pytest.raises(DefinitionError, match="the YAML is over 100 bytes") as caught:
        read_yaml(path)
    assert caught.value.source == str(path)


def test_a_pipe_over_the_size_limit_is_refused_after_reading_one_byte_more(
    tmp_path: Path, small_limit: None
) -> None:
    """A pipe (or /dev/stdin, or a file still growing) has no size to trust: the reader stops
    one byte past the limit, however much is sent."""
    fifo = tmp_path / "doc.yaml"
    os.mkfifo(fifo)
    written: list[int] = []

    def write() -> None:
        try:
            with fifo.open("wb") as pipe:
                for _ in range(1000):
                    written.append(pipe.write(b"a: " + b"x" * 997 + b"\n"))
                    pipe.flush()
        except BrokenPipeError:
            pass  # the reader stopped reading: what this test expects

    writer = threading.Thread(target=write)
    writer.start()
    with pytest.raises(DefinitionError, match="the YAML is over 100 bytes"):
        read_yaml(fifo)
    writer.join(5)
    assert sum(written) < 1_000_000  # the writer was cut off, not read to the end


def test_the_default_size_limit_is_256_kibibytes() -> None:
    """An agreement is a few KB (the demo, 2.8 KB, is the largest the project ships)."""
    assert get_settings().yaml_max_bytes == 256 << 10
    parse_yaml("a: " + "x" * 250_000, "doc")
    with pytest.raises(DefinitionError, match="at most 262,144"):
        parse_yaml("a: " + "x" * (256 << 10), "doc")


def test_a_long_flow_list_stops_at_the_value_limit_fast() -> None:
    """A 1 MiB flow list of 1,1,1… took a minute and 435 MB to read; the reader now stops at
    :data:`MAX_NODES` values, naming the limit and where it was passed."""
    text = "a: [" + ",".join(["1"] * 100_000) + "]\n"
    started = time.perf_counter()
    with pytest.raises(DefinitionError) as caught:
        parse_yaml(text, "long.yaml")
    assert time.perf_counter() - started < 5
    assert f"the document holds more than {MAX_NODES:,} values" in caught.value.message
    # the mapping, its key and the list come first: the item past the limit is number 19,998
    assert (caught.value.line, caught.value.column) == (1, 5 + 2 * (MAX_NODES - 3))


def test_a_document_within_the_value_limit_is_read() -> None:
    text = "a: [" + ",".join(["1"] * (MAX_NODES - 3)) + "]\n"  # the mapping, key and list count
    assert len(parse_yaml(text, "doc").data["a"]) == MAX_NODES - 3


@pytest.mark.parametrize(
    "text",
    [
        "x: !!bool maybe\n",
        "x: !!timestamp 2020-13-45\n",
        "x: !!str 007\n",
        "x: !!python/object/apply:os.system ['echo hi']\n",
        "x: !!map {a: 1}\n",
        "x: !local [1]\n",
        "x: ! 1\n",
    ],
)
def test_an_explicit_tag_is_refused_at_its_line_and_column(text: str) -> None:
    with pytest.raises(DefinitionError, match=r"tags \(!!name, !name\) are not accepted") as caught:
        parse_yaml(text, "doc")
    assert (caught.value.line, caught.value.column) == (1, 4)


def test_a_number_too_long_for_python_is_an_error_at_its_place() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml("a: 1\nb: " + "9" * 5000 + "\n", "doc")
    assert (caught.value.line, caught.value.column) == (2, 4)
    assert "the number has more than 4,300 digits" in caught.value.message


@pytest.mark.parametrize(
    ("text", "column"),
    [('name: "\\ud800"\n', 7), ('"\\udc00x": 1\n', 1), ('- "ok"\n- "a\\udbffb"\n', 3)],
)
def test_a_lone_surrogate_is_refused(text: str, column: int) -> None:
    """No database stores one: it ended in a 500 on the calendar form."""
    with pytest.raises(DefinitionError, match="lone surrogate") as caught:
        parse_yaml(text, "doc")
    assert caught.value.column == column


AGREEMENT = """\
id: SLA-1
kind: SLA
title: {title}
customer: Contoso
calendars:
  always: 24x7
"""


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("{a: 1}", "'a' is not a language: write a text, or texts by language (en, zh-Hans"),
        ("{a: b}", "'a' is not a language"),
        ("{en: ok, zh-Hans: 3}", "the zh-Hans text must be a text, not a number"),
        ("{en: {a: 1}}", "the en text must be a text, not a mapping"),
        ("[a, b]", "write a text, or texts by language (en, zh-Hans, zh-Hant), not a list"),
        ("{}", "not an empty mapping"),
        ("5", "not a number"),
    ],
)
def test_a_title_that_is_not_text_is_refused_with_its_line(
    tmp_path: Path, title: str, message: str
) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(AGREEMENT.format(title=title), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_agreement(path)
    assert (caught.value.line, caught.value.field) == (3, "title")
    assert message in caught.value.message


def test_titles_by_language_are_read(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(AGREEMENT.format(title="{zh-Hans: 服务, en: Service}"), encoding="utf-8")
    assert load_agreement(path).title == "Service"


def test_a_calendar_description_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("timezone: UTC\ndescription: {fr: bonjour}\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="'fr' is not a language") as caught:
        load_calendar(path)
    assert caught.value.line == 2
