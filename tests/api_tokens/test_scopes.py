"""An integration token's scopes on every endpoint: reading needs `read`, anything else `write`, deciding approvals
`decide`; within them the token answers exactly as its owner would (the access matrix, tests/api), never more."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from hitl.models import HITLApproval
from tenants.identity import integration_tokens
from tenants.models import User
from tenants.roles import Role
from tests.api.test_access_matrix import ENDPOINTS, call

pytestmark = pytest.mark.shape_neutral("who may do what: the same permission checks on either database")

DECIDING = ("approve", "reject", "escalate", "retry", "mark-failed")
UNSAFE = ("post", "put", "patch", "delete")
# Sign-in endpoints read no credentials at all (a password or a refresh token is the credential).
UNAUTHENTICATED = {"api/auth/token/", "api/v1/auth/token/", "api/v1/auth/token/refresh/", "api/v1/auth/token/revoke/"}


def token_client(user, scopes):
    _, secret = integration_tokens.create_token(user, name="test", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def needs(method, path):
    if "/approval-requests/" in path:
        return "request"
    if any(f"/{verb}/" in path for verb in DECIDING):
        return "decide"
    return "read" if method == "get" else "write"


ADMIN_CASES = [(method, path, by_caller["admin"]) for method, path, by_caller in ENDPOINTS]


@pytest.mark.parametrize("method, path, expected", ADMIN_CASES, ids=[f"{m} {p}" for m, p, _ in ADMIN_CASES])
@pytest.mark.parametrize("scopes", [["read"], ["write"], ["decide"]])  # each one alone: what it allows, refuses
def test_each_endpoint_of_the_matrix_needs_its_scope_and_answers_as_the_owner(callers, rows, method, path, expected,
                                                                              scopes):  # fmt: skip
    client = token_client(callers[Role.ADMIN], scopes)
    response = call(client, method, path.format(**rows), person=rows["colleague"])
    if needs(method, path) in scopes:
        assert response.status_code == expected, response.content[:300]
    else:
        assert response.status_code == 403 and response.json()["code"] == "scope_missing", response.content[:300]


REQUESTING = {"get": 200, "post": 202}  # an agent outside Walker files and reads its tenant's requests
# ...and reports the outcome of its own only: this token did not file the matrix's request
REPORTING = 403


@pytest.mark.parametrize("method, path", [(m, p) for m, p, _ in ENDPOINTS], ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_the_request_scope_reaches_the_approval_requests_and_nothing_else(callers, rows, method, path):
    response = call(token_client(callers[Role.ADMIN], ["request"]), method, path.format(**rows))
    if needs(method, path) == "request":
        expected = REPORTING if path.endswith("/result/") else REQUESTING[method]
        assert response.status_code == expected, response.content[:300]
    else:  # deciding among the rest: an agent never approves its own request
        assert response.status_code == 403 and response.json()["code"] == "scope_missing", response.content[:300]


ANY_ID = str(uuid.UUID(int=1))  # the same in every pytest-xdist worker: each collects the same test names


def api_routes():
    """Every URL of the API with placeholders filled: each router and path pattern under /api/."""

    def walk(patterns, prefix):
        for pattern in patterns:
            text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                yield text

    for text in walk(get_resolver().url_patterns, ""):
        text = text.replace("\\.", ".")
        concrete = re.sub(r"\(\?P<\w+>[^)]*\)|<[\w:]+>", ANY_ID, text)
        if concrete.startswith("api/") and "(" not in concrete and concrete != "api/":
            yield concrete


ROUTES = sorted(set(api_routes()))


def test_the_walk_finds_the_api():
    assert {"api/me/", "api/hitl/approvals/", "api/v1/auth/integration-tokens/"} <= set(ROUTES)
    assert any(route.endswith("/approve/") for route in ROUTES) and len(ROUTES) > 30


@pytest.mark.parametrize("route", ROUTES)
def test_a_read_only_token_changes_nothing_anywhere(tenant_admin, route):
    client = token_client(tenant_admin, ["read"])
    for method in UNSAFE:
        response = getattr(client, method)(f"/{route}", {}, format="json")
        if route in UNAUTHENTICATED:
            assert response.status_code in (400, 401, 405)  # the token is not read: the body is the credential
            continue
        assert response.status_code in (403, 405), (method, route, response.status_code)
        if response.status_code == 403:
            assert response.json()["code"] in ("scope_missing", "forbidden", "permission_denied"), response.json()


@pytest.mark.parametrize("route", [route for route in ROUTES if not route.endswith(("/export/", "/events/"))])
def test_a_write_only_token_reads_nothing(tenant_admin, route):
    response = token_client(tenant_admin, ["write"]).get(f"/{route}")
    if route in UNAUTHENTICATED or "schema" in route or "docs" in route:
        return
    assert response.status_code in (403, 405), (route, response.status_code)


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_a_write_token_cannot_decide(callers, rows, verb):
    client = token_client(callers[Role.APPROVER], ["read", "write"])
    answer = call(client, "post", f"/api/hitl/approvals/{rows['approval']}/{verb}/")
    assert answer.status_code == 403 and answer.json()["code"] == "scope_missing"
    assert HITLApproval.objects.get(pk=rows["approval"]).status == "pending"


def test_a_decide_token_decides_only_what_its_owner_may(callers, rows):
    url = f"/api/hitl/approvals/{rows['approval']}/approve/"
    for role, refused in ((Role.MEMBER, 404), (Role.SUPPORT, 404), (Role.COMPLIANCE, 403)):
        assert call(token_client(callers[role], ["decide"]), "post", url).status_code == refused
    assert HITLApproval.objects.get(pk=rows["approval"]).status == "pending"
    assert call(token_client(callers[Role.APPROVER], ["decide"]), "post", url).status_code == 200
    assert HITLApproval.objects.get(pk=rows["approval"]).status != "pending"


def test_cancelling_ones_own_request_is_writing(callers, rows):
    colleague = User.objects.get(pk=rows["colleague"])
    url = f"/api/hitl/approvals/{rows['approval']}/cancel/"
    assert call(token_client(colleague, ["decide"]), "post", url).json()["code"] == "scope_missing"
    assert call(token_client(colleague, ["write"]), "post", url).status_code == 200
