"""Invitations in the console ("Invite" instead of "Add user", list, resend, revoke) and over the API, each scoped to
the caller's tenant."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from analytics.models import EmailDeliveryLog
from tenants.identity import invitations
from tenants.models import Invitation, User
from tenants.roles import Role, role_group_name
from tests.factories import TenantFactory
from tests.invitations.conftest import link_in, path_of

ADD = reverse("admin:tenants_invitation_add")
LIST = reverse("admin:tenants_invitation_changelist")
API = "/api/invitations/"
# What a tenant's admin opens first: the approval queue, conversations, people, workflows, and the analytics API.
FIRST_PAGES = [
    reverse("admin:hitl_hitlapproval_changelist"),
    reverse("admin:conversations_conversation_changelist"),
    reverse("admin:tenants_user_changelist"),
    reverse("admin:hitl_hitlworkflow_changelist"),
    "/api/analytics/conversations/",
    "/api/analytics/hitl/",
    LIST,
]


def test_add_user_opens_the_invitation_form(console_as, tenant_admin, superuser):
    for who in (tenant_admin, superuser):
        answer = console_as(who).get(reverse("admin:tenants_user_add"))
        assert answer.status_code == 302 and answer["Location"] == ADD


def test_a_tenant_admin_invites_into_their_own_tenant_only(console_as, tenant_admin, other_tenant, mail):
    client = console_as(tenant_admin)
    form = client.get(ADD).context["form"]
    assert "tenant" not in form.fields
    answer = client.post(
        ADD, {"email": "new.hire@acme.test", "role": Role.ADMIN, "language": "es", "tenant": str(other_tenant.pk)}
    )
    assert answer.status_code == 302 and answer["Location"] == LIST
    made = Invitation.objects.get()
    assert (made.tenant_id, made.role, made.invited_by_id) == (tenant_admin.tenant_id, Role.ADMIN, tenant_admin.pk)
    assert mail[0].to == "new.hire@acme.test" and "Te invitan" in mail[0].subject


def test_the_console_says_why_an_invitation_is_refused(console_as, tenant_admin, colleague, mail):
    answer = console_as(tenant_admin).post(ADD, {"email": colleague.email, "role": Role.MEMBER, "language": "en"})
    assert answer.status_code == 200 and "already has a Walker account" in answer.content.decode()
    assert not Invitation.objects.exists() and not mail


def test_a_superuser_invites_a_new_tenants_first_admin_who_then_reaches_the_console(client, superuser, mail):
    """What issue 29 checked for the add form, now through an invitation: the new admin is in their role's group."""
    fresh = TenantFactory(name="Northwind", slug="northwind")
    client.force_login(superuser)
    form = client.get(ADD).context["form"]
    assert set(dict(form.fields["role"].choices)) == set(Role.values)
    answer = client.post(
        ADD, {"email": "first.admin@northwind.test", "role": Role.ADMIN, "language": "en", "tenant": str(fresh.pk)}
    )
    assert answer.status_code == 302
    client.logout()
    path = path_of(link_in(mail[0]))
    client.post(path, {"password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase"})
    admin = User.objects.get(email="first.admin@northwind.test")
    assert admin.tenant_id == fresh.pk and admin.is_staff
    assert set(admin.groups.values_list("name", flat=True)) == {role_group_name(fresh.pk, Role.ADMIN)}
    assert {page: client.get(page).status_code for page in FIRST_PAGES} == dict.fromkeys(FIRST_PAGES, 200)


def test_the_list_shows_each_status_and_only_the_tenants_own(console_as, tenant_admin, outsider, invite):
    pending, _ = invite("pending@acme.test")
    revoked, _ = invite("revoked@acme.test")
    invitations.revoke(tenant_admin, revoked.pk)
    theirs = invitations.invite(outsider, outsider.tenant, "someone@globex.test", Role.MEMBER)
    page = console_as(tenant_admin).get(LIST)
    shown = {row.pk for row in page.context["cl"].result_list}
    assert shown == {pending.pk, revoked.pk}
    text = page.content.decode()
    assert "Pending" in text and "Revoked" in text
    assert console_as(tenant_admin).get(reverse("admin:tenants_invitation_change", args=[theirs.pk])).status_code == 404


def test_resend_and_revoke_from_the_list(console_as, tenant_admin, invite, mail):
    made, _ = invite()
    Invitation.objects.filter(pk=made.pk).update(sent_at=timezone.now() - timedelta(minutes=5))
    client = console_as(tenant_admin)
    client.post(LIST, {"action": "resend", "_selected_action": [str(made.pk)]})
    assert len(mail) == 2 and Invitation.objects.get(pk=made.pk).sends == 2
    client.post(LIST, {"action": "revoke", "_selected_action": [str(made.pk)]})
    assert Invitation.objects.get(pk=made.pk).status == Invitation.Status.REVOKED


def test_people_who_do_not_manage_people_see_no_invitations(console_as, approver, support):
    for who in (approver, support):
        assert console_as(who).get(LIST).status_code == 403
        assert console_as(who).get(ADD).status_code == 403


# --- the API -------------------------------------------------------------------------------------------------------


def test_api_invite_list_and_revoke(api_as, tenant_admin, mail):
    client = api_as(tenant_admin)
    made = client.post(API, {"email": "new.hire@acme.test", "role": Role.SUPPORT}, format="json")
    assert made.status_code == 201 and made.json()["status"] == "pending"
    assert EmailDeliveryLog.objects.filter(tenant=tenant_admin.tenant).count() == 1
    listed = client.get(API).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["email"] for row in rows] == ["new.hire@acme.test"]
    revoked = client.post(f"{API}{made.json()['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = client.post(f"{API}{made.json()['id']}/revoke/")
    assert again.status_code == 409 and again.json()["code"] == "closed"


def test_api_refusals(api_as, tenant_admin, outsider, approver, colleague, other_tenant, mail):
    theirs = invitations.invite(outsider, other_tenant, "someone@globex.test", Role.MEMBER)
    client = api_as(tenant_admin)
    assert client.post(f"{API}{theirs.pk}/revoke/").status_code == 404  # another tenant's: not found
    assert client.post(f"{API}not-a-uuid/revoke/").status_code == 404
    elsewhere = client.post(API, {"email": "x@globex.test", "role": "member", "tenant": str(other_tenant.pk)})
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "wrong_tenant"
    member = client.post(API, {"email": colleague.email, "role": "member"})
    assert member.status_code == 409 and member.json()["code"] == "already_member"
    bad = client.post(API, {"email": "not an address", "role": "emperor"})
    assert bad.status_code == 400
    by_approver = api_as(approver).post(API, {"email": "x@acme.test", "role": "admin"})
    assert by_approver.status_code == 403
    assert api_as(approver).get(API).json() in ([], {"count": 0, "next": None, "previous": None, "results": []})
    assert Invitation.objects.filter(tenant=tenant_admin.tenant).count() == 0
