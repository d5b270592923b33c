"""Append translations to both Chinese catalogs: ``python tools/add_translations.py FILE``.

FILE holds lines ``English ⇥ 简体 ⇥ 繁體`` (tab-separated); entries already present are
skipped, so the script can be re-run. Placeholders such as ``{code}`` must be kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1] / "src" / "servicelevel" / "i18n"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(path: str) -> None:
    rows = [
        line.split("\t")
        for line in Path(path).read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for column, locale in ((1, "zh_Hans"), (2, "zh_Hant")):
        po = ROOT / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            known = {str(m.id) for m in read_po(handle, locale=locale) if m.id}
        added = []
        for row in rows:
            if len(row) != 3:
                raise SystemExit(f"expected 3 tab-separated columns: {row!r}")
            english, text = row[0], row[column]
            if english in known:
                continue
            flag = "#, python-brace-format\n" if "{" in english else ""
            added.append(f"\n{flag}msgid {quote(english)}\nmsgstr {quote(text)}\n")
            known.add(english)
        with po.open("a", encoding="utf-8") as handle:
            handle.writelines(added)
        print(f"{locale}: {len(added)} added")


if __name__ == "__main__":
    main(sys.argv[1])
