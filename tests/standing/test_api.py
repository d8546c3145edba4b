"""Standing approvals through the API: asked with an approval (`standing` in the approve body), listed for those
who decide, revoked by their giver or an admin; bad bounds refused before anything is decided."""

import pytest

from hitl.models import ApprovalStatus, HITLApproval, StandingApproval
from tenants.identity.integration_tokens import create_token
from tenants.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOUNDS = {"hours": 24, "max_uses": 3, "max_change_percent": "20"}


def approve(client, approval, **body):
    return client.post(f"/api/hitl/approvals/{approval.pk}/approve/", body, format="json")


@pytest.fixture
def waiting(ask, workflow):
    workflow()
    return ask("550.00")


def test_approving_with_bounds_gives_a_standing_approval_that_a_later_request_uses(waiting, ask, api_as, approver):
    answer = approve(api_as(approver), waiting, standing=BOUNDS)
    assert answer.status_code == 200, answer.json()
    given = answer.json()["standing_approval"]
    assert given["given_on"] == waiting.reference and given["active"] and given["uses"] == 0
    assert given["bounds"].startswith("a daily budget between $400.00 and $600.00, until ")
    assert ask("590.00").approved_under_id is not None


@pytest.mark.parametrize(
    "bounds",
    [
        {"hours": 0, "max_uses": 3},
        {"hours": 24, "max_uses": 99},
        {"hours": 24, "max_uses": 3, "max_change_percent": "250"},
        {"hours": "soon", "max_uses": 3},
        "everything",
    ],
)
def test_bad_bounds_are_a_400_and_nothing_is_decided(waiting, api_as, approver, bounds):
    answer = approve(api_as(approver), waiting, standing=bounds)
    assert answer.status_code == 400 and "standing" in answer.json()
    waiting.refresh_from_db()
    assert waiting.status == ApprovalStatus.PENDING and not StandingApproval.objects.exists()


def test_bounds_that_do_not_fit_the_change_leave_the_approval_approved_and_say_why(waiting, api_as, approver):
    answer = approve(api_as(approver), waiting, standing={"hours": 24, "max_uses": 3})
    assert answer.status_code == 200
    assert answer.json()["status"] == ApprovalStatus.APPROVED
    assert answer.json()["standing_refused"]["code"] == "bad_percent"


def test_the_list_is_for_people_who_decide_in_the_tenant(waiting, api_as, approver, requester, outsider):
    approve(api_as(approver), waiting, standing=BOUNDS)
    listed = api_as(approver).get("/api/hitl/standing-approvals/?active=1").json()
    assert [grant["given_on"] for grant in listed["results"]] == [waiting.reference]
    assert api_as(requester).get("/api/hitl/standing-approvals/").status_code == 403
    outsiders = UserFactory(tenant=outsider.tenant, role=Role.APPROVER)
    assert api_as(outsiders).get("/api/hitl/standing-approvals/").json()["results"] == []


def test_revoking_is_for_the_giver_or_an_admin(waiting, api_as, approver, second_approver, tenant_admin, ask):
    grant_id = approve(api_as(approver), waiting, standing=BOUNDS).json()["standing_approval"]["id"]
    url = f"/api/hitl/standing-approvals/{grant_id}/revoke/"
    assert api_as(second_approver).post(url).status_code == 403
    revoked = api_as(tenant_admin).post(url)
    assert revoked.status_code == 200 and not revoked.json()["active"] and revoked.json()["revoked_at"]
    assert ask("590.00").status == ApprovalStatus.PENDING


def test_another_tenants_grant_is_not_found(waiting, api_as, approver, outsider):
    grant_id = approve(api_as(approver), waiting, standing=BOUNDS).json()["standing_approval"]["id"]
    outsiders = UserFactory(tenant=outsider.tenant, role=Role.ADMIN)
    assert api_as(outsiders).post(f"/api/hitl/standing-approvals/{grant_id}/revoke/").status_code == 404
    assert StandingApproval.objects.get(pk=grant_id).revoked_at is None


def test_a_token_without_the_decide_scope_cannot_revoke(waiting, api_as, approver, api_client):
    grant_id = approve(api_as(approver), waiting, standing=BOUNDS).json()["standing_approval"]["id"]
    _token, secret = create_token(approver, name="Reader", scopes=["read"])
    api_client.force_authenticate(None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api_client.post(f"/api/hitl/standing-approvals/{grant_id}/revoke/").status_code == 403
    assert api_client.get("/api/hitl/standing-approvals/").status_code == 200
    assert HITLApproval.objects.filter(approved_under__isnull=False).count() == 0
