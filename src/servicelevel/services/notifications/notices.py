"""What a notification says, and how each kind of channel wants it said.

A notification stores *facts* (agreement, target, ticket, instants in UTC, seconds); the words
are written at delivery, in the channel's language and time zone (i18n.moments), so a Shanghai
team reads "2026年11月24日 18:00（上海时间）" and a London one "Nov 24, 2026, 10:00 AM (London
time)".
Chat webhooks get their own message shapes: WeCom and DingTalk take Markdown, Feishu plain
text (signed when a secret is set), Slack mrkdwn blocks; the generic webhook gets the facts as
JSON with the text beside them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal, format_percent

from servicelevel.engine.durations import format_seconds
from servicelevel.i18n import moments, translator

SUBJECTS = {
    "warning": "{agreement}: ticket {ticket} has used {threshold} of its time for {target}",
    "breach": "{agreement}: ticket {ticket} breached {target}",
    "availability": "{agreement}: availability of {service} is {achieved}, below {objective}",
    "burn_rate": "{agreement}: the error budget of {service} burns {rate} times too fast",
    "report": "{agreement}: service report for {period}",
    "review": "{agreement}: service level review of {period} on {meeting_at}",
    "action": "{agreement}: action overdue since {due_on}: {action}",
}
LINES = (
    ("agreement_name", "Agreement: {agreement} {agreement_name}"),
    ("target", "Target: {target}"),
    ("ticket", "Ticket: {ticket} {title}"),
    ("priority", "Priority: {priority}"),
    ("deadline", "Deadline: {deadline}"),
    ("used_seconds", "Working time used: {used} of {budget}"),
    ("window", "Window: the last {window}"),
    ("period_start", "Period: {period_start} to {period_end}"),
    ("downtime_seconds", "Downtime: {downtime}"),
    ("attached", "The report is attached as a PDF."),
    ("meeting_at", "Meeting: {meeting_at}"),
    ("chair", "Chair: {chair}"),
    ("location", "Where: {location}"),
    ("action", "Action: {action}"),
    ("owner", "Owner: {owner}"),
)


@dataclass(frozen=True)
class Message:
    subject: str
    text: str  # plain text, one fact per line
    markdown: str  # the same with the subject as a heading


def compose(kind: str, facts: dict[str, Any], locale: str, timezone: str) -> Message:
    """The message in ``locale`` (en, zh_Hans, zh_Hant) with instants in ``timezone``."""
    t = translator(locale.replace("-", "_"))
    values = _values(facts, t.locale, moments.zone_of(timezone).key)
    subject = t.gettext(SUBJECTS[kind]).format(**values)
    lines = [t.gettext(line).format(**values) for key, line in LINES if facts.get(key) is not None]
    sent = t.gettext("Sent by servicelevel at {now}").format(**values)
    text = "\n".join([*lines, "", sent])
    markdown = "\n".join([f"**{subject}**", "", *(f"- {line}" for line in lines), "", sent])
    return Message(subject, f"{subject}\n\n{text}", markdown)


def _values(facts: dict[str, Any], lang: str, zone: str) -> dict[str, str]:
    """The facts as words: instants in the recipient's zone, named (moments.named)."""
    locale = translator(lang).babel_locale

    def instant(key: str) -> str:
        raw = facts.get(key)
        if not raw:
            return "—"
        return moments.named(dt.datetime.fromisoformat(str(raw)), lang, zone)

    def on(key: str) -> str:
        raw = facts.get(key)
        return moments.day(dt.date.fromisoformat(str(raw)[:10]), lang) if raw else ""

    def pct(key: str) -> str:
        raw = facts.get(key)
        return "—" if raw is None else format_percent(float(raw), "#,##0.###%", locale=locale)

    values = {k: "" if v is None else str(v) for k, v in facts.items()}
    values.update(
        deadline=instant("deadline"),
        period_start=instant("period_start"),
        period_end=instant("period_end"),
        now=instant("now"),
        meeting_at=instant("meeting_at"),
        due_on=on("due_on"),
        **_period(facts, lang),
        threshold=pct("threshold"),
        achieved=pct("achieved"),
        objective=pct("objective"),
        used=format_seconds(int(facts.get("used_seconds") or 0)),
        budget=format_seconds(int(facts.get("budget_seconds") or 0)),
        downtime=format_seconds(int(facts.get("downtime_seconds") or 0)),
        window=format_seconds(int(facts.get("window_seconds") or 0)),
        rate=format_decimal(float(facts.get("rate") or 0), "#,##0.#", locale=locale),
    )
    for key in (
        "agreement",
        "agreement_name",
        "target",
        "ticket",
        "title",
        "priority",
        "service",
        "period",
        "chair",
        "location",
        "action",
        "owner",
        "due_on",
    ):
        values.setdefault(key, "")
    return values


def _period(facts: dict[str, Any], lang: str) -> dict[str, str]:
    """A review's period in the reader's words when its days are given (older notices carry
    only the ISO label, shown as it is)."""
    if not facts.get("period_from") or not facts.get("period_to"):
        return {}
    first, last = moments.day(facts["period_from"], lang), moments.day(facts["period_to"], lang)
    return {"period": f"{first} – {last}"}


@dataclass(frozen=True)
class Request:
    """What to POST where."""

    url: str
    body: dict[str, Any]
    headers: dict[str, str]


def webhook_request(
    kind: str,
    channel_kind: str,
    url: str,
    secret: str,
    message: Message,
    facts: dict[str, Any],
    key: str,
    now: float | None = None,
) -> Request:
    """The request a channel of ``channel_kind`` expects for ``message``."""
    moment = time.time() if now is None else now
    if channel_kind == "wecom":
        return Request(url, {"msgtype": "markdown", "markdown": {"content": message.markdown}}, {})
    if channel_kind == "dingtalk":
        body = {
            "msgtype": "markdown",
            "markdown": {"title": message.subject, "text": message.markdown},
        }
        return Request(_dingtalk_signed(url, secret, moment) if secret else url, body, {})
    if channel_kind == "feishu":
        body = {"msg_type": "text", "content": {"text": message.text}}
        if secret:
            stamp = str(int(moment))
            body.update(timestamp=stamp, sign=_feishu_sign(stamp, secret))
        return Request(url, body, {})
    if channel_kind == "slack":
        block = {"type": "section", "text": {"type": "mrkdwn", "text": _slack(message)}}
        return Request(url, {"text": message.subject, "blocks": [block]}, {})
    headers = {"Idempotency-Key": key}
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    body = {
        "type": f"servicelevel.{kind}",
        "key": key,
        "subject": message.subject,
        "text": message.text,
        "facts": facts,
    }
    return Request(url, body, headers)


def _dingtalk_signed(url: str, secret: str, moment: float) -> str:
    """DingTalk's signature: HMAC-SHA256 of ``"{timestamp}\\n{secret}"`` keyed by the secret,
    Base64, in the query with the timestamp in milliseconds."""
    stamp = str(int(moment * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={stamp}&sign={sign}"


def _feishu_sign(stamp: str, secret: str) -> str:
    """Feishu's signature: HMAC-SHA256 keyed by ``"{timestamp}\\n{secret}"`` of nothing,
    Base64, in the body with the timestamp in seconds."""
    digest = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _slack(message: Message) -> str:
    lines = message.markdown.splitlines()
    return "\n".join(line.replace("**", "*") for line in lines)


def accepted(channel_kind: str, answer: bytes) -> str | None:
    """Why a chat service refused a message it answered with HTTP 200 (``None``: accepted).
    WeCom and DingTalk answer ``errcode``, Feishu ``code`` (or ``StatusCode``)."""
    if channel_kind not in ("wecom", "dingtalk", "feishu"):
        return None
    try:
        data = json.loads(answer.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "the answer is not JSON"
    if not isinstance(data, dict):
        return "the answer is not a JSON object"
    code = data.get("errcode", data.get("code", data.get("StatusCode", 0)))
    if code in (0, None):
        return None
    return f"refused: {code} {data.get('errmsg') or data.get('msg') or ''}".strip()
