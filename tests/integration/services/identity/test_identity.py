"""Users, passwords, lock-out and tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry, User
from servicelevel.db.repositories.identity import tokens_of
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import MAX_FAILURES, RoleGrant
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid, Unauthenticated
from tests.integration.factories import PASSWORD, World


def test_passwords_are_stored_as_argon2_hashes(session: Session, world: World) -> None:
    user = session.scalars(select(User).where(User.username == "manager")).one()
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash


def test_the_right_password_gives_the_users_roles(session: Session, world: World) -> None:
    actor = identity.authenticate(session, username="customer_rep", password=PASSWORD)
    assert actor.roles == {"customer_representative"}
    assert actor.parties == {world.acme_id}


def test_repeated_failures_lock_the_account(session: Session, world: World) -> None:
    now = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    for _ in range(MAX_FAILURES):
        with pytest.raises(Unauthenticated, match="wrong"):
            identity.authenticate(session, username="viewer", password="nope", now=now)
    with pytest.raises(Unauthenticated, match=r"^wrong username or password$"):
        identity.authenticate(session, username="viewer", password=PASSWORD, now=now)
    later = now + dt.timedelta(minutes=16)
    assert identity.authenticate(session, username="viewer", password=PASSWORD, now=later)


def test_a_disabled_account_gets_the_same_answer_as_an_unknown_one(
    session: Session, world: World
) -> None:
    user = session.scalars(select(User).where(User.username == "viewer")).one()
    user.is_active = False
    session.flush()
    with pytest.raises(Unauthenticated, match=r"^wrong username or password$"):
        identity.authenticate(session, username="viewer", password=PASSWORD)


def test_unknown_users_get_the_same_answer(session: Session, world: World) -> None:
    with pytest.raises(Unauthenticated, match="wrong username or password"):
        identity.authenticate(session, username="ghost", password=PASSWORD)


def test_only_user_managers_create_users(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        identity.create_user(
            session, actor=world.actors["manager"], username="x", password=PASSWORD, roles=[]
        )
    with pytest.raises(Conflict):
        identity.create_user(
            session, actor=world.actors["admin"], username="viewer", password=PASSWORD, roles=[]
        )
    with pytest.raises(Invalid, match="at least"):
        identity.create_user(
            session, actor=world.actors["admin"], username="new", password="short", roles=[]
        )
    with pytest.raises(Invalid, match="needs the party"):
        identity.create_user(
            session,
            actor=world.actors["admin"],
            username="new",
            password=PASSWORD,
            roles=[RoleGrant("customer_representative")],
        )


def test_tokens_are_hashed_expire_and_can_be_revoked(session: Session, world: World) -> None:
    actor = world.actors["manager"]
    token = identity.issue_token(session, actor=actor, name="ci")
    assert identity.actor_for_token(session, token).username == "manager"
    stored = tokens_of(session, actor.user_id or 0)
    assert token not in [t.token_hash for t in stored]
    identity.revoke_token(session, actor=actor, token_id=stored[0].id)
    with pytest.raises(Unauthenticated, match="revoked"):
        identity.actor_for_token(session, token)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    short = identity.issue_token(session, actor=actor, name="short", expires_at=soon)
    with pytest.raises(Unauthenticated, match="expired"):
        identity.actor_for_token(session, short, now=soon + dt.timedelta(seconds=1))


def test_signing_out_and_a_new_password_end_the_browser_sessions(
    session: Session, world: World
) -> None:
    actor = world.actors["manager"]
    user_id = actor.user_id or 0
    signed = identity.session_generation(session, user_id)
    assert identity.signed_in_user(session, user_id, signed) is not None
    assert identity.signed_in_user(session, user_id, None) is None  # a cookie from before
    identity.end_sessions(session, actor=actor)
    assert identity.signed_in_user(session, user_id, signed) is None
    again = identity.session_generation(session, user_id)
    identity.change_password(session, actor=actor, old=PASSWORD, new="a much longer one")
    assert identity.signed_in_user(session, user_id, again) is None
    assert identity.session_generation(session, user_id) == again + 1


def test_changing_a_password_needs_the_old_one_and_is_audited(
    session: Session, world: World
) -> None:
    actor = world.actors["viewer"]
    with pytest.raises(Invalid, match="current password"):
        identity.change_password(session, actor=actor, old="wrong", new="a much longer one")
    identity.change_password(session, actor=actor, old=PASSWORD, new="a much longer one")
    assert identity.authenticate(session, username="viewer", password="a much longer one")
    with pytest.raises(Unauthenticated):
        identity.authenticate(session, username="viewer", password=PASSWORD)
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == actor.user_id))
    assert "change_password" in list(actions)
