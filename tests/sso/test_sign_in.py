"""Signing in through a tenant's provider, end to end: accounts made just in time, linking only a verified address,
and every refusal (another tenant's domain, an unverified address, a disabled account, a bad ID token)."""

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.test import Client

from tenants.identity import invitations
from tenants.models import User
from tenants.privacy.personal_data import holders
from tenants.roles import Role
from tests.factories import TenantFactory, UserFactory
from tests.sso.conftest import SERVER, signed_in_as, sso_sign_in, start


def test_a_first_sign_in_makes_the_account_in_the_tenants_default_role(client, provider, idp):
    answer = sso_sign_in(client, next_url="/admin/")

    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    person = User.objects.get(email="ana@acme.test")
    assert (person.tenant, person.role, person.first_name) == (provider.tenant, Role.APPROVER, "Ana")
    assert not person.has_usable_password()
    assert signed_in_as(client) == str(person.pk)
    account = SocialAccount.objects.get(user=person)
    assert account.provider == provider.provider_id
    assert account.extra_data == {"iss": idp.issuer, "sub": "user-1"}  # no address or name at rest
    assert not EmailAddress.objects.exists() and not SocialToken.objects.exists() and not SocialApp.objects.exists()
    # What Walker asked for: the authorization code with PKCE S256, a nonce, the address typed as a hint.
    asked = idp.authorize_requests[-1]
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert asked["nonce"] and asked["login_hint"] == "ana@acme.test"
    assert "openid" in asked["scope"].split()
    assert idp.token_requests[-1]["code_verifier"]


def test_the_next_sign_in_is_the_same_account(client, provider, idp):
    sso_sign_in(client)
    client.post("/accounts/logout/")
    sso_sign_in(client)
    assert User.objects.filter(tenant=provider.tenant).count() == 1
    assert signed_in_as(client) == str(User.objects.get(email="ana@acme.test").pk)


def test_an_existing_account_is_linked_when_the_provider_verified_the_address(client, provider, idp):
    person = UserFactory(tenant=provider.tenant, role=Role.SUPPORT, email="ana@acme.test")
    answer = sso_sign_in(client)
    assert answer.status_code == 302
    assert signed_in_as(client) == str(person.pk)
    assert SocialAccount.objects.get(uid="user-1").user == person
    person.refresh_from_db()
    assert person.role == Role.SUPPORT and person.has_usable_password()  # the account is theirs as it was


def test_an_unverified_address_is_never_linked(client, provider, idp):
    UserFactory(tenant=provider.tenant, email="ana@acme.test")
    idp.person["email_verified"] = False
    answer = sso_sign_in(client)
    assert answer.status_code == 403
    assert "has not verified the address" in answer.content.decode()
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()


def test_a_verified_flag_sent_as_the_string_false_is_not_verified(client, provider, idp):
    UserFactory(tenant=provider.tenant, email="ana@acme.test")
    idp.person["email_verified"] = "false"
    assert sso_sign_in(client).status_code == 403
    assert not SocialAccount.objects.exists()


def test_a_token_for_another_tenants_domain_is_refused(client, provider, idp, other_tenant):
    """Acme's provider vouches for a globex.test address: refused, nothing made, even for a new address."""
    UserFactory(tenant=other_tenant, email="boss@globex.test")
    idp.person.update(sub="user-2", email="boss@globex.test")
    answer = sso_sign_in(client)  # typed an acme.test address; the provider answered for another
    assert answer.status_code == 403
    assert "This provider does not sign in globex.test addresses." in answer.content.decode()
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists() and not User.objects.filter(tenant=provider.tenant).exists()


def test_an_account_of_another_tenant_with_an_address_of_the_domain_is_not_linked(client, provider, idp):
    elsewhere = TenantFactory(slug="elsewhere")
    UserFactory(tenant=elsewhere, email="ana@acme.test")
    answer = sso_sign_in(client)
    assert answer.status_code == 403 and "does not belong to this company" in answer.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_disabled_account_is_refused(client, provider, idp):
    UserFactory(tenant=provider.tenant, email="ana@acme.test", is_active=False)
    answer = sso_sign_in(client)
    assert answer.status_code == 403 and "This account is disabled." in answer.content.decode()
    assert signed_in_as(client) is None


def test_a_disabled_account_that_signed_in_before_is_refused(client, provider, idp):
    sso_sign_in(client)
    client.post("/accounts/logout/")
    User.objects.filter(email="ana@acme.test").update(is_active=False)
    assert sso_sign_in(client).status_code == 403
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    "tamper",
    [{"nonce": "another-sign-ins-nonce"}, {"aud": "another-client"}, {"iss": "https://login.example.com"}, {"exp": 1}],
    ids=["nonce", "audience", "issuer", "expired"],
)
def test_an_id_token_that_fails_a_check_is_refused(client, provider, idp, tamper):
    idp.tamper = tamper
    answer = sso_sign_in(client)
    assert answer.status_code == 401 and "socialaccount/authentication_error.html" in [t.name for t in answer.templates]
    assert signed_in_as(client) is None and not User.objects.filter(tenant=provider.tenant).exists()


def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(client, provider, idp):
    idp.foreign_key = True
    answer = sso_sign_in(client)
    assert "socialaccount/authentication_error.html" in [t.name for t in answer.templates]
    assert signed_in_as(client) is None and not User.objects.filter(tenant=provider.tenant).exists()


def test_a_wrong_client_secret_fails_at_the_token_endpoint(client, provider, idp):
    provider.client_secret = "not-the-secret"
    provider.save()
    answer = sso_sign_in(client)
    assert "socialaccount/authentication_error.html" in [t.name for t in answer.templates]
    assert signed_in_as(client) is None


def test_a_callback_replayed_in_another_browser_is_refused(client, provider, idp):
    """The state lives in the session that started the sign-in: another browser's callback with it fails."""
    to_provider = start(client, "ana@acme.test")
    callback = requests.get(to_provider["Location"], allow_redirects=False, timeout=5).headers["Location"]
    stranger = Client()
    answer = stranger.get(callback.removeprefix(SERVER))
    assert answer.status_code == 401 and "_auth_user_id" not in stranger.session
    assert not User.objects.filter(tenant=provider.tenant).exists()


def test_the_company_step_says_when_no_provider_signs_a_domain_in(client, provider):
    answer = start(client, "someone@unknown.test")
    assert answer.status_code == 200
    assert "No company sign-in is set up for unknown.test addresses" in answer.content.decode()


def test_a_disabled_provider_signs_nobody_in(client, provider):
    provider.enabled = False
    provider.save()
    assert start(client, "ana@acme.test").status_code == 200  # the form again, with its error
    assert client.post(f"/accounts/oidc/{provider.provider_id}/login/").status_code == 404


def test_a_persons_erasure_removes_their_link_to_the_provider(client, provider, idp):
    sso_sign_in(client)
    person = User.objects.get(email="ana@acme.test")
    exported = personal_data_holder("single_sign_on").export(person)
    assert exported == [
        {"provider": provider.provider_id, "issuer": idp.issuer, "subject": "user-1", "since": exported[0]["since"]}
    ]
    assert personal_data_holder("single_sign_on").erase(person, None) == 1
    assert not SocialAccount.objects.exists()


def personal_data_holder(name):
    return next(holder for holder in holders() if holder.name == name)


def test_the_sign_in_page_offers_the_company_step_keeping_where_to_go(client):
    page = client.get("/accounts/login/?next=/admin/").content.decode()
    assert 'href="/accounts/sso/?next=/admin/"' in page or 'href="/accounts/sso/?next=%2Fadmin%2F"' in page
    assert "Sign in with your company account" in page


def test_an_invited_person_signing_in_first_gets_the_invited_role_and_uses_the_invitation(
    client, provider, idp, email_settings, sent_emails
):
    """The invitee "sets a password or uses single sign-on": the invitation's role, not the provider's default."""
    inviter = UserFactory(tenant=provider.tenant, role=Role.ADMIN)
    invitation = invitations.invite(inviter, provider.tenant, "Ana@acme.test", Role.SUPPORT, "es")

    sso_sign_in(client)

    person = User.objects.get(email="ana@acme.test")
    assert (person.role, person.language) == (Role.SUPPORT, "es")
    invitation.refresh_from_db()
    assert invitation.accepted_by == person and invitation.accepted_at is not None
    with pytest.raises(invitations.InvitationError, match="already used"):
        invitations.accept(invitations.make_token(invitation), password="a-Long-passw0rd!")


def test_another_tenants_invitation_does_not_change_the_role(client, provider, idp, email_settings, sent_emails):
    elsewhere = TenantFactory()
    invitations.invite(UserFactory(tenant=elsewhere, role=Role.ADMIN), elsewhere, "ana@acme.test", Role.ADMIN)

    sso_sign_in(client)

    person = User.objects.get(email="ana@acme.test")
    assert (person.tenant, person.role) == (provider.tenant, Role.APPROVER)
