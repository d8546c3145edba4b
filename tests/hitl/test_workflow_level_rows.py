"""Workflow levels as rows (issue 47, point 6): the stored JSON levels migrated to WorkflowLevel rows in order,
the console's inline and the API's nested serializer refusing the same levels in the same words, and an approval
keeping its JSON snapshot when its workflow's levels change."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from hitl.models import HITLWorkflow, WorkflowLevel
from hitl.services.levels import current_level
from tenants.roles import Role
from tests.factories import UserFactory
from tests.hitl.test_workflow_forms import ADD, admin_errors, admin_form, levels_of

BEFORE = [("hitl", "0003_workflow_levels")]  # the rows' table is there, the levels are still JSON
LEVEL = {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.slow  # migrates the database back and forth
@pytest.mark.django_db(transaction=True)
def test_the_json_levels_become_rows_in_order_with_people_by_email_and_by_id(tenant, approver, second_approver):
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    gone = UserFactory(tenant=tenant, role=Role.APPROVER, is_active=False)
    stranger = UserFactory(role=Role.APPROVER)  # another tenant's: it matched no one of this tenant's, nor will
    try:
        old = _migrate(BEFORE)
        workflow = old.get_model("hitl", "HITLWorkflow").objects.create(
            tenant_id=tenant.pk,
            name="Two levels",
            approval_levels=[
                {"name": "Marketing lead", "approvers": {"users": [approver.email.upper(), str(gone.pk)]},
                 "required_approvals": 1},
                {"approvers": {"roles": ["admin"], "users": [str(second_approver.pk), str(stranger.pk), "x@y.test"]},
                 "required_approvals": 2},
            ],
        )  # fmt: skip
        _migrate(leaf)
        first, second = WorkflowLevel.objects.filter(workflow_id=workflow.pk)
        assert (first.position, first.name, first.roles, first.required_approvals) == (1, "Marketing lead", [], 1)
        assert set(first.users.all()) == {approver, gone}  # the engine passes over who left, as it did
        assert (second.position, second.name, second.roles, second.required_approvals) == (2, "", ["admin"], 2)
        assert list(second.users.all()) == [second_approver]

        back = _migrate(BEFORE)  # and back: the JSON again, people by id
        stored = back.get_model("hitl", "HITLWorkflow").objects.get(pk=workflow.pk).approval_levels
        assert stored == [
            {"approvers": {"users": sorted([str(approver.pk), str(gone.pk)])}, "name": "Marketing lead",
             "required_approvals": 1},
            {"approvers": {"roles": ["admin"], "users": [str(second_approver.pk)]}, "required_approvals": 2},
        ]  # fmt: skip
    finally:
        _migrate(leaf)


# --- the inline and the API refuse the same levels, in the same words ---------------------------------------------


def _api_levels(case, people):
    return {
        "zero approvals": [{**LEVEL, "required_approvals": 0}],
        "no approvers": [{**LEVEL, "approvers": {}}],
        "duplicate positions": [{**LEVEL, "position": 1}, {**LEVEL, "name": "Again", "position": 1}],
        "a member by name": [{**LEVEL, "approvers": {"users": [str(people["requester"].pk)]}}],
    }[case]


def _inline_rows(case, people):
    row = {"name": "Approvers", "roles": ["approver"], "required_approvals": "1"}
    return {
        "zero approvals": [{**row, "required_approvals": "0"}],
        "no approvers": [{"name": "Approvers", "required_approvals": "1"}],
        "duplicate positions": [{**row, "position": "1"}, {**row, "name": "Again", "position": "1"}],
        "a member by name": [{"name": "Approvers", "users": [str(people["requester"].pk)], "required_approvals": "1"}],
    }[case]


@pytest.mark.parametrize("case", ["zero approvals", "no approvers", "duplicate positions", "a member by name"])
def test_the_inline_and_the_api_refuse_the_same_levels_in_the_same_words(
    console_as, api_as, tenant_admin, requester, case
):
    people = {"requester": requester}
    api = api_as(tenant_admin).post(
        "/api/hitl/workflows/", {"name": "Bad", "approval_levels": _api_levels(case, people)}, format="json"
    )
    assert api.status_code == 400, api.content
    page = console_as(tenant_admin).post(ADD, admin_form(levels=_inline_rows(case, people)))
    assert page.status_code == 200, "the console saved what the API refused"
    assert sorted(admin_errors(page)["approval_levels"]) == sorted(api.json()["approval_levels"])
    assert not HITLWorkflow.objects.exists()


def test_duplicate_positions_are_named(api_as, tenant_admin):
    levels = [{**LEVEL, "position": 2}, {**LEVEL, "position": 1}, {**LEVEL, "position": 2}]
    answer = api_as(tenant_admin).post(
        "/api/hitl/workflows/", {"name": "Bad", "approval_levels": levels}, format="json"
    )
    assert answer.json()["approval_levels"] == ["Two levels cannot share a position: 2."]


def test_a_duplicate_position_is_refused_by_the_database_too(workflow):
    stored = workflow()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkflowLevel.objects.create(workflow=stored, position=1, roles=["admin"])


# --- the API's nested levels ---------------------------------------------------------------------------------------


def test_the_api_gives_the_levels_back_nested_and_replaces_them_when_sent(api_as, tenant_admin, approver, workflow):
    stored = workflow(approval_levels=[LEVEL, {"name": "Named", "approvers": {"users": [approver.email]}}])
    client = api_as(tenant_admin)
    url = f"/api/hitl/workflows/{stored.pk}/"
    assert client.get(url).json()["approval_levels"] == [
        {"position": 1, "name": "Approvers", "approvers": {"roles": ["approver"], "groups": [], "users": []},
         "required_approvals": 1},
        {"position": 2, "name": "Named", "approvers": {"roles": [], "groups": [], "users": [str(approver.pk)]},
         "required_approvals": 1},
    ]  # fmt: skip
    assert client.patch(url, {"sla_hours": 8}, format="json").status_code == 200
    assert [level["name"] for level in levels_of(stored)] == ["Approvers", "Named"]  # not sent: kept
    answer = client.patch(url, {"approval_levels": [{**LEVEL, "name": "Only"}]}, format="json")
    assert answer.status_code == 200, answer.json()
    assert [level["name"] for level in answer.json()["approval_levels"]] == ["Only"]
    assert levels_of(stored) == [{**LEVEL, "name": "Only"}]


# --- the approval's snapshot ---------------------------------------------------------------------------------------


def test_an_approval_keeps_its_json_snapshot_when_the_workflows_levels_change(ask, workflow, approver, second_approver):
    stored = workflow(approval_levels=[{**LEVEL, "approvers": {"users": [approver.email]}}])
    approval = ask()
    snapshot = approval.workflow_snapshot
    assert snapshot["approval_levels"] == [{**LEVEL, "approvers": {"users": [str(approver.pk)]}}]

    stored.levels.all().delete()
    stored.levels.create(position=1, name="Someone else", roles=["admin"])
    stored.levels.create(position=2, name="And more", roles=["admin"])
    approval.refresh_from_db()
    assert approval.workflow_snapshot == snapshot and approval.total_levels == 1
    assert current_level(approval).users == (str(approver.pk),)  # it still goes to whom it went to
