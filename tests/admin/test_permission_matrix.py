"""Who may see and do what in the console: one table, role × model × action."""

import pytest
from django.urls import reverse

from hitl.models import HITLApproval
from tenants.models import AccessLog

pytestmark = pytest.mark.shape_neutral("who may do what: the same permission checks on either database")

A, P, S, C, M = "admin", "approver", "support", "compliance", "member"
OK, NO, LOGIN = 200, 403, 302

# (page, {role: expected status})
PAGES = [
    ("admin:tenants_user_changelist", {A: OK, P: NO, S: NO, C: NO, M: LOGIN}),
    ("admin:tenants_accesslog_changelist", {A: OK, P: NO, S: NO, C: OK, M: LOGIN}),
    ("admin:hitl_hitlapproval_changelist", {A: OK, P: OK, S: NO, C: OK, M: LOGIN}),
    ("admin:hitl_hitlworkflow_changelist", {A: OK, P: OK, S: NO, C: NO, M: LOGIN}),
    ("admin:hitl_hitlworkflow_add", {A: OK, P: NO, S: NO, C: NO, M: LOGIN}),
    ("admin:hitl_hitlworkflow_preview", {A: OK, P: OK, S: NO, C: NO, M: LOGIN}),
    ("admin:hitl_hitlworkflow_people", {A: OK, P: NO, S: NO, C: NO, M: LOGIN}),  # a level's people search
    ("admin:hitl_riskpolicy_add", {A: OK, P: NO, S: NO, C: NO, M: LOGIN}),
    ("admin:hitl_riskpolicy_changelist", {A: OK, P: NO, S: NO, C: NO, M: LOGIN}),
    ("admin:conversations_conversation_changelist", {A: OK, P: NO, S: OK, C: OK, M: LOGIN}),
    ("admin:conversations_message_changelist", {A: OK, P: NO, S: OK, C: OK, M: LOGIN}),
    ("admin:agents_campaign_changelist", {A: OK, P: OK, S: OK, C: OK, M: LOGIN}),
    ("admin:agents_tenantactiontype_changelist", {A: OK, P: NO, S: NO, C: NO, M: LOGIN}),
    ("admin:agents_tenantactiontype_add", {A: OK, P: NO, S: NO, C: NO, M: LOGIN}),
    ("admin:agents_toolcallaudit_changelist", {A: OK, P: NO, S: NO, C: OK, M: LOGIN}),
    ("admin:analytics_platformevent_changelist", {A: OK, P: NO, S: NO, C: OK, M: LOGIN}),
    ("admin:django_celery_beat_periodictask_changelist", {A: NO, P: NO, S: NO, C: NO, M: LOGIN}),
]
PAGE_CASES = [(page, role, expected) for page, by_role in PAGES for role, expected in by_role.items()]


@pytest.mark.parametrize("page, role, expected", PAGE_CASES, ids=[f"{p.split(':')[1]}-{r}" for p, r, _ in PAGE_CASES])
def test_pages_by_role(console_as, staff, page, role, expected):
    assert console_as(staff[role]).get(reverse(page)).status_code == expected


# (action, {role: what happens})
ACTIONS = {
    "decide": {A: "decided", P: "decided", S: "forbidden", C: "refused", M: "login"},
    "reveal_pii": {A: "masked", P: "forbidden", S: "masked", C: "revealed", M: "login"},
    "delete_access_record": {A: "forbidden", P: "forbidden", S: "forbidden", C: "forbidden", M: "login"},
}
ACTION_CASES = [(action, role, outcome) for action, by_role in ACTIONS.items() for role, outcome in by_role.items()]


@pytest.mark.parametrize("action, role, outcome", ACTION_CASES, ids=[f"{a}-{r}" for a, r, _ in ACTION_CASES])
def test_actions_by_role(console_as, staff, ask_as, chat_with_pii, action, role, outcome):
    client = console_as(staff[role])
    if action == "decide":
        approval = ask_as(staff[M])
        response = client.post(reverse("admin:hitl_hitlapproval_decide", args=[approval.pk]), {"decision": "approve"})
        status = HITLApproval.objects.get(pk=approval.pk).status
        got = {
            302: "login"
            if "/login/" in response.get("Location", "")
            else ("decided" if status != "pending" else "refused"),
            403: "forbidden",
        }[response.status_code]
    elif action == "reveal_pii":
        response = client.post(
            reverse("admin:conversations_conversation_reveal", args=[chat_with_pii.pk]), {"reason": "audit"}
        )
        if response.status_code == 302 and "/login/" not in response["Location"]:
            response = client.get(response["Location"])
        if response.status_code != 200:
            got = "login" if response.status_code == 302 else "forbidden"
        else:
            got = "revealed" if "priya.shah@acme.test" in response.content.decode() else "masked"
    else:
        record = AccessLog.objects.create(
            tenant=staff[A].tenant, actor=staff[A], actor_ref="x", action="viewed",
            object_type="t", object_id="1", object_repr="r", path="/",
        )  # fmt: skip
        response = client.post(reverse("admin:tenants_accesslog_delete", args=[record.pk]), {"post": "yes"})
        got = "login" if response.status_code == 302 else "forbidden"
        assert AccessLog.objects.filter(pk=record.pk).exists()
    assert got == outcome


def test_superusers_cannot_change_or_delete_access_records_either(console_as, superuser, tenant):
    record = AccessLog.objects.create(
        tenant=tenant, actor=superuser, actor_ref="root", action="viewed",
        object_type="t", object_id="1", object_repr="r", path="/",
    )  # fmt: skip
    client = console_as(superuser)
    assert client.get(reverse("admin:tenants_accesslog_changelist")).status_code == 200
    assert client.post(reverse("admin:tenants_accesslog_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:tenants_accesslog_add")).status_code == 403
    assert (
        client.post(reverse("admin:tenants_accesslog_change", args=[record.pk]), {"actor_ref": "y"}).status_code == 403
    )
    assert AccessLog.objects.get(pk=record.pk).actor_ref == "root"


def test_another_tenants_objects_answer_404_in_the_console(console_as, staff, outsider, ask_as, chat_with_pii):
    approval = ask_as(staff[M])
    client = console_as(outsider)
    assert client.get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).status_code == 404
    assert (
        client.post(reverse("admin:hitl_hitlapproval_decide", args=[approval.pk]), {"decision": "approve"}).status_code
        == 404
    )
    assert client.get(reverse("admin:conversations_conversation_change", args=[chat_with_pii.pk])).status_code == 404
    assert HITLApproval.objects.get(pk=approval.pk).status == "pending"
