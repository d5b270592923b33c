"""An agreement's satisfaction survey page: the manager sets when the customer is asked (a
bad number named on its field) and sees who was; the representative reads it, changes
nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reviews import invitations as survey_invitations
from tests.integration.web.test_pages import csrf_of, sign_in


def test_a_manager_sets_the_survey_policy_on_the_page(
    client: TestClient, session: Session, sla_in_force: int
) -> None:
    url = f"/agreements/{sla_in_force}/surveys"
    sign_in(client, "manager")
    page = client.get(url)
    assert page.status_code == 200
    assert "Nobody asked yet." in page.text
    form = {"csrf": csrf_of(page.text), "every": "quarter", "scale": "1", "language": "zh-Hans"}
    bad = client.post(url, data=form)
    assert bad.status_code == 422
    assert "the best score must be between 2 and 10" in bad.text
    form.update(scale="5", after_tickets="true")
    r = client.post(url, data=form, follow_redirects=True)
    assert r.status_code == 200, r.text
    policy = survey_invitations.get_policy(session, actor=SYSTEM, agreement_id=sla_in_force)
    assert (policy.every, policy.after_tickets, policy.language) == ("quarter", True, "zh-Hans")
    assert '<option value="quarter" selected>' in r.text


def test_a_representative_reads_the_policy_and_changes_nothing(
    client: TestClient, session: Session, sla_in_force: int
) -> None:
    url = f"/agreements/{sla_in_force}/surveys"
    sign_in(client, "customer_rep")
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="survey-invitations"' not in page.text
    refused = client.post(url, data={"csrf": csrf_of(page.text), "every": "month"})
    assert refused.status_code == 403
    sign_in(client, "outsider")
    assert client.get(url).status_code == 404
