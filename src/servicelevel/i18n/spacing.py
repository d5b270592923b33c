"""Filling a translated message with values, spaced as the language spaces words.

A Chinese message keeps a space between a value and its own words where the value may be Latin
("email 的可用性", "{code} 的评审"), but Chinese has no space between Chinese words: with a value
written in Chinese the space goes ("电子邮件的可用性"). English and Latin values are left alone.
"""

from __future__ import annotations

import re
from typing import Any

# Han, kana, CJK symbols and punctuation, full-width forms: characters written without spaces.
CJK = (
    "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0002fa1f"
)
_CJK_CHAR = re.compile(f"[{CJK}]")


def _cjk(text: str) -> bool:
    return _CJK_CHAR.fullmatch(text) is not None


def fill(message: str, **values: Any) -> str:
    """``message.format(**values)``, without the space between a value and the message's own
    text where the characters on both sides of it are CJK."""
    for name, value in values.items():
        text = str(value)
        if text and _cjk(text[-1]):
            message = re.sub(rf"(\{{{name}\}}) (?=[{CJK}])", r"\1", message)
        if text and _cjk(text[0]):
            message = re.sub(rf"(?<=[{CJK}]) (\{{{name}\}})", r"\1", message)
    return message.format(**values)
