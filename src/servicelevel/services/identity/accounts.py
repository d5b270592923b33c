"""Users, passwords, roles, lock-out and personal API tokens.

Passwords are hashed with Argon2 (argon2-cffi's defaults, rehashed when those change). After
``MAX_FAILURES`` wrong passwords in a row an account is locked for ``LOCKOUT``; a right
password resets the count. The web login and the API's token exchange share this one count,
and give one answer to every refusal (unknown user, wrong password, locked or disabled
account), so that nobody learns from it which usernames exist. API tokens are random, shown
once, and stored only as a SHA-256 hash (a token has 256 bits of entropy, so a fast hash is
the right tool there).

Browser sessions carry the user's ``session_generation``: signing out or changing the
password moves it on, which ends every session signed before (server-side, whatever the
cookie's own age); a password change also revokes the user's API tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import ApiToken, RoleAssignment, User
from servicelevel.db.repositories import identity as repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import PARTY_SCOPED, ROLES, Actor, allowed, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound, Unauthenticated
from servicelevel.settings import get_settings

MAX_FAILURES = 5
REFUSED = "wrong username or password"  # the one answer to every refusal
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 10
LAST_USE_PRECISION = dt.timedelta(minutes=1)
TOKEN_PREFIX = "slm_"


@cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost_kib
    )


USER_FIELDS = ("username", "display_name", "email", "locale", "timezone", "is_active")


@dataclass(frozen=True)
class RoleGrant:
    role: str
    party_code: str | None = None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid("a password needs at least {n} characters", "password", n=MIN_PASSWORD)


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    roles: list[RoleGrant],
    display_name: str = "",
    email: str = "",
    locale: str = "en",
) -> User:
    """Create a user with roles (``user.manage``)."""
    require(actor, "user.manage")
    username = username.strip()
    if not username:
        raise Invalid("a username is required", "username")
    if repo.user_by_name(session, username) is not None:
        raise Conflict("user {name} exists already", "username", name=username)
    _check_password(password)
    user = User(
        username=username,
        display_name=display_name or username,
        email=email,
        locale=locale,
        password_hash=_hasher().hash(password),
    )
    session.add(user)
    session.flush()
    for grant in roles:
        session.add(_assignment(session, user.id, grant))
    audit.record(session, actor, "create", user, None, _audited(session, user))
    return user


def _assignment(session: Session, user_id: int, grant: RoleGrant) -> RoleAssignment:
    if grant.role not in ROLES:
        raise Invalid(
            "unknown role {role}; roles are {roles}",
            "roles",
            role=grant.role,
            roles=", ".join(ROLES),
        )
    party_id = None
    if grant.role in PARTY_SCOPED:
        if not grant.party_code:
            raise Invalid("role {role} needs the party it represents", "roles", role=grant.role)
        party = party_repo.party_by_code(session, grant.party_code)
        if party is None:
            raise Invalid("unknown party {code}", "roles", code=grant.party_code)
        party_id = party.id
    return RoleAssignment(user_id=user_id, role=grant.role, party_id=party_id)


def _audited(session: Session, user: User) -> dict[str, object]:
    data: dict[str, object] = audit.snapshot(user, USER_FIELDS)
    data["roles"] = [[r.role, r.party_id] for r in repo.roles_of(session, user.id)]
    return data


def signed_in_user(
    session: Session, user_id: int, generation: int | None
) -> tuple[Actor, str, str] | None:
    """The actor, preferred locale and time zone of a browser session's user, if still active
    and the session was signed since the user last signed out or changed their password."""
    user = repo.user_by_id(session, user_id)
    if user is None or not user.is_active or generation != user.session_generation:
        return None
    return actor_for(session, user), user.locale, user.timezone


def session_generation(session: Session, user_id: int) -> int:
    """What a browser session signed now carries (see :func:`signed_in_user`)."""
    user = repo.user_by_id(session, user_id)
    if user is None:
        raise NotFound("no such user")
    return user.session_generation


def end_sessions(session: Session, *, actor: Actor) -> None:
    """Sign the acting user out: every browser session of theirs ends, here and elsewhere."""
    if actor.user_id is not None:
        repo.next_session_generation(session, actor.user_id)


def actor_for(session: Session, user: User) -> Actor:
    return _actor(user, repo.roles_of(session, user.id))


def _actor(user: User, assignments: list[RoleAssignment]) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        roles=frozenset(a.role for a in assignments),
        parties=frozenset(a.party_id for a in assignments if a.party_id is not None),
    )


def authenticate(
    session: Session, *, username: str, password: str, now: dt.datetime | None = None
) -> Actor:
    """Check a password; counts failures and locks the account after too many.

    Three steps, so that neither parallel guesses nor a slow hash get in the way:

    1. a short transaction reserves the attempt (:func:`repo.reserve_login`: the failure is
       counted before the password is checked, atomically, and a locked account is refused
       without a check — thirty guesses at once get ``MAX_FAILURES`` checks, not thirty);
    2. Argon2 runs outside any transaction (on SQLite a transaction holds the only write lock,
       and parallel sign-ins held it for the length of a hash each);
    3. a right password clears the count in another short transaction.

    The caller's session is committed after step 1 (call this first in a unit of work): the
    counted attempt outlives the refusal that rolls the request back.

    Timing: unknown, disabled and locked accounts get the same answer as a wrong password,
    after the same Argon2 work (a verify against a hash made with the current parameters), so
    neither the answer nor its time tells whether a username exists. Only a hash made with
    older parameters than the current ones (before a rehash on the next right password)
    differs in time from the others."""
    now = now or utcnow()
    reserved = repo.reserve_login(session, username.strip(), MAX_FAILURES, now, now + LOCKOUT)
    session.commit()  # the attempt counts, and no transaction is open during the hash
    if reserved is None:
        _verify_hash(_dummy_hash(), password)  # the same work whether or not the user exists
        raise Unauthenticated(REFUSED)
    user_id, password_hash = reserved
    if not _verify_hash(password_hash, password):
        raise Unauthenticated(REFUSED)
    rehashed = _hasher().hash(password) if _hasher().check_needs_rehash(password_hash) else None
    repo.clear_failed_logins(session, user_id, rehashed)
    user = repo.user_by_id(session, user_id)
    if user is None:  # deleted between the two transactions
        raise Unauthenticated(REFUSED)
    return actor_for(session, user)


@cache
def _dummy_hash() -> str:
    """A hash of nothing anyone types, made with the current parameters (see authenticate)."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _verify_hash(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _verify(user: User, password: str) -> bool:
    return _verify_hash(user.password_hash, password)


def confirm_password(session: Session, *, actor: Actor, password: str) -> None:
    """The signed-in user proves it is them before a binding act (signing an agreement): a
    session left open on a shared screen is not enough. The check is a sign-in's — it counts
    towards the lock-out, so the form cannot be used to guess — and a wrong password is the
    form's error about its password field."""
    try:
        authenticate(session, username=actor.username, password=password)
    except Unauthenticated:
        raise Invalid("the password is wrong", "password") from None


def change_password(session: Session, *, actor: Actor, old: str, new: str) -> None:
    """A user changes their own password, proving the old one. Every session and API token
    of theirs ends (whoever knew the old password is out); the caller signs in again."""
    user = repo.user_by_id(session, actor.user_id or -1)
    if user is None:
        raise NotFound("no such user")
    if not _verify(user, old):
        raise Invalid("the current password is wrong", "old_password")
    _check_password(new)
    user.password_hash = _hasher().hash(new)
    session.flush()
    repo.next_session_generation(session, user.id)
    revoked = repo.revoke_tokens_of(session, user.id, utcnow())
    audit.record(session, actor, "change_password", user, None, {"tokens_revoked": revoked})


def issue_token(
    session: Session, *, actor: Actor, name: str, expires_at: dt.datetime | None = None
) -> str:
    """A new personal API token for the acting user; the plain token is returned only here."""
    if actor.user_id is None:
        raise Invalid("only a user can hold a token")
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("the expiry must be in the future", "expires_at")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.user_id, name=name, token_hash=_digest(plain), expires_at=expires_at
    )
    session.add(token)
    audit.record(session, actor, "create", token, None, {"name": name})
    return plain


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def actor_for_token(session: Session, plain: str, now: dt.datetime | None = None) -> Actor:
    """Who a bearer token stands for; expired, revoked or unknown tokens are refused.

    Looked up on every request (one indexed query for the token, its user and roles), so a
    revocation, a password change, a disabled user or a changed role counts at once in every
    server process. (A per-process memory of 10 s saved that query but let a revoked token
    work on in the other processes; measured in docs/performance.md.)"""
    return _look_up(session, _digest(plain), now or utcnow())


def _look_up(session: Session, digest: str, now: dt.datetime) -> Actor:
    found = repo.token_user_roles(session, digest)
    if found is None or found[0].revoked_at is not None:
        raise Unauthenticated("unknown or revoked token")
    token, user, assignments = found
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("the token has expired")
    if not user.is_active:
        raise Unauthenticated("the token's user is disabled")
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        token.last_used_at = now  # not on every request: a read should not cost a write
    return _actor(user, assignments)


def revoke_token(session: Session, *, actor: Actor, token_id: int) -> None:
    """Revoke one of the acting user's tokens (or any, with ``user.manage``)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and not allowed(actor, "user.manage")):
        raise NotFound("no token {id}", id=token_id)
    token.revoked_at = utcnow()
    audit.record(session, actor, "revoke", token, None, {"name": token.name})


@dataclass(frozen=True)
class UserView:
    """A user as others may see them: no password hash, roles with their parties."""

    id: int
    username: str
    display_name: str
    email: str
    locale: str
    is_active: bool
    roles: list[tuple[str, int | None]]


def list_users(
    session: Session, *, actor: Actor, search: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[UserView], int]:
    """Users and their roles (``user.read``); two queries whatever the page size."""
    require(actor, "user.read")
    page = repo.list_users(session, search=search, offset=offset, limit=limit)
    roles = repo.roles_of_users(session, [u.id for u in page.items])
    views = [
        UserView(
            u.id,
            u.username,
            u.display_name,
            u.email,
            u.locale,
            u.is_active,
            [(r.role, r.party_id) for r in roles[u.id]],
        )
        for u in page.items
    ]
    return views, page.total
