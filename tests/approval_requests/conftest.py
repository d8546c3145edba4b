"""An agent outside Walker with its integration token, and the budget type its tenant registered for it."""

import pytest
from rest_framework.test import APIClient

from tenants.identity import integration_tokens
from tests.action_types.conftest import registered

URL = "/api/v1/approval-requests/"


def ask(**changes) -> dict:
    """The body an agent posts to ask for a budget change."""
    return {
        "action": "update_budget",
        "args": {"campaign": "Summer Sale", "amount": "700.00", "audience": 12000},
        "description": "Raise Summer Sale to 700 a day: it sold out yesterday by noon.",
        **changes,
    }


def client_of(owner, scopes=("request",), name="LangGraph budget agent"):
    token, secret = integration_tokens.create_token(owner, name=name, scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    client.token = token
    return client


@pytest.fixture
def budget_type(tenant):
    """The tenant's budget type (tests/action_types): EUR in `amount` (editable), people in `audience`, risk 18."""
    return registered(tenant)


@pytest.fixture
def agent(tenant_admin, budget_type, approver):
    """The agent's API client: a request-scoped token of the tenant admin; an approver decides."""
    return client_of(tenant_admin)


@pytest.fixture
def approver_api(approver):
    client = APIClient()
    client.force_authenticate(approver)
    return client
