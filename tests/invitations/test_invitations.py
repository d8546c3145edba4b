"""Inviting a colleague and accepting: the signed single-use link, its refusals in plain words, the email through
the provider in the invitation's language, the account bound to the tenant and role, MFA enrolment after it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import EmailDeliveryLog
from tenants.identity import invitations
from tenants.models import Invitation, User
from tenants.models.tenant import default_mfa_roles
from tenants.privacy.audit import Origin
from tenants.privacy.subject_requests import erase_person, export_person
from tenants.roles import Role
from tests.factories import UserFactory
from tests.invitations.conftest import link_in, path_of

NEW_PASSWORD = "a-long-unusual-passphrase"


def _accept(client, path, password=NEW_PASSWORD, again=None):
    data = {"first_name": "New", "last_name": "Hire", "password1": password, "password2": again or password}
    return client.post(path, data)


def test_the_invitation_email_goes_through_the_provider_with_a_delivery_row(invite, mail, tenant_admin):
    invitation, path = invite()
    assert [email.to for email in mail] == ["new.hire@acme.test"]
    assert "Acme Outdoor" in mail[0].subject and path.startswith("/accounts/invitation/")
    log = EmailDeliveryLog.objects.get()
    assert log.tenant_id == tenant_admin.tenant_id and log.status == EmailDeliveryLog.Status.SENT
    assert log.to_address == "new.hire@acme.test"
    stored = Invitation.objects.filter(pk=invitation.pk).values_list("email", flat=True).query
    assert "new.hire" not in str(stored)  # the address is encrypted at rest, found by its keyed hash
    assert Invitation.objects.get(email="NEW.HIRE@acme.test").pk == invitation.pk


def test_the_email_is_in_the_invitations_language(invite, mail):
    invite(language="es")
    assert mail[0].subject.startswith("Te invitan") or "invit" in mail[0].subject.lower()
    assert "Abre este enlace" in mail[0].text


def test_accepting_makes_the_account_in_the_tenant_and_role_and_signs_in(client, invite, tenant_admin):
    invitation, path = invite(language="es")
    page = client.get(path)
    assert page.status_code == 200 and "Acme Outdoor" in page.content.decode()
    answer = _accept(client, path)
    assert answer.status_code == 302 and answer["Location"] == "/"
    person = User.objects.get(email="new.hire@acme.test")
    assert (person.tenant_id, person.role, person.language) == (tenant_admin.tenant_id, Role.APPROVER, "es")
    assert person.check_password(NEW_PASSWORD) and person.first_name == "New"
    assert client.session["_auth_user_id"] == str(person.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_by_id == person.pk and invitation.status == Invitation.Status.ACCEPTED
    assert client.get("/").status_code == 302  # home: the console for an approver
    assert client.get("/admin/").status_code == 200


def test_a_role_that_needs_a_second_factor_goes_to_enrol_next(client, invite, tenant):
    tenant.mfa_required_roles = default_mfa_roles()
    tenant.save(update_fields=["mfa_required_roles"])
    _invitation, path = invite(role=Role.APPROVER)
    _accept(client, path)
    landing = client.get("/admin/")
    assert landing.status_code == 302 and landing["Location"].startswith("/accounts/2fa/?next=")
    # Adding a factor asks for the password again, as after any sign-in (allauth's re-authentication).
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked.status_code == 302 and asked["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(asked["Location"], {"password": NEW_PASSWORD}).status_code == 302
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


@pytest.mark.parametrize(
    ("password", "again", "says"),
    [("a-long-unusual-passphrase", "something-else-entirely", "differ"), ("short", None, "too short")],
)
def test_a_bad_password_creates_nothing(client, invite, password, again, says):
    invitation, path = invite()
    answer = _accept(client, path, password, again)
    assert answer.status_code == 200 and says in answer.content.decode()
    assert not User.objects.filter(email="new.hire@acme.test").exists()
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_a_used_link_says_so(client, invite):
    _invitation, path = invite()
    _accept(client, path)
    client.logout()
    again = client.get(path)
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert User.objects.filter(email="new.hire@acme.test").count() == 1


def test_an_expired_link_says_so(client, invite):
    invitation, path = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = _accept(client, path)
    assert answer.status_code == 410 and "expired" in answer.content.decode()
    assert not User.objects.filter(email="new.hire@acme.test").exists()


def test_a_revoked_link_says_so(client, invite, tenant_admin):
    invitation, path = invite()
    invitations.revoke(tenant_admin, invitation.pk)
    answer = client.get(path)
    assert answer.status_code == 410 and "withdrawn" in answer.content.decode()


def test_a_forged_or_mangled_link_is_not_found(client, invite):
    _invitation, path = invite()
    assert client.get(path[:-3] + "xyz/").status_code == 404
    assert client.get("/accounts/invitation/not-a-token/").status_code == 404


def test_a_resend_replaces_the_earlier_link(client, invite, mail, tenant_admin):
    invitation, first = invite()
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(minutes=2))
    invitations.resend(tenant_admin, invitation.pk)
    second = path_of(link_in(mail[-1]))
    assert first != second and EmailDeliveryLog.objects.count() == 2
    assert client.get(first).status_code == 410
    assert _accept(client, second).status_code == 302


def test_a_resend_too_soon_or_too_often_is_refused(invite, tenant_admin):
    invitation, _path = invite()
    with pytest.raises(invitations.InvitationError) as soon:
        invitations.resend(tenant_admin, invitation.pk)
    assert soon.value.code == "too_soon"
    Invitation.objects.filter(pk=invitation.pk).update(sends=invitations.MAX_SENDS, sent_at=None)
    with pytest.raises(invitations.InvitationError) as often:
        invitations.resend(tenant_admin, invitation.pk)
    assert often.value.code == "too_many_sends"


def test_an_address_that_became_a_member_meanwhile_is_refused_at_acceptance(client, invite, other_tenant):
    _invitation, path = invite()
    UserFactory(tenant=other_tenant, email="new.hire@acme.test")
    answer = _accept(client, path)
    assert answer.status_code == 409 and "already has a Walker account" in answer.content.decode()


def test_a_signed_in_person_cannot_accept_for_someone_else(client, invite, colleague):
    _invitation, path = invite()
    client.force_login(colleague)
    answer = _accept(client, path)
    assert answer.status_code == 409 and not User.objects.filter(email="new.hire@acme.test").exists()


def test_acceptance_attempts_are_throttled(client, invite):
    _invitation, path = invite()
    answers = [_accept(client, path, "x", "y").status_code for _ in range(11)]  # ACCOUNT_RATE_LIMITS: 10/m/ip
    assert answers[:10] == [200] * 10 and answers[10] == 429


def test_sso_can_accept_without_a_password(invite):
    invitation, path = invite(role=Role.SUPPORT)
    person = invitations.accept(path.split("/")[3], password=None)
    assert not person.has_usable_password() and person.role == Role.SUPPORT


# --- who may invite whom --------------------------------------------------------------------------------------------


def test_only_admins_invite_and_only_into_their_own_tenant(mail, tenant, other_tenant, tenant_admin, approver):
    with pytest.raises(invitations.InvitationError) as not_admin:
        invitations.invite(approver, tenant, "x@acme.test", Role.MEMBER)
    assert not_admin.value.code == "forbidden"
    with pytest.raises(invitations.InvitationError) as elsewhere:
        invitations.invite(tenant_admin, other_tenant, "x@globex.test", Role.MEMBER)
    assert elsewhere.value.code == "wrong_tenant"
    assert not Invitation.objects.exists() and not mail


def test_a_role_above_the_inviters_own_is_refused(mail, tenant, approver, monkeypatch):
    """Roles are given only by someone whose own role holds all of their rights: an approver (were they allowed to
    invite) could give member or approver, never admin or compliance."""
    assert set(invitations.grantable_roles(approver)) == {Role.APPROVER, Role.MEMBER}
    monkeypatch.setattr(invitations, "may_invite", lambda user, tenant: True)
    with pytest.raises(invitations.InvitationError) as escalation:
        invitations.invite(approver, tenant, "x@acme.test", Role.ADMIN)
    assert escalation.value.code == "forbidden" and "admin" in escalation.value.detail


def test_an_address_with_an_account_or_an_open_invitation_is_refused(invite, tenant_admin, colleague):
    with pytest.raises(invitations.InvitationError) as member:
        invitations.invite(tenant_admin, tenant_admin.tenant, colleague.email.upper(), Role.MEMBER)
    assert member.value.code == "already_member"
    invite()
    with pytest.raises(invitations.InvitationError) as twice:
        invitations.invite(tenant_admin, tenant_admin.tenant, "new.hire@acme.test", Role.MEMBER)
    assert twice.value.code == "already_invited"


def test_invitations_per_inviter_and_hour_are_limited(invite, monkeypatch):
    monkeypatch.setattr(invitations, "INVITES_PER_HOUR", 2)
    invite("one@acme.test")
    invite("two@acme.test")
    with pytest.raises(invitations.InvitationError) as third:
        invite("three@acme.test")
    assert third.value.code == "throttled" and Invitation.objects.count() == 2


def test_a_persons_erasure_takes_their_invitations_with_it(client, invite, tenant_admin):
    _invitation, path = invite()
    _accept(client, path)
    person = User.objects.get(email="new.hire@acme.test")
    _request, exported = export_person(tenant_admin, person, reason="asked", origin=Origin())
    assert [row["status"] for row in exported["invitations"]] == ["accepted"]
    erase_person(tenant_admin, person, reason="asked")
    assert not Invitation.objects.exists()
