import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tenants.roles import Role, role_group_name
from tests.factories import PhoneFactory, UserFactory


def _user_url(action, user):
    # Django's UserAdmin names its password page "auth_user_password_change" whatever the user model.
    name = "admin:auth_user_password_change" if action == "password_change" else f"admin:tenants_user_{action}"
    return reverse(name, args=[user.pk])


def test_tenant_admin_lists_only_their_tenant_users(console_as, tenant_admin, colleague, outsider, superuser):
    page = console_as(tenant_admin).get(reverse("admin:tenants_user_changelist"))
    assert page.status_code == 200
    listed = {u.email for u in page.context["cl"].result_list}
    assert listed == {tenant_admin.email, colleague.email}


@pytest.mark.parametrize("action", ["change", "delete", "history", "password_change"])
def test_another_tenants_user_answers_404_in_the_admin(console_as, tenant_admin, outsider, action):
    response = console_as(tenant_admin).get(_user_url(action, outsider))
    assert response.status_code == 404


def test_superusers_are_invisible_to_tenant_admins(console_as, tenant_admin, tenant):
    root = UserFactory(tenant=tenant, is_superuser=True)
    assert console_as(tenant_admin).get(_user_url("change", root)).status_code == 404


def test_tenant_admin_can_open_and_edit_a_colleague(console_as, tenant_admin, colleague):
    client = console_as(tenant_admin)
    page = client.get(_user_url("change", colleague))
    assert page.status_code == 200
    assert "is_superuser" not in page.context["adminform"].form.fields  # no platform fields for tenant admins
    assert "tenant" not in page.context["adminform"].form.fields


def test_support_cannot_manage_users(console_as, tenant):
    support = UserFactory(tenant=tenant, role=Role.SUPPORT)
    assert console_as(support).get(reverse("admin:tenants_user_changelist")).status_code == 403


def test_member_cannot_sign_in_to_the_console(console_as, colleague):
    response = console_as(colleague).get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_tenant_admin_sees_and_edits_only_their_tenant(console_as, tenant_admin, tenant, other_tenant):
    client = console_as(tenant_admin)
    listed = client.get(reverse("admin:tenants_tenant_changelist")).context["cl"].result_list
    assert [t.pk for t in listed] == [tenant.pk]
    assert client.get(reverse("admin:tenants_tenant_change", args=[other_tenant.pk])).status_code == 404
    assert client.get(reverse("admin:tenants_tenant_add")).status_code == 403
    page = client.get(reverse("admin:tenants_tenant_change", args=[tenant.pk]))
    assert page.status_code == 200
    assert "subscription_tier" not in page.context["adminform"].form.fields


def test_tenant_admin_cannot_reach_object_permission_pages(console_as, tenant_admin, tenant):
    response = console_as(tenant_admin).get(reverse("admin:tenants_tenant_permissions", args=[tenant.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_phone_admin_is_scoped_and_offers_only_own_tenant_users(console_as, tenant_admin, colleague, outsider):
    own = PhoneFactory(user=colleague)
    foreign = PhoneFactory(user=outsider)
    client = console_as(tenant_admin)
    listed = client.get(reverse("admin:tenants_userphonenumber_changelist")).context["cl"].result_list
    assert [p.pk for p in listed] == [own.pk]
    assert client.get(reverse("admin:tenants_userphonenumber_change", args=[foreign.pk])).status_code == 404
    add_form = client.get(reverse("admin:tenants_userphonenumber_add")).context["adminform"].form
    assert set(add_form.fields["user"].queryset) == {tenant_admin, colleague}


def test_bad_phone_in_the_admin_shows_the_reason(console_as, tenant_admin, colleague):
    response = console_as(tenant_admin).post(
        reverse("admin:tenants_userphonenumber_add"), {"user": str(colleague.pk), "phone_number": "555"}
    )
    assert response.status_code == 200
    assert "not a phone number we can read" in str(response.context["adminform"].form.errors)


def test_superuser_sees_every_tenant(console_as, superuser, tenant_admin, outsider):
    client = console_as(superuser)
    listed = {u.email for u in client.get(reverse("admin:tenants_user_changelist")).context["cl"].result_list}
    assert {tenant_admin.email, outsider.email} <= listed
    assert client.get(_user_url("change", outsider)).status_code == 200


@pytest.mark.slow
def test_a_superuser_changing_a_role_leaves_the_new_roles_group_only(console_as, superuser, tenant, colleague):
    """The change form posts the groups it showed (the old role's) after the person is saved with the new role."""
    page = console_as(superuser).get(_user_url("change", colleague))
    form = page.context["adminform"].form
    posted = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    posted.update(role=Role.APPROVER, groups=[str(pk) for pk in posted.get("groups", [])], user_permissions=[])
    for inline in page.context["inline_admin_formsets"]:
        posted.update({f"{inline.formset.prefix}-TOTAL_FORMS": "0", f"{inline.formset.prefix}-INITIAL_FORMS": "0"})
    assert posted["groups"] == [str(Group.objects.get(name=role_group_name(tenant.pk, Role.MEMBER)).pk)]
    response = console_as(superuser).post(_user_url("change", colleague), posted)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    colleague.refresh_from_db()
    assert colleague.role == Role.APPROVER
    assert list(colleague.groups.values_list("name", flat=True)) == [role_group_name(tenant.pk, Role.APPROVER)]
