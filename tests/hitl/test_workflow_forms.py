"""Workflows and risk policies as forms in the admin (issue 16, point 5): widgets instead of JSON, one
validator with the API, the built-in default shown and copyable, and a preview of what a request would meet.
The levels are rows in an inline (issue 47, point 6): its rows are posted as `levels-<n>-<field>`."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agents.actions import ProposedAction
from agents.models import AIAgent
from hitl import preview, rules
from hitl.models import HITLApproval, HITLWorkflow, RiskPolicy
from hitl.risk import assess, readable_factors
from hitl.services.requests import request_approval
from tests.factories import HITLWorkflowFactory, UserFactory, spend_history

pytestmark = pytest.mark.shape_neutral(
    "the console's forms and their validation; the levels' rows are tested on both shapes"
)

ADD = reverse("admin:hitl_hitlworkflow_add")
LEVEL = {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1}


def management(prefix):
    return {f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def admin_form(levels=({"name": "Approvers", "roles": ["approver"], "required_approvals": "1"},), approve_when=(),
               reject_when=(), **fields):  # fmt: skip
    """What the admin's add form posts: the plain fields, then one formset per section."""
    data = {
        "name": "Budget changes", "description": "", "is_active": "on", "parallel_approval": "on", "sla_hours": "24",
        "expire_hours": "72", "max_reminders": "3", "notification_channels": ["in_app"],
        **management("levels"), **management("approve_when"), **management("reject_when"),
    }  # fmt: skip
    blank_level, blank_condition = {"name": "", "required_approvals": "1"}, {"field": "", "op": "", "value": ""}
    sections = (("levels", levels, blank_level), ("approve_when", approve_when, blank_condition),
                ("reject_when", reject_when, blank_condition))  # fmt: skip
    for prefix, rows, blank in sections:  # each with the empty row a browser posts too
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) + 1)
        for number, row in enumerate([*rows, blank]):
            data.update({f"{prefix}-{number}-{key}": value for key, value in row.items()})
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def levels_inline(page):
    """The levels' inline formset of a workflow page."""
    (inline,) = [i for i in page.context["inline_admin_formsets"] if i.formset.prefix == "levels"]
    return inline.formset


def admin_errors(page) -> dict:
    """The errors the admin shows, by field: the workflow's own, and each row's as `<prefix>-<row>-<field>`. The
    levels' reasons are also under "approval_levels" as the API words them: each row's led by its level."""
    form = page.context["adminform"].form
    errors = {field: list(messages) for field, messages in form.errors.items()}
    for formset in [*form.formsets.values(), levels_inline(page)]:
        for number, row in enumerate(formset.forms):
            errors.update({f"{formset.prefix}-{number}-{field}": list(m) for field, m in row.errors.items()})
    levels = levels_inline(page)
    reasons = list(levels.non_form_errors())
    for number, row in enumerate(levels.forms, start=1):
        position = row.cleaned_data.get("position") if hasattr(row, "cleaned_data") else None
        reasons += [
            f"Level {position or number}: {message}" for messages in row.errors.values() for message in messages
        ]
    if reasons:
        errors["approval_levels"] = reasons
    return errors


def levels_of(workflow) -> list[dict]:
    """A workflow's levels as an approval's snapshot holds them."""
    return [level.as_rule() for level in workflow.levels.all()]


# --- the user's case: what the admin saved, the API refused, and the engine ignored -------------------------


def test_an_unknown_action_type_is_refused_by_the_admin_as_by_the_api(console_as, api_as, tenant_admin):
    payload = {"name": "W", "approval_levels": [LEVEL], "action_types": ["raise budget"]}
    api = api_as(tenant_admin).post("/api/hitl/workflows/", payload, format="json")
    assert api.status_code == 400 and "action_types" in api.json()
    page = console_as(tenant_admin).post(ADD, admin_form(action_types=["raise budget"]))
    assert page.status_code == 200
    assert "raise budget is not one of the available choices" in " ".join(admin_errors(page)["action_types"])
    assert not HITLWorkflow.objects.exists()


def test_the_add_form_offers_the_known_choices_as_widgets(console_as, tenant_admin):
    body = console_as(tenant_admin).get(ADD).content.decode()
    for expected in [
        'type="checkbox" name="action_types" value="set_budget"',
        'type="checkbox" name="notification_channels" value="whatsapp"',
        'type="checkbox" name="risk_levels" value="critical"',
        'name="levels-0-roles" value="approver"',
        'name="levels-0-required_approvals"',
        'name="approve_when-0-field"',
        'name="reject_when-0-op"',
    ]:
        assert expected in body, expected
    assert "<textarea" not in body.split('name="description"', 1)[1]  # no JSON text areas after the description


def test_the_add_form_saves_the_json_the_engine_reads(console_as, api_as, tenant_admin, approver, second_approver):
    form = admin_form(
        levels=[
            {"name": "Marketing lead", "roles": ["approver"], "required_approvals": "1"},
            {
                "name": "Finance",
                "roles": ["admin"],
                "users": [str(approver.pk), str(second_approver.pk)],
                "required_approvals": "2",
            },
        ],  # fmt: skip
        approve_when=[
            {"field": "estimated_cost", "op": "lt", "value": "100"},
            {"field": "risk_level", "op": "in", "value": "low, medium"},
        ],  # fmt: skip
        reject_when=[{"field": "confidence", "op": "lt", "value": "0.2"}],
        action_types=["set_budget", "resume_campaign"],
        risk_levels=["high", "critical"],
        notification_channels=["email", "slack"],
        min_cost_threshold="500",
        escalation_hours="12",
    )
    page = console_as(tenant_admin).post(ADD, form)
    assert page.status_code == 302, admin_errors(page)
    workflow = HITLWorkflow.objects.get()
    assert workflow.tenant == tenant_admin.tenant and workflow.created_by == tenant_admin
    assert workflow.action_types == ["set_budget", "resume_campaign"]
    assert workflow.risk_levels == ["high", "critical"]
    assert workflow.notification_channels == ["email", "slack"]
    assert workflow.min_cost_threshold == Decimal("500") and workflow.escalation_hours == 12
    first, second = levels_of(workflow)
    assert first == {"approvers": {"roles": ["approver"]}, "name": "Marketing lead", "required_approvals": 1}
    assert sorted(second["approvers"].pop("users")) == sorted([str(approver.pk), str(second_approver.pk)])
    assert second == {"approvers": {"roles": ["admin"]}, "name": "Finance", "required_approvals": 2}
    assert workflow.auto_approve_conditions == [
        {"field": "estimated_cost", "op": "lt", "value": 100},
        {"field": "risk_level", "op": "in", "value": ["low", "medium"]},
    ]
    assert workflow.auto_reject_conditions == [{"field": "confidence", "op": "lt", "value": 0.2}]
    assert rules.workflow_problems(workflow) == ""  # the engine follows it
    same = {field: getattr(workflow, field) for field in rules.WORKFLOW_FIELD_PARSERS}
    same["approval_levels"] = levels_of(workflow)
    answer = api_as(tenant_admin).post("/api/hitl/workflows/", {"name": "Same", **same}, format="json")
    assert answer.status_code == 201, answer.json()  # and the API takes what the admin saved


def test_the_change_form_shows_a_stored_workflow_and_saves_it_unchanged(console_as, tenant_admin, approver, workflow):
    stored = workflow(
        approval_levels=[{"name": "Named", "approvers": {"users": [approver.email]}, "required_approvals": 1}],
        auto_reject_conditions=[{"field": "risk_score", "op": "gte", "value": 90}],
    )
    client = console_as(tenant_admin)
    url = reverse("admin:hitl_hitlworkflow_change", args=[stored.pk])
    page = client.get(url)
    assert levels_inline(page).forms[0].initial["users"] == [str(approver.pk)]
    condition = page.context["adminform"].form.formsets["auto_reject_conditions"].forms[0].initial
    assert condition == {"field": "risk_score", "op": "gte", "value": "90"}
    level = stored.levels.get()
    posted = admin_form(
        levels=[{"id": str(level.pk), "position": "1", "name": "Named", "users": [str(approver.pk)],
                 "required_approvals": "1"}],
        reject_when=[{"field": "risk_score", "op": "gte", "value": "90"}],
    )  # fmt: skip
    posted.update({"levels-INITIAL_FORMS": "1", "reject_when-INITIAL_FORMS": "1"})
    assert client.post(url, posted).status_code == 302
    stored.refresh_from_db()
    assert levels_of(stored) == [{"approvers": {"users": [str(approver.pk)]}, "name": "Named", "required_approvals": 1}]
    assert stored.auto_reject_conditions == [{"field": "risk_score", "op": "gte", "value": 90}]


# Whom a level's people search offers: test_workflow_levels.py.


# --- one validator: the admin refuses what the API refuses, on the field it concerns --------------------------


BAD_INPUTS = {
    # name: (API payload changes, admin form changes, field in the API's answer, where the admin shows it)
    "unknown action type": ({"action_types": ["raise budget"]}, {"action_types": ["raise budget"]},
                            "action_types", "action_types"),
    "unknown risk level": ({"risk_levels": ["apocalyptic"]}, {"risk_levels": ["apocalyptic"]},
                           "risk_levels", "risk_levels"),
    "unknown role": ({"approval_levels": [{**LEVEL, "approvers": {"roles": ["boss"]}}]},
                     {"levels": [{"roles": ["boss"], "required_approvals": "1"}]},
                     "approval_levels", "approval_levels"),
    "no levels": ({"approval_levels": []}, {"levels": []}, "approval_levels", "approval_levels"),
    "a level naming nobody": ({"approval_levels": [{**LEVEL, "approvers": {}}]},
                              {"levels": [{"name": "Nobody", "required_approvals": "1"}]},
                              "approval_levels", "approval_levels"),
    "zero approvals": ({"approval_levels": [{**LEVEL, "required_approvals": 0}]},
                       {"levels": [{"roles": ["approver"], "required_approvals": "0"}]},
                       "approval_levels", "approval_levels"),
    "negative approvals": ({"approval_levels": [{**LEVEL, "required_approvals": -2}]},
                           {"levels": [{"roles": ["approver"], "required_approvals": "-2"}]},
                           "approval_levels", "approval_levels"),
    "eleven levels": ({"approval_levels": [LEVEL] * 11},
                      {"levels": [{"roles": ["approver"], "required_approvals": "1"}] * 11},
                      "approval_levels", "approval_levels"),
    "SLA too long": ({"sla_hours": 99_999}, {"sla_hours": "99999"}, "sla_hours", "sla_hours"),
    "SLA of zero": ({"sla_hours": 0}, {"sla_hours": "0"}, "sla_hours", "sla_hours"),
    "escalation too long": ({"escalation_hours": 10**6}, {"escalation_hours": str(10**6)},
                            "escalation_hours", "escalation_hours"),
    "too many reminders": ({"max_reminders": 51}, {"max_reminders": "51"}, "max_reminders", "max_reminders"),
    "unknown channel": ({"notification_channels": ["pigeon"]}, {"notification_channels": ["pigeon"]},
                        "notification_channels", "notification_channels"),
    "costs the wrong way round": ({"min_cost_threshold": "500", "max_cost_threshold": "100"},
                                  {"min_cost_threshold": "500", "max_cost_threshold": "100"},
                                  "max_cost_threshold", "max_cost_threshold"),
    "a number condition given text": (
        {"auto_approve_conditions": [{"field": "risk_score", "op": "lt", "value": "low"}]},
        {"approve_when": [{"field": "risk_score", "op": "lt", "value": "low"}]},
        "auto_approve_conditions", "approve_when-0-value"),
    "a text condition compared by size": (
        {"auto_reject_conditions": [{"field": "risk_level", "op": "gt", "value": "low"}]},
        {"reject_when": [{"field": "risk_level", "op": "gt", "value": "low"}]},
        "auto_reject_conditions", "auto_reject_conditions"),
}  # fmt: skip


def _admin_changes(changes):
    sections = {key: changes.pop(key) for key in ("levels", "approve_when", "reject_when") if key in changes}
    return admin_form(**sections, **changes)


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_the_admin_refuses_exactly_what_the_api_refuses(console_as, api_as, tenant_admin, case):
    api_changes, admin_changes, api_field, admin_field = case
    api = api_as(tenant_admin).post(
        "/api/hitl/workflows/", {"name": "Bad", "approval_levels": [LEVEL], **api_changes}, format="json"
    )
    assert api.status_code == 400 and api_field in api.json(), api.content
    page = console_as(tenant_admin).post(ADD, _admin_changes(dict(admin_changes)))
    assert page.status_code == 200, "the admin saved what the API refused"
    errors = admin_errors(page)
    assert admin_field in errors, errors
    assert not HITLWorkflow.objects.exists()


@pytest.mark.parametrize("door", ["api", "admin"])
def test_an_approver_of_another_tenant_is_refused(console_as, api_as, tenant_admin, outsider, door):
    if door == "api":
        level = {**LEVEL, "approvers": {"users": [str(outsider.pk)]}}
        answer = api_as(tenant_admin).post(
            "/api/hitl/workflows/", {"name": "Foreign", "approval_levels": [level]}, format="json"
        )
        assert answer.status_code == 400 and str(outsider.pk) in answer.json()["approval_levels"][0]
    else:
        form = admin_form(levels=[{"users": [str(outsider.pk)], "required_approvals": "1"}])
        page = console_as(tenant_admin).post(ADD, form)
        assert page.status_code == 200 and str(outsider.pk) in admin_errors(page)["approval_levels"][0]
    assert not HITLWorkflow.objects.exists()


@pytest.mark.parametrize("door", ["api", "admin"])
def test_a_second_active_default_is_refused(console_as, api_as, tenant_admin, workflow, door):
    workflow(name="The default", is_default=True)
    if door == "api":
        answer = api_as(tenant_admin).post(
            "/api/hitl/workflows/", {"name": "Another", "approval_levels": [LEVEL], "is_default": True}, format="json"
        )
        assert answer.status_code == 400 and "is_default" in answer.json()
    else:
        page = console_as(tenant_admin).post(ADD, admin_form(name="Another", is_default="on"))
        assert page.status_code == 200
        assert admin_errors(page)["is_default"] == ["This tenant already has an active default workflow."]
        assert "This tenant already has an active default workflow." in page.content.decode()
    assert HITLWorkflow.objects.count() == 1


def test_a_row_error_is_shown_beside_its_row(console_as, tenant_admin):
    page = console_as(tenant_admin).post(ADD, admin_form(levels=[{"roles": ["approver"], "required_approvals": "x"}]))
    assert admin_errors(page)["levels-0-required_approvals"] == ["Enter a whole number."]
    field = page.content.decode().split('name="levels-0-required_approvals"', 1)[1].split("</td>", 1)[0]
    assert "Enter a whole number." in field


# --- risk policies --------------------------------------------------------------------------------------------


def policy_form(**changes):
    return {"medium_threshold": "30", "high_threshold": "55", "critical_threshold": "80", "large_cost": "10000",
            **changes}  # fmt: skip


def test_a_risk_policy_sets_points_per_action_type_with_number_fields(console_as, tenant_admin):
    client = console_as(tenant_admin)
    add = reverse("admin:hitl_riskpolicy_add")
    body = client.get(add).content.decode()
    assert 'name="points_set_budget"' in body and 'placeholder="20"' in body and "<textarea" not in body
    page = client.post(add, policy_form(points_set_budget="25", points_add_target_keyword="0", high_threshold="50"))
    assert page.status_code == 302, page.context["adminform"].form.errors
    policy = RiskPolicy.objects.get()
    assert policy.tenant == tenant_admin.tenant and policy.high_threshold == 50
    assert policy.action_base_risk == {"set_budget": 25, "add_target_keyword": 0}
    form = client.get(reverse("admin:hitl_riskpolicy_change", args=[policy.pk])).context["adminform"].form
    assert form["points_set_budget"].value() == 25 and form["points_publish_content"].value() is None


@pytest.mark.parametrize(
    "changes, field",
    [({"points_set_budget": "26"}, "points_set_budget"), ({"points_pause_campaign": "-1"}, "points_pause_campaign"),
     ({"high_threshold": "20"}, "__all__")],
)  # fmt: skip
def test_a_risk_policy_out_of_bounds_is_refused(console_as, tenant_admin, changes, field):
    page = console_as(tenant_admin).post(reverse("admin:hitl_riskpolicy_add"), policy_form(**changes))
    assert page.status_code == 200 and field in page.context["adminform"].form.errors
    assert not RiskPolicy.objects.exists()


def test_a_tenant_with_a_policy_changes_it_rather_than_adding_another(console_as, tenant_admin):
    policy = RiskPolicy.objects.create(tenant=tenant_admin.tenant)
    page = console_as(tenant_admin).post(reverse("admin:hitl_riskpolicy_add"), policy_form(high_threshold="60"))
    assert page.status_code == 302 and page.url == reverse("admin:hitl_riskpolicy_change", args=[policy.pk])
    assert RiskPolicy.objects.count() == 1 and RiskPolicy.objects.get().high_threshold == policy.high_threshold


# --- the built-in default, shown and copyable -----------------------------------------------------------------

LIST = reverse("admin:hitl_hitlworkflow_changelist")


def test_the_list_shows_the_built_in_default_even_with_no_workflows(console_as, tenant_admin):
    body = console_as(tenant_admin).get(LIST).content.decode()
    assert "Built-in default: Walker default" in body
    assert "A request no workflow matches follows these rules" in body
    assert "Level 1, Approvers: anyone with the role Approver or Admin; 1 approval" in body
    assert "Decision due (SLA): within 24 h" in body and "Escalation: after 12 h" in body
    assert "Copy as a new workflow" in body


def test_the_list_says_when_the_tenants_default_applies_instead(console_as, tenant_admin, workflow):
    workflow(name="House rules", is_default=True)
    body = console_as(tenant_admin).get(LIST).content.decode()
    assert "follows your default workflow" in body and "House rules" in body


def test_copying_the_built_in_default_makes_an_editable_workflow_of_the_tenant(console_as, tenant_admin):
    client = console_as(tenant_admin)
    answer = client.post(reverse("admin:hitl_hitlworkflow_copy_default"))
    copied = HITLWorkflow.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("admin:hitl_hitlworkflow_change", args=[copied.pk])
    assert copied.tenant == tenant_admin.tenant and copied.created_by == tenant_admin
    assert copied.is_default and not copied.is_active  # nothing changes until an admin activates it
    builtin = {
        key: value for key, value in rules.SYSTEM_DEFAULT_WORKFLOW.items() if key not in ("name", "approval_levels")
    }
    assert {key: getattr(copied, key) for key in builtin} == builtin
    assert levels_of(copied) == [
        {"name": "Approvers", "approvers": {"roles": ["approver", "admin"]}, "required_approvals": 1}
    ]
    assert levels_inline(client.get(answer["Location"])).forms[0].initial["roles"] == ["approver", "admin"]
    assert rules.workflow_problems(copied) == ""


def test_reviewers_see_the_default_but_may_not_copy_it(console_as, approver):
    client = console_as(approver)
    body = client.get(LIST).content.decode()
    assert "Built-in default: Walker default" in body and "Copy as a new workflow" not in body
    assert client.post(reverse("admin:hitl_hitlworkflow_copy_default")).status_code == 403
    assert not HITLWorkflow.objects.exists()


# --- what would happen to a request ---------------------------------------------------------------------------

PREVIEW = reverse("admin:hitl_hitlworkflow_preview")


@pytest.fixture
def setup(tenant, tenant_admin, approver, second_approver, campaign, workflow):
    """A spend history, a risk policy and two workflows: budget changes go to named people, the rest to admins."""
    spend_history(campaign, days=30, spend="400")
    RiskPolicy.objects.create(tenant=tenant, action_base_risk={"set_budget": 24}, high_threshold=50)
    budget = workflow(
        name="Budget changes",
        action_types=["set_budget"],
        approval_levels=[
            {"name": "Marketing lead", "approvers": {"users": [str(approver.pk)]}, "required_approvals": 1},
            {"name": "Finance", "approvers": {"roles": ["approver"]}, "required_approvals": 2},
        ],
        sla_hours=8,
        escalation_hours=4,
    )
    default = workflow(
        name="Everything else",
        is_default=True,
        approval_levels=[{"name": "Admins", "approvers": {"roles": ["admin"]}, "required_approvals": 1}],
        auto_approve_conditions=[{"field": "estimated_cost", "op": "lt", "value": 1}],
    )
    return budget, default


SAMPLES = {
    "a budget raise": dict(action_type="set_budget", estimated_cost="6000", estimated_reach=120_000, confidence=0.9),
    "a keyword": dict(action_type="add_target_keyword", estimated_cost="0", estimated_reach=50, confidence=0.7),
}


@pytest.mark.parametrize("sample", SAMPLES.values(), ids=SAMPLES.keys())
def test_the_preview_shows_what_the_scorer_and_the_matcher_find(console_as, tenant, tenant_admin, requester, setup,
                                                                 sample):  # fmt: skip
    page = console_as(tenant_admin).get(PREVIEW, {**sample, "requested_by": requester.pk})
    assert page.status_code == 200
    body = page.content.decode()
    cost = Decimal(sample["estimated_cost"])
    facts = dict(estimated_reach=sample["estimated_reach"], confidence=sample["confidence"], requested_by=requester)
    risk = assess(tenant=tenant, action_type=sample["action_type"], estimated_cost=cost, **facts)
    choice = rules.choose_workflow(tenant, action_type=sample["action_type"], risk_level=risk.level, cost=cost)
    result = page.context["result"]
    assert (result.risk.score, result.risk.level, result.choice.workflow) == (risk.score, risk.level, choice.workflow)
    assert f'data-testid="risk-score">{risk.score:g}<' in body
    assert f'data-testid="risk-level">{risk.level.label.lower()}<' in body
    for factor in readable_factors(risk.factors, sample["action_type"]):  # the kind of action by its name
        assert factor["label"].replace("'", "&#x27;") in body and factor["detail"].replace("'", "&#x27;") in body
    assert f"{sample['action_type']} (" not in body
    assert choice.workflow.name in body
    for level in rules.parse_levels(choice.rules["approval_levels"]):
        people = rules.eligible_approvers(tenant, level).exclude(pk=requester.pk)
        assert level.name in body and all(person.get_full_name() in body for person in people)
    # What the preview said is what a real request gets; the preview itself wrote nothing.
    assert not HITLApproval.objects.exists()
    agent = AIAgent.objects.get(is_system_agent=True, agent_type=page.context["form"].cleaned_data["agent_type"])
    action = ProposedAction(action_type=sample["action_type"], action_data={}, summary="Sample", estimated_cost=cost,
                            estimated_reach=sample["estimated_reach"], confidence=sample["confidence"])  # fmt: skip
    filed = request_approval(tenant=tenant, agent=agent, action=action, requested_by=requester)
    assert (filed.risk_score, filed.risk_level, filed.workflow) == (risk.score, risk.level, choice.workflow)
    expected_outcome = {"approved": preview.OUTCOMES["approve"], "pending": preview.OUTCOMES[None]}[filed.status]
    assert result.outcome == expected_outcome


def test_the_two_samples_meet_different_workflows(console_as, tenant_admin, approver, second_approver, setup):
    budget, default = setup
    client = console_as(tenant_admin)
    raise_ = client.get(PREVIEW, SAMPLES["a budget raise"]).context["result"]
    keyword = client.get(PREVIEW, SAMPLES["a keyword"]).context["result"]
    assert raise_.choice.workflow == budget and keyword.choice.workflow == default
    assert [level.people for level in raise_.levels] == [
        [approver.get_full_name()],
        sorted([approver.get_full_name(), second_approver.get_full_name()]),
    ]
    assert [level.people for level in keyword.levels] == [[tenant_admin.get_full_name()]]
    assert ("Decision due (SLA)", "within 8 h") in raise_.timing
    assert keyword.outcome == preview.OUTCOMES["approve"]


def test_the_preview_refuses_an_agent_that_does_not_propose_the_action(console_as, tenant_admin):
    page = console_as(tenant_admin).get(PREVIEW, {**SAMPLES["a keyword"], "agent_type": "paid_ads"})
    assert page.context["result"] is None and "does not propose" in page.content.decode()


def test_the_preview_offers_only_the_tenants_people_as_requesters(console_as, tenant_admin, requester, outsider):
    form = console_as(tenant_admin).get(PREVIEW).context["form"]
    offered = set(form.fields["requested_by"].queryset)
    assert requester in offered and outsider not in offered
    page = console_as(tenant_admin).get(PREVIEW, {**SAMPLES["a keyword"], "requested_by": outsider.pk})
    assert page.context["result"] is None and "requested_by" in page.context["form"].errors


# --- editing, reviewers, superusers and tenants ---------------------------------------------------------------


def test_a_level_is_removed_by_ticking_delete(console_as, tenant_admin, workflow):
    stored = workflow(approval_levels=[LEVEL, {**LEVEL, "name": "Second"}])
    first, second = stored.levels.all()
    posted = admin_form(
        levels=[{"id": str(first.pk), "position": "1", "name": "Approvers", "roles": ["approver"],
                 "required_approvals": "1"},
                {"id": str(second.pk), "position": "2", "name": "Second", "roles": ["approver"],
                 "required_approvals": "1", "DELETE": "on"}],
        **{"levels-INITIAL_FORMS": "2"},
    )  # fmt: skip
    page = console_as(tenant_admin).post(reverse("admin:hitl_hitlworkflow_change", args=[stored.pk]), posted)
    assert page.status_code == 302, admin_errors(page)
    assert levels_of(stored) == [LEVEL]


def test_people_who_left_the_tenant_are_named_before_saving_drops_them(console_as, tenant_admin, approver, workflow):
    gone = UserFactory(tenant=tenant_admin.tenant, email="left@acme.test", is_active=False)
    users = [approver.email, str(gone.pk)]
    stored = workflow(approval_levels=[{**LEVEL, "approvers": {"roles": ["approver"], "users": users}}])
    body = console_as(tenant_admin).get(reverse("admin:hitl_hitlworkflow_change", args=[stored.pk])).content.decode()
    assert f"No longer people of the tenant, left out when saved: {gone.pk}." in body


def test_the_change_page_links_to_the_preview_of_its_action_type(console_as, tenant_admin, workflow):
    stored = workflow(action_types=["publish_content"])
    client = console_as(tenant_admin)
    page = client.get(reverse("admin:hitl_hitlworkflow_change", args=[stored.pk]))
    link = f"{PREVIEW}?action_type=publish_content"
    assert link in page.content.decode()
    opened = client.get(link)
    assert opened.context["result"] is None and opened.context["form"]["action_type"].value() == "publish_content"
    assert not opened.context["form"].errors


def test_a_reviewer_sees_a_workflow_read_only(console_as, approver, workflow):
    stored = workflow(auto_reject_conditions=[{"field": "risk_score", "op": "gte", "value": 90}])
    client = console_as(approver)
    url = reverse("admin:hitl_hitlworkflow_change", args=[stored.pk])
    page = client.get(url)
    (inline,) = page.context["inline_admin_formsets"]
    assert len(inline.formset.forms) == 1 and not inline.has_change_permission and not inline.has_add_permission
    assert "Approvers" in page.content.decode()
    assert client.post(url, admin_form(name="Changed")).status_code == 403
    stored.refresh_from_db()
    assert stored.name == "Budget changes"


def test_another_tenants_workflows_and_policy_are_out_of_sight(console_as, tenant_admin, other_tenant, outsider):
    theirs = HITLWorkflowFactory(tenant=other_tenant, name="Globex rules", approval_levels=[LEVEL])
    policy = RiskPolicy.objects.create(tenant=other_tenant)
    client = console_as(tenant_admin)
    assert "Globex rules" not in client.get(LIST).content.decode()
    assert client.get(reverse("admin:hitl_hitlworkflow_change", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:hitl_riskpolicy_change", args=[policy.pk])).status_code == 404
    client.post(reverse("admin:hitl_hitlworkflow_copy_default"))
    assert HITLWorkflow.objects.filter(tenant=other_tenant).count() == 1
    assert HITLWorkflow.objects.filter(tenant=tenant_admin.tenant).count() == 1


def test_a_superuser_picks_the_tenant_and_its_people(console_as, superuser, tenant, approver, outsider):
    client = console_as(superuser)
    posted = admin_form(tenant=str(tenant.pk), levels=[{"users": [str(approver.pk)], "required_approvals": "1"}])
    assert client.post(ADD, posted).status_code == 302
    assert HITLWorkflow.objects.get().tenant == tenant
    foreign = admin_form(tenant=str(tenant.pk), levels=[{"users": [str(outsider.pk)], "required_approvals": "1"}])
    page = client.post(ADD, foreign)
    assert page.status_code == 200
    assert "name no active person of the tenant" in " ".join(admin_errors(page)["approval_levels"])
    listed = client.get(LIST).content.decode()  # no tenant of their own: nothing to copy into
    assert "Built-in default: Walker default" in listed and "Copy as a new workflow" not in listed
    result = client.get(PREVIEW, {**SAMPLES["a keyword"], "tenant": tenant.pk}).context["result"]
    assert result.choice.workflow == HITLWorkflow.objects.get()
