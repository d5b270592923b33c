"""The demo loads, and loads again without duplicating anything."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelevel.services import identity
from servicelevel.services.demo import DEMO_PASSWORD, load_demo


def test_the_demo_can_be_loaded_twice(session: Session) -> None:
    first = load_demo(session)
    assert first == {"parties": 6, "calendars": 3, "users": 7}
    assert load_demo(session) == {"parties": 0, "calendars": 0, "users": 0}
    rep = identity.authenticate(session, username="contoso", password=DEMO_PASSWORD)
    assert rep.roles == {"customer_representative"}
    assert len(rep.parties) == 1
