"""Agreement files: the demo loads; every mistake is named with its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicelevel.definitions.agreements import fraction, load_agreement
from servicelevel.definitions.source import DefinitionError

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "agreements" / "demo-sla.yaml"

BASE = """\
id: SLA-1
kind: SLA
customer: Contoso
calendars:
  always: 24x7
clocks:
  resolution:
    stop: {states: [Resolved]}
targets:
  - id: P1
    clock: resolution
    when: {priority: P1}
    within: 4h
    calendar: always
    objective: 95%
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_agreement_loads() -> None:
    a = load_agreement(DEMO)
    assert (a.id, a.kind, a.counterparty, a.timezone) == (
        "SLA-2025-001",
        "SLA",
        "CONTOSO",
        "Asia/Shanghai",
    )
    assert [t.id for t in a.targets][:2] == ["P1-response", "P2-response"]
    assert a.targets[5].budget.business_days == 3
    assert a.fee is not None
    assert a.fee.amount == 200_000
    assert a.credit_cap == pytest.approx(0.3)
    assert a.calendars["business"].spec.timezone == "Asia/Shanghai"


def test_a_minimal_agreement(tmp_path: Path) -> None:
    a = load_agreement(write(tmp_path, BASE))
    assert a.targets[0].objective == pytest.approx(0.95)
    assert a.targets[0].selector.conditions == {"priority": frozenset({"P1"})}


@pytest.mark.parametrize(
    ("value", "expected"), [("95%", 0.95), ("99.9 %", 0.999), (0.5, 0.5), ("0.25", 0.25), (1, 1.0)]
)
def test_fractions(value: object, expected: float) -> None:
    assert fraction(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [95, "95", "abc%", True, None])
def test_ambiguous_or_wrong_fractions_are_refused(value: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        fraction(value)


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "words"),
    [
        (
            "    clock: resolution\n",
            "    clock: response\n",
            11,
            "targets.0.clock",
            "unknown clock",
        ),
        ("    within: 4h\n", "    within: four hours\n", 13, "targets.0.within", "cannot read"),
        ("    objective: 95%\n", "    objective: 95\n", 15, "targets.0.objective", "ambiguous"),
        (
            "    calendar: always\n",
            "    calendar: office\n",
            14,
            "targets.0.calendar",
            "unknown calendar",
        ),
        ("kind: SLA\n", "kind: XLA\n", 2, "kind", "SLA"),
        ("  always: 24x7\n", "  always: missing.yaml\n", None, "", "file not found"),
        ("    stop: {states: [Resolved]}\n", "    stop: {}\n", None, "", "stop"),
        (
            "    objective: 95%\n",
            "    objective: 95%\n    warnings: [50%, 120%]\n",
            16,
            "targets.0.warnings",
            "between",
        ),
    ],
)
def test_errors_name_line_and_field(
    tmp_path: Path, old: str, new: str, line: int | None, field: str, words: str
) -> None:
    assert old in BASE
    with pytest.raises(DefinitionError) as caught:
        load_agreement(write(tmp_path, BASE.replace(old, new)))
    err = caught.value
    if line is not None:
        assert err.line == line
    if field:
        assert err.field == field
    assert words in str(err)


def test_credit_clauses_must_read_a_known_target(tmp_path: Path) -> None:
    text = BASE + "credits:\n  - {id: c, target: nope, per_breach: 10}\n"
    with pytest.raises(DefinitionError) as caught:
        load_agreement(write(tmp_path, text))
    assert caught.value.field == "credits.0.target"
    assert caught.value.line == 17


def test_target_ids_are_unique(tmp_path: Path) -> None:
    text = BASE + "availability:\n  - {id: P1, service: erp, calendar: always, objective: 99%}\n"
    with pytest.raises(DefinitionError, match="used twice"):
        load_agreement(write(tmp_path, text))


def test_an_inline_calendar_without_working_time_is_refused_on_its_line(tmp_path: Path) -> None:
    closed = "  always: 24x7\n  office: {timezone: Asia/Shanghai, hours: {}}\n"
    text = BASE.replace("  always: 24x7\n", closed)
    with pytest.raises(DefinitionError, match="'office' has no working time") as caught:
        load_agreement(write(tmp_path, text))
    assert (caught.value.field, caught.value.line) == ("calendars.office", 6)


def test_an_inline_calendar_is_compiled_once_while_its_definition_is_unchanged(
    tmp_path: Path,
) -> None:
    inline = BASE.replace(
        "  always: 24x7",
        "  always: 24x7\n  office: {timezone: Asia/Shanghai, hours: {mon-fri: ['09:00-18:00']}}",
    )
    first = load_agreement(write(tmp_path, inline)).calendars
    again = load_agreement(write(tmp_path, inline)).calendars
    changed = load_agreement(write(tmp_path, inline.replace("18:00", "17:00"))).calendars
    assert again["office"] is first["office"]
    assert again["always"] is first["always"]
    assert changed["office"] is not first["office"]
    assert changed["office"].spec.week != first["office"].spec.week


def test_an_olas_targets_count_while_its_team_holds_the_ticket_unless_they_name_another(
    tmp_path: Path,
) -> None:
    ola = BASE.replace("kind: SLA\ncustomer: Contoso", "kind: OLA\ninternal_team: network")
    ola += "  - id: P2\n    clock: resolution\n    within: 8h\n    calendar: always\n"
    ola += "    held_by: Value 3\n"
    a = load_agreement(write(tmp_path, ola + "held_by: network\n"))
    assert [(t.id, t.held_by) for t in a.targets] == [("P1", "network"), ("P2", "Value 3")]
    assert [t.held_by for t in load_agreement(write(tmp_path, ola)).targets] == ["", "Value 3"]
