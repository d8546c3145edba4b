"""Workflows in one form (issue 36, point 4): levels added, removed and reordered in one save, people picked
by a search of the tenant's console users, only roles that can decide offered, and one validator of the levels
for the form and the API, in the same words: since issue 47 (point 6) the levels are WorkflowLevel rows, edited in
an inline and the API's nested serializer, both judged by the model's validators (hitl.models.level)."""

import pytest
from django.urls import reverse

from hitl.models import HITLWorkflow
from tenants.roles import Role
from tests.factories import UserFactory
from tests.hitl.test_workflow_forms import ADD, admin_errors, admin_form, levels_inline, levels_of

PEOPLE = reverse("admin:hitl_hitlworkflow_people")
LEVEL = {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1}


def change(workflow):
    return reverse("admin:hitl_hitlworkflow_change", args=[workflow.pk])


def rows(*levels, stored=()):
    """The levels' inline as the page posts it: the first rows the stored levels (by id), no empty row."""
    data = {"levels-TOTAL_FORMS": str(len(levels)), "levels-INITIAL_FORMS": str(len(stored))}
    for number, row in enumerate(levels):
        if number < len(stored):
            row = {"id": str(stored[number].pk), **row}
        data.update({f"levels-{number}-{key}": value for key, value in row.items()})
    return data


def post_levels(client, url, *levels, stored=()):
    form = admin_form(levels=[])  # the other fields and sections, with their empty rows
    form.update(rows(*levels, stored=stored))
    return client.post(url, form)


# --- one save ---------------------------------------------------------------------------------------------------


def test_a_three_level_workflow_is_made_in_one_post(console_as, tenant_admin, approver, second_approver):
    page = post_levels(
        console_as(tenant_admin), ADD,
        {"name": "Marketing lead", "users": [str(approver.pk)], "required_approvals": "1", "position": "1"},
        {"name": "Finance", "roles": ["approver", "admin"], "required_approvals": "2", "position": "2"},
        {"name": "Director", "users": [str(tenant_admin.pk), str(second_approver.pk)], "required_approvals": "1",
         "position": "3"},
    )  # fmt: skip
    assert page.status_code == 302, admin_errors(page)
    levels = levels_of(HITLWorkflow.objects.get())
    assert [level["name"] for level in levels] == ["Marketing lead", "Finance", "Director"]
    assert levels[0]["approvers"] == {"users": [str(approver.pk)]}
    assert levels[1] == {"name": "Finance", "approvers": {"roles": ["approver", "admin"]}, "required_approvals": 2}
    assert levels[2]["approvers"] == {"users": sorted([str(tenant_admin.pk), str(second_approver.pk)])}


def test_levels_are_saved_in_the_order_given_not_the_order_added(console_as, tenant_admin, workflow):
    stored = workflow(approval_levels=[{**LEVEL, "name": name} for name in ("First", "Second", "Third")])
    page = post_levels(
        console_as(tenant_admin), change(stored),
        *[{"name": name, "roles": ["approver"], "required_approvals": "1", "position": position}
          for name, position in (("First", "4"), ("Second", "1"), ("Third", "2"))],
        {"name": "Added", "roles": ["admin"], "required_approvals": "1", "position": "3"},
        stored=list(stored.levels.all()),
    )  # fmt: skip
    assert page.status_code == 302, admin_errors(page)
    # the stored levels took each other's positions in one save
    assert [level["name"] for level in levels_of(stored)] == ["Second", "Third", "Added", "First"]
    assert list(stored.levels.values_list("position", flat=True)) == [1, 2, 3, 4]


def test_removing_a_stored_level_and_adding_one_is_one_save(console_as, tenant_admin, workflow):
    stored = workflow(approval_levels=[{**LEVEL, "name": "Keep"}, {**LEVEL, "name": "Drop"}])
    page = post_levels(
        console_as(tenant_admin), change(stored),
        {"name": "Keep", "roles": ["approver"], "required_approvals": "1", "position": "1"},
        {"name": "Drop", "roles": ["approver"], "required_approvals": "1", "position": "2", "DELETE": "on"},
        {"name": "New", "roles": ["admin"], "required_approvals": "1", "position": "2"},
        stored=list(stored.levels.all()),
    )  # fmt: skip
    assert page.status_code == 302, admin_errors(page)
    assert [level["name"] for level in levels_of(stored)] == ["Keep", "New"]


def test_a_removed_new_row_and_an_empty_row_are_not_levels(console_as, tenant_admin):
    page = post_levels(
        console_as(tenant_admin), ADD,
        {"name": "Only", "roles": ["approver"], "required_approvals": "1", "position": "1"},
        {"name": "Half done", "required_approvals": "0", "position": "2", "DELETE": "on"},  # removed: not checked
        {"name": "", "required_approvals": "1"},  # added and left empty
    )  # fmt: skip
    assert page.status_code == 302, admin_errors(page)
    assert [level["name"] for level in levels_of(HITLWorkflow.objects.get())] == ["Only"]


def test_the_stored_rows_keep_their_order_and_a_level_without_a_position_comes_last(console_as, tenant_admin, workflow):
    stored = workflow(approval_levels=[{**LEVEL, "name": "A"}, {**LEVEL, "name": "B"}])
    client = console_as(tenant_admin)
    levels = levels_inline(client.get(change(stored)))
    assert len(levels.forms) == 2  # no empty row when there are levels
    assert [row["position"].value() for row in levels.forms] == [1, 2]
    page = post_levels(
        client, change(stored),
        {"name": "A", "roles": ["approver"], "required_approvals": "1", "position": "1"},
        {"name": "B", "roles": ["approver"], "required_approvals": "1", "position": "2"},
        {"name": "C", "roles": ["admin"], "required_approvals": "1", "position": ""},
        stored=list(stored.levels.all()),
    )  # fmt: skip
    assert page.status_code == 302, admin_errors(page)
    assert [level["name"] for level in levels_of(stored)] == ["A", "B", "C"]


# --- the form refuses what the API refuses, in the same words ----------------------------------------------------


def _cases(tenant_admin, approver, requester, outsider, gone):
    """name: (the API's levels, the form's rows)."""
    return {
        "no levels": ([], []),
        "a level naming nobody": ([{"name": "Nobody", "approvers": {}, "required_approvals": 1}],
                                  [{"name": "Nobody", "required_approvals": "1"}]),
        "no approvals needed": ([{**LEVEL, "required_approvals": 0}],
                                [{"name": "Approvers", "roles": ["approver"], "required_approvals": "0"}]),
        "too many approvals": ([{**LEVEL, "required_approvals": 101}],
                               [{"name": "Approvers", "roles": ["approver"], "required_approvals": "101"}]),
        "an unknown role": ([{**LEVEL, "approvers": {"roles": ["boss"]}}],
                            [{"name": "Approvers", "roles": ["boss"], "required_approvals": "1"}]),
        "members, who cannot open the console": (
            [{**LEVEL, "approvers": {"roles": ["member"]}}],
            [{"name": "Approvers", "roles": ["member"], "required_approvals": "1"}]),
        "a member by name": ([{**LEVEL, "approvers": {"users": [str(requester.pk)]}}],
                             [{"name": "Approvers", "users": [str(requester.pk)], "required_approvals": "1"}]),
        "a person of another tenant": (
            [{**LEVEL, "approvers": {"users": [str(outsider.pk)]}}],
            [{"name": "Approvers", "users": [str(outsider.pk)], "required_approvals": "1"}]),
        "a person who left": ([{**LEVEL, "approvers": {"users": [str(gone.pk)]}}],
                              [{"name": "Approvers", "users": [str(gone.pk)], "required_approvals": "1"}]),
        "eleven levels": ([LEVEL] * 11, [{"name": "Approvers", "roles": ["approver"], "required_approvals": "1"}] * 11),
        "two bad levels, both named": (
            [LEVEL, {**LEVEL, "required_approvals": 0}, {**LEVEL, "approvers": {"users": [str(outsider.pk)]}}],
            [{"name": "Approvers", "roles": ["approver"], "required_approvals": "1"},
             {"name": "Approvers", "roles": ["approver"], "required_approvals": "0"},
             {"name": "Approvers", "users": [str(outsider.pk)], "required_approvals": "1"}]),
    }  # fmt: skip


CASES = [
    "no levels", "a level naming nobody", "no approvals needed", "too many approvals", "an unknown role",
    "members, who cannot open the console", "a member by name", "a person of another tenant", "a person who left",
    "eleven levels", "two bad levels, both named",
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_the_form_refuses_what_the_api_refuses_with_the_same_messages(
    console_as, api_as, tenant_admin, approver, requester, outsider, case
):
    gone = UserFactory(tenant=tenant_admin.tenant, role=Role.APPROVER, is_active=False)
    api_levels, form_rows = _cases(tenant_admin, approver, requester, outsider, gone)[case]
    api = api_as(tenant_admin).post("/api/hitl/workflows/", {"name": "Bad", "approval_levels": api_levels},
                                    format="json")  # fmt: skip
    assert api.status_code == 400, api.content
    page = post_levels(console_as(tenant_admin), ADD, *form_rows)
    assert page.status_code == 200, "the form saved what the API refused"
    assert sorted(admin_errors(page)["approval_levels"]) == sorted(api.json()["approval_levels"])
    for message in api.json()["approval_levels"]:  # shown beside its row, not only in the form's errors
        reason = message.split(": ", 1)[1] if message.startswith("Level ") else message
        assert reason.replace("'", "&#x27;") in page.content.decode()
    assert not HITLWorkflow.objects.exists()


def test_every_refused_level_is_named(api_as, tenant_admin, outsider):
    levels = [LEVEL, {**LEVEL, "required_approvals": 0}, {**LEVEL, "approvers": {"users": [str(outsider.pk)]}}]
    answer = api_as(tenant_admin).post("/api/hitl/workflows/", {"name": "Bad", "approval_levels": levels},
                                       format="json")  # fmt: skip
    assert answer.json()["approval_levels"] == [
        "Level 2: The approvals needed must be a whole number from 1 to 100.",
        f"Level 3: These name no active person of the tenant: {outsider.pk}.",
    ]


def test_a_member_role_is_refused_in_spanish_for_a_spanish_reader(console_as, tenant_admin):
    tenant_admin.language = "es"
    tenant_admin.save(update_fields=["language"])
    client = console_as(tenant_admin)
    page = post_levels(client, ADD, {"name": "M", "roles": ["member"], "required_approvals": "1"})
    assert page.status_code == 200
    assert "levels-0-roles" in admin_errors(page)
    assert "Miembro no puede abrir la consola, así que no puede decidir; elige otro rol." in page.content.decode()


def test_a_stored_level_is_still_followed_when_its_person_has_left(ask, workflow, tenant, approver, second_approver):
    """The write-time checks are not the engine's: a level naming someone who left still governs requests."""
    workflow(approval_levels=[{**LEVEL, "approvers": {"users": [str(approver.pk), str(second_approver.pk)]}}])
    approver.is_active = False
    approver.save(update_fields=["is_active"])
    approval = ask()
    assert approval.workflow is not None and approval.status == "pending"


# --- what the form offers ------------------------------------------------------------------------------------------


def test_only_roles_that_can_open_the_console_are_offered(console_as, tenant_admin):
    body = console_as(tenant_admin).get(ADD).content.decode()
    for role in ("admin", "approver", "support", "compliance"):
        assert f'name="levels-0-roles" value="{role}"' in body, role
    assert 'name="levels-0-roles" value="member"' not in body


def test_a_stored_member_role_is_named_before_saving_drops_it(console_as, tenant_admin, workflow):
    stored = workflow(approval_levels=[{**LEVEL, "approvers": {"roles": ["approver", "member"]}}])
    client = console_as(tenant_admin)
    assert "Member cannot open the console: left out when saved." in client.get(change(stored)).content.decode()
    page = post_levels(client, change(stored), {"name": "Approvers", "roles": ["approver"], "required_approvals": "1",
                                                "position": "1"}, stored=list(stored.levels.all()))  # fmt: skip
    assert page.status_code == 302, admin_errors(page)
    assert levels_of(stored) == [LEVEL]


def test_each_section_says_what_it_does(console_as, tenant_admin):
    page = console_as(tenant_admin).get(ADD)
    sections = {
        section.formset.prefix: str(section.description) for section in page.context["adminform"].form.sections()
    }
    assert set(sections) == {"approve_when", "reject_when"}  # the levels are an inline
    assert "approved automatically" in sections["approve_when"]
    assert "rejected" in sections["reject_when"] and "approved automatically" not in sections["reject_when"]
    body = page.content.decode()
    assert all(text in body for text in sections.values())
    assert "Approval levels" in body and "empty: after the others" in body
    assert "data-add-row" in body and "Add condition" in body and "Add level" not in body
    assert 'name="levels-__prefix__-name"' in body and "/static/admin/js/inlines" in body  # Django's "Add another"
    assert "/static/admin/js/autocomplete.js" in body and "select2" in body


def test_the_people_field_holds_only_the_chosen_and_searches_the_rest(console_as, tenant_admin, approver,
                                                                     second_approver, workflow):  # fmt: skip
    stored = workflow(approval_levels=[{**LEVEL, "approvers": {"users": [approver.email]}}])
    body = console_as(tenant_admin).get(change(stored)).content.decode()
    field = body.split('name="levels-0-users"', 1)[1].split("</select>", 1)[0]
    assert f'value="{approver.pk}"' in field and "selected" in field and approver.get_full_name() in field
    assert str(second_approver.pk) not in field  # found by searching, not listed
    assert f'data-ajax--url="{PEOPLE}?tenant={tenant_admin.tenant_id}"' in body


# --- the people search ---------------------------------------------------------------------------------------------


def found(answer):
    assert answer.status_code == 200, answer.content
    return {row["id"]: row["text"] for row in answer.json()["results"]}


def test_the_search_offers_the_tenants_active_console_users_only(console_as, tenant_admin, approver, requester,
                                                                 outsider):  # fmt: skip
    gone = UserFactory(tenant=tenant_admin.tenant, role=Role.APPROVER, is_active=False)
    support = UserFactory(tenant=tenant_admin.tenant, role=Role.SUPPORT, first_name="Sam", email="sam@acme.test")
    everyone = found(console_as(tenant_admin).get(PEOPLE))
    assert {str(tenant_admin.pk), str(approver.pk), str(support.pk)} == set(everyone)
    assert everyone[str(support.pk)] == f"{support.get_full_name()} (sam@acme.test)"
    assert not {str(requester.pk), str(outsider.pk), str(gone.pk)} & set(everyone)
    # Naming another tenant changes nothing for a tenant's admin
    assert found(console_as(tenant_admin).get(PEOPLE, {"tenant": str(outsider.tenant_id)})) == everyone


def test_the_search_matches_every_word_of_a_name_or_a_whole_email(console_as, tenant_admin, approver):
    sam = UserFactory(tenant=tenant_admin.tenant, role=Role.APPROVER, first_name="Samantha", last_name="Ruiz",
                      email="s.ruiz@acme.test")  # fmt: skip
    client = console_as(tenant_admin)
    assert set(found(client.get(PEOPLE, {"term": "ruiz"}))) == {str(sam.pk)}
    assert set(found(client.get(PEOPLE, {"term": "SAMANTHA ruiz"}))) == {str(sam.pk)}
    assert set(found(client.get(PEOPLE, {"term": " Approver@ACME.test "}))) == {str(approver.pk)}
    assert found(client.get(PEOPLE, {"term": "approver@"})) == {}  # addresses are encrypted: whole ones only
    assert found(client.get(PEOPLE, {"term": "samantha approver"})) == {}


def test_the_search_pages_by_twenty(console_as, tenant_admin):
    for number in range(25):
        UserFactory(tenant=tenant_admin.tenant, role=Role.APPROVER, first_name=f"Many{number}")
    client = console_as(tenant_admin)
    first, second = client.get(PEOPLE, {"term": "many"}).json(), client.get(PEOPLE, {"term": "many", "page": 2}).json()
    assert (len(first["results"]), first["pagination"]["more"]) == (20, True)
    assert (len(second["results"]), second["pagination"]["more"]) == (5, False)
    assert not {row["id"] for row in first["results"]} & {row["id"] for row in second["results"]}


@pytest.mark.parametrize("page", ["0", "-1", "two"])
def test_a_bad_page_is_refused(console_as, tenant_admin, page):
    answer = console_as(tenant_admin).get(PEOPLE, {"page": page})
    assert answer.status_code == 400 and answer.json() == {"error": "The page must be a whole number from 1."}


def test_a_superuser_searches_the_tenant_named(console_as, superuser, tenant_admin, outsider):
    client = console_as(superuser)
    assert set(found(client.get(PEOPLE, {"tenant": str(tenant_admin.tenant_id)}))) == {str(tenant_admin.pk)}
    assert set(found(client.get(PEOPLE))) == {str(tenant_admin.pk), str(outsider.pk)}
    for bad in ("not-a-tenant", "6f1cff6c-17fc-48da-9e37-497e404006bc"):
        answer = client.get(PEOPLE, {"tenant": bad})
        assert answer.status_code == 400 and answer.json() == {"error": "No such tenant."}


# Who may search (admins; not approvers, who only look at workflows): tests/admin/test_permission_matrix.py.


@pytest.mark.parametrize(
    ("level", "message"),
    [
        (
            {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required": 2},
            "Level 1: Unknown setting “required” (did you mean “required_approvals”?).",
        ),
        (
            {"name": "Approvers", "approvers": {"role": ["approver"], "users": ["approver@acme.test"]}},
            "Level 1: Unknown approvers setting “role” (did you mean “roles”?).",
        ),
        (
            {**LEVEL, "timeout": 4, "escalate": True},
            "Level 1: Unknown settings “escalate”, “timeout”.",
        ),
    ],
)
def test_a_misspelt_or_unknown_key_is_refused_with_its_name(api_as, tenant_admin, approver, level, message):
    """The outside test's `"required": 2` was saved and the level then ran with one approver."""
    answer = api_as(tenant_admin).post(
        "/api/hitl/workflows/", {"name": "Typo", "approval_levels": [level]}, format="json"
    )
    assert answer.status_code == 400 and message in answer.json()["approval_levels"]
    assert not HITLWorkflow.objects.exists()
