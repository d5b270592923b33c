"""``slm import tickets`` with hostile or foreign input: every problem is one message naming
the file and the line, exit status 2, never a traceback; memory stays bounded; a declared
encoding is read; instants need a zone; events far in the future are refused."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

from typer.testing import CliRunner, Result

from servicelevel.cli.main import app
from servicelevel.definitions.csvfiles import MAX_LINE_BYTES
from tests.cli.test_import_cli import database

runner = CliRunner()
HEADER = "ticket,at,state,event,service,priority\n"
GOOD = "T1,2026-03-02T09:00:00+08:00,New,created,email,P1\n"


def run(url: str, path: Path, *more: str) -> Result:
    return runner.invoke(app, ["import", "tickets", str(path), "--url", url, *more])


def refused(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    said = " ".join(result.stderr.split())  # as one line (the console wraps long messages)
    for text in expected:
        assert text in said, said


def test_a_20_mb_field_is_a_message_naming_file_and_line(tmp_path: Path) -> None:
    url = database(tmp_path)
    path = tmp_path / "big.csv"
    path.write_text(
        HEADER + GOOD + "T2,2026-03-02T09:00:00+08:00,New,created,email," + "x" * 20_000_000 + "\n"
    )
    refused(run(url, path), f"{path}:3: the line is longer than {MAX_LINE_BYTES:,} bytes")


def test_a_quoted_field_over_the_csv_limit_is_a_message_naming_the_line(tmp_path: Path) -> None:
    url = database(tmp_path)
    path = tmp_path / "quoted.csv"
    lines = "\n".join(["a" * 1000] * 200)  # 200 short lines inside one quoted field
    path.write_text(HEADER + GOOD + f'T2,2026-03-02T09:00:00+08:00,New,created,email,"{lines}"\n')
    refused(run(url, path), f"{path}:", "cannot read the CSV: field larger than field limit")


def test_a_gzip_holding_a_huge_line_fails_with_bounded_memory(tmp_path: Path) -> None:
    url = database(tmp_path)
    path = tmp_path / "huge.csv.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(HEADER.encode() + GOOD.encode())
        for _ in range(50):
            out.write(b"y" * 1_000_000)  # one 50 MB line
        out.write(b"\n")
    tracemalloc.start()
    try:
        result = run(url, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    refused(result, f"{path}:3: the line is longer than")
    assert peak < 12 * MAX_LINE_BYTES  # the line is never held whole (it is 50 MB)


def test_a_damaged_gzip_says_so_instead_of_aborted(tmp_path: Path) -> None:
    url = database(tmp_path)
    whole = gzip.compress((HEADER + GOOD * 2000).encode())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    refused(run(url, cut), str(cut), "the gzip file is damaged or cut short")
    garbage = tmp_path / "garbage.csv.gz"
    garbage.write_bytes(b"\x1f\x8b\x08\x00" + b"not deflate at all" * 10)
    refused(run(url, garbage), str(garbage), "damaged")
    plain = tmp_path / "plain.csv.gz"
    plain.write_text(HEADER + GOOD)
    refused(run(url, plain), str(plain), "damaged")


def gbk_file(tmp_path: Path) -> Path:
    path = tmp_path / "gbk.csv"
    text = HEADER + GOOD + "T2,2026-03-02T10:00:00+08:00,新建,created,email,P2\n"
    path.write_bytes(text.encode("gbk"))
    return path


def test_a_gbk_file_names_the_encoding_line_and_byte(tmp_path: Path) -> None:
    url = database(tmp_path)
    path = gbk_file(tmp_path)
    refused(run(url, path), f"{path}:3: not utf-8 text (byte 0xd0 at column 30)", "--encoding gbk")


def test_a_gbk_file_imports_with_its_encoding_declared(tmp_path: Path) -> None:
    url = database(tmp_path)
    path = gbk_file(tmp_path)
    result = run(url, path, "--encoding", "gbk")
    assert result.exit_code == 0, result.stderr
    assert "2 event(s) stored" in result.stdout
    mapping = tmp_path / "gbk-mapping.yaml"
    mapping.write_text(
        "source: legacy\nencoding: gbk\ncolumns: {ticket: ticket, at: at, state: state, "
        "event: event, service: service, priority: priority}\n"
    )
    again = run(url, path, "--mapping", str(mapping))
    assert again.exit_code == 0, again.stderr
    assert "2 event(s) stored" in again.stdout  # another source: stored again


def test_an_unknown_encoding_is_a_message(tmp_path: Path) -> None:
    url = database(tmp_path)
    refused(run(url, gbk_file(tmp_path), "--encoding", "klingon"), "unknown encoding 'klingon'")
    refused(run(url, gbk_file(tmp_path), "--encoding", "utf-16"), "cannot be read as CSV")


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    url = database(tmp_path)
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + GOOD).encode())
    result = run(url, path)
    assert result.exit_code == 0, result.stderr
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + GOOD).encode("gbk"))
    assert run(url, path, "--encoding", "gbk").exit_code == 0


def test_a_mapping_with_a_key_twice_or_nested_too_deep_is_a_message(tmp_path: Path) -> None:
    url = database(tmp_path)
    path = tmp_path / "events.csv"
    path.write_text(HEADER + GOOD)
    twice = tmp_path / "twice.yaml"
    twice.write_text("source: a\ntimezone: UTC\ncolumns: {ticket: ticket}\ntimezone: Asia/Tokyo\n")
    refused(
        run(url, path, "--mapping", str(twice)),
        f"{twice}:4:1: invalid YAML: the key 'timezone' is given twice (first on line 2)",
    )
    deep = tmp_path / "deep.yaml"
    deep.write_text("source: " + "[" * 10_000 + "]" * 10_000 + "\n")
    refused(run(url, path, "--mapping", str(deep)), f"{deep}:1:", "nested more than 32 levels")


def test_instants_without_a_zone_are_refused_unless_the_mapping_declares_one(
    tmp_path: Path,
) -> None:
    url = database(tmp_path)
    path = tmp_path / "local.csv"
    path.write_text(HEADER + "T1,2026-03-02T09:00:00,New,created,email,P1\n")
    refused(
        run(url, path),
        "line 2: the instant '2026-03-02T09:00:00' has no time zone",
        "timezone: in the mapping",
    )
    mapping = tmp_path / "shanghai.yaml"
    mapping.write_text(
        "source: csv\ntimezone: Asia/Shanghai\ncolumns: {ticket: ticket, at: at, state: state, "
        "event: event, service: service, priority: priority}\n"
    )
    result = run(url, path, "--mapping", str(mapping))
    assert result.exit_code == 0, result.stderr


def test_an_event_dated_2030_is_refused_naming_it(tmp_path: Path) -> None:
    url = database(tmp_path)
    path = tmp_path / "future.csv"
    path.write_text(HEADER + GOOD + "T1,2030-01-01T00:00:00+00:00,Resolved,resolved,email,P1\n")
    refused(
        run(url, path),
        str(path),
        "line 3: the event of T1 (Resolved) is dated 2030-01-01T00:00:00+00:00, later than",
    )
