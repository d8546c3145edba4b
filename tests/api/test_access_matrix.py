"""Who may read and do what through the API: one table, endpoint × caller, mirroring the admin's matrix.

Callers: the five roles of the tenant, a platform superuser, an anonymous caller and another tenant's
admin. The rows read are a colleague's (a member of the same tenant): their conversation, and an
approval they asked for. Expected statuses follow one rule, the access layer's: outside what the
caller may see 404, seen but not allowed 403, anonymous 403 (session authentication answers first).
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from agents.models import AIAgent
from hitl.models import HITLApproval, HITLNotification
from hitl.services.outside import Ask, file_request
from hitl.services.requests import request_approval
from tenants.identity.integration_tokens import create_token
from tenants.models import AccessLog, SubjectRequest, User
from tenants.roles import Role
from tests.action_types.conftest import BODY as ACTION_TYPE
from tests.action_types.conftest import registered
from tests.factories import (
    CampaignFactory,
    ConversationFactory,
    HITLWorkflowFactory,
    MessageFactory,
    TenantFactory,
    UserFactory,
    budget_action,
)
from tests.made_once import made_once

pytestmark = pytest.mark.shape_neutral("who may do what: the same permission checks on either database")

A, P, S, C, M, SU, ANON, OUT = "admin", "approver", "support", "compliance", "member", "superuser", "anon", "outsider"
CALLERS = (A, P, S, C, M, SU, ANON, OUT)
DAY = "?start=2026-01-01&end=2026-01-31"


def row(**by_caller):
    """Expected status per caller; `default` for those not named."""
    default = by_caller.pop("default")
    return {caller: by_caller.get(caller, default) for caller in CALLERS}


# (method, path template, expected status by caller)
ENDPOINTS = [
    ("get", "/api/me/", row(default=200, anon=403)),
    ("get", "/api/users/", row(default=200, anon=403)),
    ("get", "/api/users/{colleague}/", row(default=404, admin=200, superuser=200, anon=403)),
    ("get", "/api/conversations/", row(default=200, anon=403)),
    (
        "get",
        "/api/conversations/{conversation}/",
        row(default=404, admin=200, support=200, compliance=200, superuser=200, anon=403),
    ),  # fmt: skip
    (
        "get",
        "/api/conversations/{conversation}/events/",
        row(default=404, admin=200, support=200, compliance=200, superuser=200, anon=403),
    ),  # fmt: skip
    (
        "post",
        "/api/conversations/{conversation}/messages/",
        row(default=404, admin=403, support=403, compliance=403, superuser=403, anon=403),
    ),  # fmt: skip
    ("get", "/api/hitl/approvals/", row(default=200, anon=403)),
    (
        "get",
        "/api/hitl/approvals/{approval}/",
        row(default=404, admin=200, approver=200, compliance=200, superuser=200, anon=403),
    ),  # fmt: skip
    ("get", "/api/hitl/approvals/export/", row(default=200, support=403, member=403, anon=403, outsider=200)),
    (
        "post",
        "/api/hitl/approvals/{approval}/approve/",
        row(default=404, admin=200, approver=200, compliance=403, superuser=403, anon=403),
    ),  # fmt: skip
    (
        "post",
        "/api/hitl/approvals/{approval}/reject/",
        row(default=404, admin=200, approver=200, compliance=403, superuser=403, anon=403),
    ),  # fmt: skip
    (
        "post",
        "/api/hitl/approvals/{approval}/escalate/",
        row(default=404, admin=200, approver=200, compliance=403, superuser=200, anon=403),
    ),  # fmt: skip
    (
        "post",
        "/api/hitl/approvals/{approval}/cancel/",
        row(default=404, admin=200, approver=403, compliance=403, superuser=200, anon=403),
    ),  # fmt: skip
    (
        "post",
        "/api/hitl/approvals/{approval}/retry/",
        row(default=404, admin=409, approver=409, compliance=403, superuser=409, anon=403),
    ),  # fmt: skip
    ("get", "/api/hitl/workflows/", row(default=403, admin=200, superuser=200, outsider=200)),
    (
        "post",
        "/api/hitl/approvals/{approval}/mark-failed/",
        row(default=404, admin=409, approver=409, compliance=403, superuser=409, anon=403),
    ),  # fmt: skip
    ("post", "/api/conversations/", row(default=201, superuser=403, anon=403)),
    # human takeover: support and admins of the tenant handle its conversations; compliance only watches
    *[
        (
            "post",
            f"/api/conversations/{{conversation}}/{step}/",
            row(default=404, admin=ok, support=ok, compliance=403, superuser=403, anon=403),
        )
        for step, ok in (
            ("assign", 200),
            ("notes", 201),
            ("replies", 409),
            ("release", 409),
            ("resolve", 200),
            ("suggest", 200),
        )
    ],  # fmt: skip
    ("get", "/api/hitl/workflows/{workflow}/", row(default=403, admin=200, superuser=200, outsider=404)),
    ("patch", "/api/hitl/workflows/{workflow}/", row(default=403, admin=200, superuser=200, outsider=404)),
    ("delete", "/api/hitl/workflows/{workflow}/", row(default=403, admin=204, superuser=204, outsider=404)),
    ("post", "/api/hitl/workflows/", row(default=403, admin=201, superuser=403, outsider=201)),
    # the tenant's own action types: its admins only, another tenant's 404
    ("get", "/api/v1/action-types/", row(default=403, admin=200, superuser=200, outsider=200)),
    ("get", "/api/v1/action-types/{action_type}/", row(default=403, admin=200, superuser=200, outsider=404)),
    ("patch", "/api/v1/action-types/{action_type}/", row(default=403, admin=200, superuser=200, outsider=404)),
    ("delete", "/api/v1/action-types/{action_type}/", row(default=403, admin=204, superuser=204, outsider=404)),
    ("post", "/api/v1/action-types/", row(default=403, admin=201, superuser=403, outsider=201)),
    # agents outside Walker: only an integration token with the request scope (tests/api_tokens/test_scopes.py)
    ("get", "/api/v1/approval-requests/", row(default=403)),
    ("post", "/api/v1/approval-requests/", row(default=403)),
    ("get", "/api/v1/approval-requests/{outside_request}/", row(default=403)),
    ("post", "/api/v1/approval-requests/{outside_request}/result/", row(default=403)),
    ("get", "/api/hitl/notifications/{notification}/", row(default=404, approver=200, anon=403)),  # one's own
    ("get", "/api/subject-requests/", row(default=403, admin=200, compliance=200, superuser=200, outsider=200)),
    (
        "get",
        "/api/subject-requests/{subject_request}/",
        row(default=404, admin=200, compliance=200, superuser=200, anon=403),
    ),  # fmt: skip
    ("post", "/api/subject-requests/", row(default=403, admin=200, compliance=200, superuser=200, outsider=404)),
    ("get", "/api/hitl/notifications/", row(default=200, anon=403)),
    (
        "get",
        "/api/analytics/conversations/" + DAY,
        row(default=403, admin=200, support=200, compliance=200, superuser=200, outsider=200),
    ),  # fmt: skip
    (
        "get",
        "/api/analytics/hitl/" + DAY,
        row(default=403, admin=200, approver=200, compliance=200, superuser=200, outsider=200),
    ),  # fmt: skip
    (
        "get",
        "/api/analytics/conversations/export/" + DAY,
        row(default=403, admin=200, support=200, compliance=200, superuser=200, outsider=200),
    ),  # fmt: skip
    (
        "get",
        "/api/analytics/hitl/export/" + DAY,
        row(default=403, admin=200, approver=200, compliance=200, superuser=200, outsider=200),
    ),  # fmt: skip
    ("post", "/api/chat/token/", row(default=200, superuser=403, anon=403)),
    (
        "get",
        "/api/analytics/exports/conversations/" + DAY,
        row(default=403, admin=200, support=200, compliance=200, superuser=200, outsider=200),
    ),  # fmt: skip
    (
        "get",
        "/api/analytics/exports/access-log/" + DAY,
        row(default=403, admin=200, compliance=200, superuser=200, outsider=200),
    ),  # fmt: skip
]
CASES = [(method, path, caller, by_caller[caller]) for method, path, by_caller in ENDPOINTS for caller in CALLERS]
BODIES = {
    "messages": {"message": "hello"},
    "reject": {"reason": "no"},
    "escalate": {"reason": "needs a look"},
    "notes": {"text": "Called back, sorted"},
    "replies": {"text": "Hello, Dana here"},
    "action-types": ACTION_TYPE,
    "approval-requests": {
        "action": "matrix_action",
        "args": {"campaign": "Autumn Sale", "amount": "90.00"},
        "description": "Raise Autumn Sale to 90 a day",
    },
    "workflows": {
        "name": "Budgets",
        "action_types": ["set_budget"],
        "approval_levels": [{"approvers": {"roles": ["admin"]}}],
    },
}
EXPORT = {"kind": "export", "reason": "subject access request"}  # about the colleague, posted to subject-requests


def _people_and_rows() -> dict:
    """The callers, and a colleague's conversation and a pending approval they asked for in it: primary keys."""
    tenant = TenantFactory(name="Matrix Outdoor", slug="matrix")
    people = {role: UserFactory(tenant=tenant, role=role, email=f"{role}.person@matrix.test") for role in Role.values}
    people[SU] = UserFactory(tenant=None, is_superuser=True, email="root@matrix.test")
    people[OUT] = UserFactory(tenant=TenantFactory(slug="matrix-other"), role=Role.ADMIN, email="admin@other.test")
    colleague = UserFactory(tenant=tenant, role=Role.MEMBER, email="colleague@matrix.test")
    conversation = ConversationFactory(user=colleague, channel="api")
    MessageFactory(conversation=conversation, text="Call me on +1 415 555 0142")
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    approval = request_approval(
        tenant=tenant, agent=agent, action=budget_action(campaign), requested_by=colleague, conversation=conversation
    )
    workflow = HITLWorkflowFactory(
        tenant=tenant, is_active=False, approval_levels=[{"approvers": {"roles": ["admin"]}}], notification_channels=[]
    )
    notification = HITLNotification.objects.filter(approval=approval, recipient__role=Role.APPROVER).first()
    subject_request = SubjectRequest.objects.create(
        tenant=tenant, kind="export", subject=colleague, subject_ref=str(colleague.pk), reason="asked by the person"
    )
    action_type = registered(tenant, key="matrix_action")  # the body posted registers another, update_budget
    agent, _secret = create_token(people[Role.ADMIN], name="Matrix agent", scopes=["request"])
    outside = file_request(agent, Ask("matrix_action", {"campaign": "Summer Sale", "amount": 80}, "Raise it"))
    rows = {
        "action_type": action_type.pk,
        "conversation": conversation.pk,
        "approval": approval.pk,
        "outside_request": outside.request.approval_id,
        "colleague": colleague.pk,
        "workflow": workflow.pk,
        "notification": notification.pk,
        "subject_request": subject_request.pk,
    }
    return {"people": {caller: person.pk for caller, person in people.items()}, "rows": rows}


@pytest.fixture(scope="module")
def _matrix(django_db_blocker):
    """Made once for the module (tests/made_once.py): the matrix's hundreds of cases read the same people and rows."""
    with made_once(django_db_blocker, _people_and_rows) as made:
        yield made


@pytest.fixture
def callers(db, _matrix):
    people = User.objects.in_bulk(_matrix["people"].values())
    return {**{caller: people[pk] for caller, pk in _matrix["people"].items()}, ANON: None}


@pytest.fixture
def rows(db, _matrix):
    return _matrix["rows"]


@pytest.mark.parametrize("method, path, caller, expected", CASES, ids=[f"{m} {p} {c}" for m, p, c, _ in CASES])
def test_the_api_answers_each_caller_by_the_access_layer(callers, rows, method, path, caller, expected):
    client = APIClient()
    if callers[caller] is not None:
        client.force_authenticate(callers[caller])
    response = call(client, method, path.format(**rows), person=rows["colleague"])
    assert response.status_code == expected, response.content[:300]


def call(client, method, url, person=None):
    """`method` on `url` with the body its endpoint takes (`person`: whom a subject request names)."""
    body = next((b for key, b in BODIES.items() if f"/{key}/" in url), {})
    if url.endswith("/subject-requests/"):
        body = {**EXPORT, "person": str(person)}
    if method == "patch" and "/action-types/" in url:
        body = {"base_risk": 7}  # a type's key is fixed once it exists: the posted body's would be refused
    return client.get(url) if method == "get" else getattr(client, method)(url, body, format="json")


def test_a_refused_read_leaves_no_access_record(callers, rows):
    for caller in (P, M, OUT):
        client = APIClient()
        client.force_authenticate(callers[caller])
        assert client.get(f"/api/conversations/{rows['conversation']}/").status_code == 404
    assert not AccessLog.objects.exists()
    assert HITLApproval.objects.get(pk=rows["approval"]).status == "pending"
