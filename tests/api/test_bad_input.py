"""Bad input is a 4xx with a code and a reason, never a 500, and changes nothing (issue 17, point 4)."""

import json

import pytest

from conversations.models import Conversation
from hitl.models import HITLWorkflow
from tests.factories import ConversationFactory

LEVELS = [{"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1}]
DEEP = "[" * 20000 + "]" * 20000


def post_raw(client, path, body: str):
    return client.generic("POST", path, body.encode("utf-8", "surrogatepass"), content_type="application/json")


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/hitl/workflows/", "/api/conversations/"])
def test_deeply_nested_json_is_a_400_with_a_code(api_as, tenant_admin, path):
    response = post_raw(api_as(tenant_admin), path, DEEP)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and "nest" in response.json()["detail"]


def test_an_anonymous_deeply_nested_login_is_a_400(api_client, db):
    response = post_raw(api_client, "/api/auth/token/", DEEP)
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_moderately_nested_json_past_the_bound_is_refused_too(api_as, tenant_admin):
    nested = {"x": 1}
    for _ in range(40):
        nested = {"x": nested}
    response = api_as(tenant_admin).post(
        "/api/hitl/workflows/", {"name": "Deep", "approval_levels": LEVELS, "custom_rules": nested}, format="json"
    )
    assert response.status_code == 400
    assert not HITLWorkflow.objects.exists()


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b"])
def test_nul_or_a_lone_surrogate_in_workflow_json_is_a_400(api_as, tenant_admin, text):
    body = json.dumps({"name": "W", "approval_levels": LEVELS, "custom_rules": {"note": text}})
    response = post_raw(api_as(tenant_admin), "/api/hitl/workflows/", body)
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert not HITLWorkflow.objects.exists()


def test_nan_is_not_json(api_as, tenant_admin):
    response = post_raw(api_as(tenant_admin), "/api/hitl/workflows/", '{"name": "W", "sla_hours": NaN}')
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["%00", "wizard"])
def test_an_unknown_role_filter_is_a_400(api_as, tenant_admin, role):
    response = api_as(tenant_admin).get(f"/api/users/?role={role}")
    assert response.status_code == 400 and "role" in response.json()


def test_the_role_filter_still_filters(api_as, tenant_admin, approver, colleague):
    emails = [u["email"] for u in api_as(tenant_admin).get("/api/users/?role=approver").json()["results"]]
    assert emails == [approver.email]


def test_a_superuser_without_a_tenant_cannot_start_a_conversation(api_as, superuser):
    response = api_as(superuser).post("/api/conversations/", {"channel": "api"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Conversation.objects.exists()


def test_a_superuser_without_a_tenant_cannot_create_a_workflow(api_as, superuser):
    response = api_as(superuser).post(
        "/api/hitl/workflows/", {"name": "Nowhere", "approval_levels": LEVELS}, format="json"
    )
    assert response.status_code == 403
    assert not HITLWorkflow.objects.exists()


def test_not_found_answers_carry_a_code(api_as, tenant_admin):
    response = api_as(tenant_admin).get("/api/hitl/approvals/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("query", ["breached=maybe", "assigned_to_me=null", "page_size=abc", "page_size=0"])
def test_unreadable_query_parameters_are_a_400(api_as, tenant_admin, query):
    response = api_as(tenant_admin).get(f"/api/hitl/approvals/?{query}")
    assert response.status_code == 400 and query.split("=")[0] in response.json()


def test_an_unknown_api_path_is_a_json_404(api_as, tenant_admin):
    response = api_as(tenant_admin).post("/api/hitl/approvals/not.a.uuid/approve/", {}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_form_encoded_body_is_a_415(api_as, tenant_admin):
    response = api_as(tenant_admin).post("/api/conversations/", "channel=api", content_type="text/plain")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


def test_the_schema_documents_the_errors_and_the_nulls(api_client, db):
    schema = api_client.get("/api/schema/?format=json").json()
    approve = schema["paths"]["/api/hitl/approvals/{id}/approve/"]["post"]["responses"]
    assert {"400", "403", "404", "409", "429"} <= set(approve)
    assert "429" in schema["paths"]["/api/auth/token/"]["post"]["responses"]
    approval = schema["components"]["schemas"]["ApprovalDetail"]["properties"]
    assert approval["requested_by"]["nullable"] and approval["assigned_to"]["nullable"]


@pytest.mark.parametrize("body", [{"client_msg_id": 1048575}, {"message": 42}, {"message": True}])
def test_a_number_where_the_schema_says_string_is_a_400_and_starts_nothing(api_as, tenant_admin, body):
    response = api_as(tenant_admin).post("/api/conversations/", body, format="json")
    assert response.status_code == 400 and "Must be a string." in json.dumps(response.json())
    assert not Conversation.objects.exists()


def test_a_number_as_a_message_to_a_conversation_is_a_400(api_as, tenant_admin):
    conversation = ConversationFactory(user=tenant_admin, channel="api")
    response = api_as(tenant_admin).post(
        f"/api/conversations/{conversation.pk}/messages/", {"message": 7, "client_msg_id": 3}, format="json"
    )
    assert response.status_code == 400 and not conversation.messages.exists()
