"""Who may call the approval-request API, and its limits: the request scope only and never deciding, the token's
own tenant only (404 otherwise), a rate per token, a cap on requests waiting per tenant."""

import pytest
from rest_framework.test import APIClient

from core.errors import WalkerError
from hitl.models import ApprovalRequest, HITLApproval
from hitl.services.outside import Ask, Refused, file_request
from tests.action_types.conftest import registered
from tests.approval_requests.conftest import URL, ask, client_of
from tests.concurrency import at_once


@pytest.fixture
def filed(agent):
    return agent.post(URL, ask(), format="json").json()


@pytest.mark.parametrize("verb, body", [("approve", {}), ("reject", {"reason": "mine"}), ("respond", {"note": "x"})])
def test_the_request_scope_never_decides(agent, filed, verb, body):
    response = agent.post(f"/api/hitl/approvals/{filed['id']}/{verb}/", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"
    assert HITLApproval.objects.get(pk=filed["id"]).status == "pending"


def test_a_token_cannot_both_request_and_decide(tenant_admin):
    with pytest.raises(WalkerError, match="cannot decide them too"):
        client_of(tenant_admin, scopes=("request", "decide"))


def test_a_token_made_through_the_api_may_request(api_as, tenant_admin):
    made = api_as(tenant_admin).post(
        "/api/v1/auth/integration-tokens/", {"name": "Agent", "scopes": ["request", "read"]}, format="json"
    )
    assert made.status_code == 201 and made.json()["scopes"] == ["read", "request"]


@pytest.mark.parametrize("scopes", [("read",), ("write",), ("decide",), ("read", "write")])
def test_other_scopes_neither_file_nor_read(tenant_admin, budget_type, filed, scopes):
    client = client_of(tenant_admin, scopes=scopes, name="CRM sync")
    assert client.post(URL, ask(idempotency_key="other"), format="json").json()["code"] == "scope_missing"
    assert client.get(f"{URL}{filed['id']}/").json()["code"] == "scope_missing"


def test_a_person_signed_in_is_refused_the_token_is_the_agent(api_as, tenant_admin, filed):
    client = api_as(tenant_admin)
    assert client.post(URL, ask(idempotency_key="other"), format="json").status_code == 403
    assert client.get(URL).status_code == 403 and client.get(f"{URL}{filed['id']}/").status_code == 403


def test_anonymous_is_refused():
    response = APIClient().get(URL)
    assert response.status_code in (401, 403)


def test_another_tenants_token_sees_neither_the_request_nor_the_list(filed, outsider, other_tenant):
    registered(other_tenant)
    stranger = client_of(outsider, name="Globex agent")
    assert stranger.get(f"{URL}{filed['id']}/").status_code == 404
    assert stranger.get(f"{URL}{filed['id']}/?wait=5").status_code == 404
    assert stranger.get(URL).json()["count"] == 0
    assert stranger.post(URL, ask(), format="json").status_code == 202  # its own type of that key: its own request
    assert ApprovalRequest.objects.filter(tenant=other_tenant).count() == 1


def test_an_unknown_id_is_a_404(agent):
    assert agent.get(f"{URL}00000000-0000-0000-0000-000000000001/").status_code == 404
    assert agent.get(f"{URL}not-a-uuid/").status_code == 404


def test_a_token_is_throttled_on_its_own(settings, agent, tenant_admin):
    settings.APPROVAL_REQUESTS_RATE = "2/minute"
    assert [agent.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert client_of(tenant_admin, name="Another agent").get(URL).status_code == 200


def test_the_tenants_cap_on_waiting_requests_is_a_429_that_files_nothing(settings, agent, approver_api):
    settings.APPROVAL_REQUESTS_MAX_WAITING = 1
    first = agent.post(URL, ask(), format="json").json()
    refused = agent.post(URL, ask(args={"campaign": "Winter", "amount": 5}), format="json")
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_waiting"
    assert "APPROVAL_REQUESTS_MAX_WAITING" in refused.json()["detail"] and HITLApproval.objects.count() == 1
    approver_api.post(f"/api/hitl/approvals/{first['id']}/respond/", {"note": "cheaper?"}, format="json")
    assert agent.post(URL, ask(args={"campaign": "Winter", "amount": 5}), format="json").status_code == 202


@pytest.mark.postgres("filings at once each count the others' rows only once those commit")
def test_requests_filed_at_once_never_pass_the_cap(postgres_only, settings, tenant_admin, budget_type, approver):
    settings.APPROVAL_REQUESTS_MAX_WAITING = 2
    token = client_of(tenant_admin).token

    def filing(n):
        def call():
            try:
                return file_request(token, Ask("update_budget", {"campaign": f"C{n}", "amount": "700.00"}, "Raise"))
            except Refused as refused:
                return refused.code

        return call

    results = at_once(*(filing(n) for n in range(4)))
    assert results.count("too_many_waiting") == 2, results
    assert HITLApproval.objects.count() == 2 and ApprovalRequest.objects.count() == 2


def test_a_read_that_gets_no_database_connection_in_time_is_told_to_come_back(agent, filed, monkeypatch):
    """A thousand long polls at once on one process can wait past the pool's timeout: they are told when to ask
    again (503, Retry-After), which Walker's client honours, instead of an internal error."""
    from tests.api.test_error_codes import _pool_timeout

    def no_connection(token):
        raise _pool_timeout()

    monkeypatch.setattr("hitl.approval_requests_api.requests_of", no_connection)
    response = agent.get(f"{URL}{filed['id']}/?wait=1")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "busy"
