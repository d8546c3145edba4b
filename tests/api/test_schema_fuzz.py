"""Schemathesis over the whole OpenAPI schema: no operation answers 5xx, and answers match the schema
(issue 17, point 4). A bounded, derandomised number of examples per operation keeps it fast for CI.

On PostgreSQL only, as deployments run: it refuses what SQLite lets through (text over a column's length, a NUL
character, an integer past its column's range), so the same derandomised cases find more there, and on SQLite
they would only repeat its work (about 70 s of processor a run, and 6 s per xdist worker to build the schema at
collection, which the skip below spares)."""

import pytest
from django.db import connection

if connection.vendor != "postgresql":
    pytest.skip("needs PostgreSQL (what SQLite lets through); CI runs it (DATABASE_URL)", allow_module_level=True)

import schemathesis  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance  # noqa: E402

from tenants.identity.integration_tokens import create_token
from tests.action_types.conftest import registered

EXAMPLES = 25  # per operation
EXCLUDED = [
    ignored_auth,  # it would read the fixed token every case carries as auth the API "ignores"
    positive_data_acceptance,  # business rules go past the schema: e.g. a level's approvers must be the tenant's
]

# The schema as Walker serves it; cases call the same WSGI app in the test's thread and transaction.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def token_header(tenant_admin):
    """A signed-in tenant admin, with a finished request never closing the test's database connection
    (as Django's own test client arranges)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Token {Token.objects.create(user=tenant_admin).key}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
def test_the_api_answers_as_its_schema_says_and_never_5xx(case, token_header):
    case.call_and_validate(headers=token_header, excluded_checks=EXCLUDED)


# The approval requests answer an integration token with the request scope alone (an agent outside Walker): the
# run above reaches only their refusals, this one what they file and read, the schema's example body first.
approval_requests = schema.include(path_regex="^/api/v1/approval-requests/")


@pytest.fixture
def agent_header(token_header, tenant_admin):
    registered(tenant_admin.tenant)  # the type the schema's example asks for
    _token, secret = create_token(tenant_admin, name="Fuzzed agent", scopes=["request"])
    return {"Authorization": f"Token {secret}"}


@pytest.mark.slow
@approval_requests.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
def test_the_approval_requests_answer_an_agent_as_their_schema_says(case, agent_header):
    case.call_and_validate(headers=agent_header, excluded_checks=EXCLUDED)
