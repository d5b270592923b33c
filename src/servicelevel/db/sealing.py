"""Secrets kept at rest (notification channels' tokens and signing keys), encrypted with a key
derived from the deployment's key (``SLM_SECRET_KEY`` or its key file).

A sealed value is ``fernet:`` and a Fernet token (AES-128-CBC with HMAC-SHA256): the
database and its backups hold only that. The Fernet key is derived from the deployment's key
with HKDF-SHA256 (its own ``info``, so it is never the key that signs sessions). While a key
is rotated, ``SLM_PREVIOUS_SECRET_KEYS`` still opens values sealed under the earlier keys;
a value saved again is sealed under the current one.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from servicelevel.settings import get_settings

PREFIX = "fernet:"
INFO = b"servicelevel notification channel secrets"


class UnreadableSecretError(ValueError):
    """A sealed value that none of the deployment's keys opens."""


def is_sealed(stored: str) -> bool:
    """Whether a *stored* value is sealed (every one written since sealing began is)."""
    return stored.startswith(PREFIX)


def seal(plain: str) -> str:
    """The value as stored; the empty string stays empty (no secret). Whatever the text — a
    user's secret may itself begin with ``fernet:`` — it is sealed: only stored values are
    told apart by the prefix, never what a user typed."""
    if not plain:
        return plain
    return PREFIX + _keys().encrypt(plain.encode()).decode()


def unseal(stored: str) -> str:
    """The plain value of a stored one (a value stored before sealing began, which migration
    0015 sealed, is returned as is)."""
    if not is_sealed(stored):
        return stored
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise UnreadableSecretError(
            "the channel's secret was encrypted with another key than this deployment's "
            "(set SLM_PREVIOUS_SECRET_KEYS while rotating, or enter the secret again)"
        ) from None


def _keys() -> MultiFernet:
    settings = get_settings()
    return _fernet(settings.secret(), tuple(settings.previous_secrets()))


@lru_cache(maxsize=4)
def _fernet(current: str, previous: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_derive(k)) for k in (current, *previous)])


def _derive(key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO)
    return base64.urlsafe_b64encode(hkdf.derive(key.encode()))
