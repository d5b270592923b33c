"""Posting JSON to a webhook: one place for the timeout, the accepted answers and the errors,
shared by change requests and notifications."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

TIMEOUT = 10  # seconds
Post = Callable[[str, dict[str, Any], dict[str, str]], bytes]  # raises DeliveryError


class DeliveryError(Exception):
    """The receiver could not be reached or did not accept the message."""


def post_json(url: str, body: dict[str, Any], headers: dict[str, str]) -> bytes:
    """POST ``body`` as JSON and return the answer's body; anything but a 2xx answer within
    the timeout is a :class:`DeliveryError`."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"the webhook URL must be http or https, not {url!r}")
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            if not 200 <= answer.status < 300:
                raise DeliveryError(f"HTTP {answer.status}")
            return bytes(answer.read())
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(str(exc) or exc.__class__.__name__) from None
