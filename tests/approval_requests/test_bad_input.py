"""Each refusal of a request as sent: a clear 4xx naming what is wrong, and nothing stored."""

import pytest

from hitl.models import ApprovalRequest, HITLApproval
from tests.action_types.conftest import registered
from tests.approval_requests.conftest import URL, ask


@pytest.fixture(autouse=True)
def _nothing_stored(db):
    yield
    assert not ApprovalRequest.objects.exists() and not HITLApproval.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"action": "no_such_type"}, "action"),
        ({"action": "set_budget"}, "action"),  # Walker's own: proposed by its own agents only
        ({"action": 42}, "action"),
        ({"args": ["not", "an", "object"]}, "args"),
        ({"args": {"campaign": "Summer Sale"}}, "args"),  # amount is required by the schema
        ({"args": {"campaign": "S", "amount": 1, "colour": "red"}}, "args"),  # additionalProperties: false
        ({"args": {"campaign": "S", "amount": "1e20"}}, "args"),  # more money than an approval holds
        ({"args": {"campaign": "S" * 70_000, "amount": 1}}, "args"),  # over 64 KiB
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"context": "x" * 2001}, "context"),
        ({"idempotency_key": "k" * 201}, "idempotency_key"),
        ({"expires_in": 299}, "expires_in"),
        ({"expires_in": 30 * 24 * 3600 + 1}, "expires_in"),
        ({"expires_in": "soon"}, "expires_in"),
        ({"allowed_decisions": []}, "allowed_decisions"),
        ({"allowed_decisions": ["approve"]}, "allowed_decisions"),
        ({"allowed_decisions": ["accept", "accept"]}, "allowed_decisions"),
    ],
)
def test_a_bad_field_is_a_400_naming_it(agent, changes, field):
    response = agent.post(URL, ask(**changes), format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json(), response.json()


@pytest.mark.parametrize("missing", ["action", "args", "description"])
def test_a_missing_field_is_a_400_naming_it(agent, missing):
    body = ask()
    del body[missing]
    response = agent.post(URL, body, format="json")
    assert response.status_code == 400 and missing in response.json()


def test_malformed_json_is_a_400(agent):
    response = agent.post(URL, '{"action": "update_budget", "args": {', content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_another_media_type_is_a_415(agent):
    response = agent.post(URL, "action=update_budget", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_a_body_over_96_kib_is_a_413(agent):
    body = ask(context="x" * 100_000)
    response = agent.post(URL, body, format="json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_another_tenants_type_is_unknown(agent, other_tenant):
    registered(other_tenant, key="globex_budget")
    response = agent.post(URL, ask(action="globex_budget"), format="json")
    assert response.status_code == 400 and "globex_budget" in response.json()["action"][0]
