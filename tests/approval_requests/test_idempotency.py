"""The idempotency key: the same key and args answer the same request (200), other args 409; also sent at once."""

import pytest

from hitl.models import ApprovalRequest, HITLApproval
from hitl.services.outside import Ask, Refused, file_request
from tests.approval_requests.conftest import URL, ask, client_of
from tests.concurrency import at_once


def test_the_same_key_and_args_answer_the_same_request_with_200(agent):
    first = agent.post(URL, ask(idempotency_key="call-1"), format="json")
    again = agent.post(URL, ask(idempotency_key="call-1"), format="json")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"] and HITLApproval.objects.count() == 1


def test_the_same_key_after_a_decision_answers_the_decided_request(agent, approver_api):
    first = agent.post(URL, ask(idempotency_key="call-1"), format="json").json()
    approver_api.post(f"/api/hitl/approvals/{first['id']}/reject/", {"reason": "not now"}, format="json")
    again = agent.post(URL, ask(idempotency_key="call-1"), format="json")
    assert again.status_code == 200 and again.json()["decision"]["type"] == "reject"
    assert HITLApproval.objects.count() == 1


def test_the_same_key_with_other_args_is_a_409_and_files_nothing(agent):
    agent.post(URL, ask(idempotency_key="call-1"), format="json")
    other = ask(idempotency_key="call-1", args={"campaign": "Summer Sale", "amount": "900.00"})
    response = agent.post(URL, other, format="json")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_reused"
    assert HITLApproval.objects.count() == 1 and ApprovalRequest.objects.count() == 1


def test_keys_belong_to_their_token(agent, tenant_admin):
    other_agent = client_of(tenant_admin, name="OpenAI budget agent")
    agent.post(URL, ask(idempotency_key="call-1"), format="json")
    response = other_agent.post(URL, ask(idempotency_key="call-1", args={"campaign": "B", "amount": 1}), format="json")
    assert response.status_code == 202 and ApprovalRequest.objects.count() == 2


def test_the_same_args_waiting_under_another_key_is_a_409_naming_it(agent):
    first = agent.post(URL, ask(idempotency_key="call-1"), format="json").json()
    response = agent.post(URL, ask(idempotency_key="call-2"), format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_waiting"
    assert first["id"] in response.json()["detail"] and ApprovalRequest.objects.count() == 1


@pytest.mark.postgres("two requests with one key wait on the unique index for each other")
@pytest.mark.parametrize("same_args", [True, False])
def test_one_key_sent_twice_at_once_files_one_request(postgres_only, tenant_admin, budget_type, approver, same_args):
    token = client_of(tenant_admin).token
    amounts = ("700.00", "700.00" if same_args else "900.00")

    def send(amount):
        def call():
            try:
                args = {"campaign": "Summer Sale", "amount": amount}
                return file_request(token, Ask("update_budget", args, "Raise it", idempotency_key="k"))
            except Refused as refused:
                return refused.code

        return call

    results = at_once(*(send(amount) for amount in amounts))
    assert HITLApproval.objects.count() == 1 and ApprovalRequest.objects.count() == 1
    filed = [result for result in results if not isinstance(result, str)]
    if same_args:
        assert sorted(result.created for result in filed) == [False, True]
        assert filed[0].request.pk == filed[1].request.pk
    else:
        assert len(filed) == 1 and filed[0].created and "idempotency_key_reused" in results
