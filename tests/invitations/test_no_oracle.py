"""An invitation tells a tenant's admin nothing about other tenants: an address with an account in another tenant is
answered exactly like a fresh one (the invitation is made and emailed; its link then says, to whoever holds the
address, that the address has an account). An address of the admin's own tenant is still refused: they manage
those people. Through the API and the console (issue 46, point 12)."""

from django.urls import reverse

from tenants.identity import invitations
from tenants.models import Invitation, User
from tenants.roles import Role
from tests.factories import UserFactory
from tests.invitations.conftest import link_in, path_of

ADD = reverse("admin:tenants_invitation_add")
LIST = reverse("admin:tenants_invitation_changelist")
API = "/api/invitations/"
# What differs between any two invitations, whatever the addresses.
OWN_VALUES = {"id", "email", "created_at", "sent_at", "expires_at"}


def test_the_api_answers_an_address_of_another_tenant_as_a_fresh_one(api_as, tenant_admin, outsider, mail):
    client = api_as(tenant_admin)
    fresh = client.post(API, {"email": "fresh@example.com", "role": Role.MEMBER}, format="json")
    taken = client.post(API, {"email": outsider.email, "role": Role.MEMBER}, format="json")
    assert (taken.status_code, fresh.status_code) == (201, 201)
    assert taken.json().keys() == fresh.json().keys()
    same = {key: value for key, value in fresh.json().items() if key not in OWN_VALUES}
    assert {key: value for key, value in taken.json().items() if key not in OWN_VALUES} == same
    assert [email.to for email in mail] == ["fresh@example.com", outsider.email]
    assert mail[0].subject == mail[1].subject  # the same email: nothing to tell the two apart by
    assert User.objects.filter(email=outsider.email).get().tenant_id == outsider.tenant_id  # nothing moved


def test_the_api_still_refuses_an_address_of_the_admins_own_tenant(api_as, tenant_admin, colleague, mail):
    answer = api_as(tenant_admin).post(API, {"email": colleague.email.upper(), "role": Role.MEMBER}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "already_member"
    assert not Invitation.objects.exists() and not mail


def test_the_console_answers_an_address_of_another_tenant_as_a_fresh_one(console_as, tenant_admin, outsider, mail):
    client = console_as(tenant_admin)
    fresh = client.post(ADD, {"email": "fresh@example.com", "role": Role.MEMBER, "language": "en"})
    taken = client.post(ADD, {"email": outsider.email, "role": Role.MEMBER, "language": "en"})
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"]) == (302, LIST)
    assert Invitation.objects.filter(tenant=tenant_admin.tenant).count() == 2 and len(mail) == 2


def test_the_console_still_refuses_an_address_of_the_admins_own_tenant(console_as, tenant_admin, colleague, mail):
    answer = console_as(tenant_admin).post(ADD, {"email": colleague.email, "role": Role.MEMBER, "language": "en"})
    assert answer.status_code == 200 and "already has a Walker account" in answer.content.decode()
    assert not Invitation.objects.exists() and not mail


def test_a_superuser_who_manages_every_tenant_is_told(superuser, tenant, outsider, mail):
    try:
        invitations.invite(superuser, tenant, outsider.email, Role.MEMBER)
    except invitations.InvitationError as refused:
        assert refused.code == "already_member"
    else:
        raise AssertionError("a platform superuser sees every account: the refusal helps and reveals nothing")
    assert not Invitation.objects.exists() and not mail


def test_the_link_tells_the_addresss_owner_before_they_type_anything(client, tenant_admin, outsider, mail):
    invitations.invite(tenant_admin, tenant_admin.tenant, outsider.email, Role.MEMBER)
    page = client.get(path_of(link_in(mail[-1])))
    assert page.status_code == 409 and "already has a Walker account" in page.content.decode()
    assert "password1" not in page.content.decode()  # no form to fill in for nothing
    assert User.objects.filter(email=outsider.email).count() == 1


def test_the_invitation_still_works_once_the_other_account_is_gone(client, tenant_admin, mail):
    """Nothing is lost: the invitation waits, and if the other account is erased meanwhile, the link makes one."""
    elsewhere = UserFactory(email="mover@example.com")
    invitations.invite(tenant_admin, tenant_admin.tenant, "mover@example.com", Role.MEMBER)
    elsewhere.delete()
    path = path_of(link_in(mail[-1]))
    done = client.post(path, {"password1": "a-long-new-passphrase", "password2": "a-long-new-passphrase"})
    assert done.status_code == 302 and User.objects.get(email="mover@example.com").tenant_id == tenant_admin.tenant_id
