"""Walker's MFA policy still applies after single sign-on (docs/identity.md): the provider's own second factor is
not visible to Walker, so a person whose role needs one is asked for it, or sent to add one."""

from tenants.models import User
from tests.factories import UserFactory
from tests.mfa.conftest import enrol_totp, second_step, totp_code
from tests.sso.conftest import signed_in_as, sso_sign_in


def test_an_enrolled_person_is_asked_for_the_code_after_the_provider(client, provider, mfa_on):
    person = UserFactory(tenant=provider.tenant, role="approver", email="ana@acme.test")
    secret = enrol_totp(person)
    answer = sso_sign_in(client, next_url="/admin/")
    assert answer["Location"] == "/accounts/2fa/authenticate/"
    assert signed_in_as(client) is None  # not signed in before the second step
    assert second_step(client, totp_code(secret))["Location"] == "/accounts/2fa/trust/"
    client.post("/accounts/2fa/trust/", {"action": "skip"})
    assert signed_in_as(client) == str(person.pk)


def test_a_new_account_whose_role_needs_a_factor_is_sent_to_add_one(client, provider, mfa_on):
    sso_sign_in(client, next_url="/admin/")  # made as an approver, the provider's default role
    assert signed_in_as(client) == str(User.objects.get(email="ana@acme.test").pk)
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/?next=")
    # Adding one right after signing in needs no password (the account has none): the sign-in is recent.
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
