"""The API's password sign-in asks for the second factor the person has enrolled, or their policy needs (`code`: a
TOTP or recovery code), checked by allauth.mfa's own form with its limit; a person with only a passkey is sent
elsewhere. Both password doors (/api/v1/auth/token/ and the older /api/auth/token/) run one sequence."""

import pytest
from allauth.mfa.models import Authenticator
from rest_framework.test import APIClient

from tenants.roles import Role
from tests.concurrency import at_once
from tests.factories import PASSWORD, UserFactory
from tests.mfa.conftest import enrol_totp, recovery_codes, totp_code

PAIR = "/api/v1/auth/token/"
OLDER = "/api/auth/token/"  # the deprecated DRF token, also by password
ALLOWED = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 wrong codes per person in 5 minutes


def sign_in(user, path=PAIR, **extra):
    return APIClient().post(path, {"email": user.email, "password": PASSWORD, **extra}, format="json")


def refusal(response) -> tuple[int, str]:
    return response.status_code, response.json().get("code")


def wrong_code(secret) -> str:
    return "000000" if totp_code(secret) != "000000" else "111111"


@pytest.fixture
def enrolled(mfa_on):
    """An approver (their role needs a factor) with an authenticator app; with its secret."""
    approver = UserFactory(tenant=mfa_on, role=Role.APPROVER, email="approver@acme.test")
    return approver, enrol_totp(approver)


@pytest.mark.parametrize("path", [PAIR, OLDER])
def test_without_a_code_the_answer_names_what_to_send(enrolled, path):
    approver, _ = enrolled
    response = sign_in(approver, path)
    assert refusal(response) == (401, "mfa_required") and "`code`" in response.json()["detail"]


@pytest.mark.parametrize("path", [PAIR, OLDER])
def test_the_authenticator_apps_code_signs_in_once(enrolled, path):
    approver, secret = enrolled
    code = totp_code(secret)
    assert sign_in(approver, path, code=code).status_code == 200
    assert refusal(sign_in(approver, path, code=code)) == (400, "mfa_code_invalid")  # a code works once
    assert Authenticator.objects.get(user=approver, type="totp").last_used_at is not None


def test_a_recovery_code_signs_in_once(enrolled):
    approver, _ = enrolled
    code = recovery_codes(approver)[0]
    assert sign_in(approver, code=code).status_code == 200
    assert refusal(sign_in(approver, code=code)) == (400, "mfa_code_invalid")


def test_a_wrong_code_is_refused_and_the_password_still_counts_first(enrolled):
    approver, secret = enrolled
    assert refusal(sign_in(approver, code=wrong_code(secret))) == (400, "mfa_code_invalid")
    wrong_password = APIClient().post(PAIR, {"email": approver.email, "password": "nope", "code": totp_code(secret)})
    assert wrong_password.status_code == 400 and "Email or password is wrong" in wrong_password.content.decode()


def test_after_five_wrong_codes_even_the_right_one_waits(enrolled):
    approver, secret = enrolled
    for _ in range(ALLOWED):
        assert refusal(sign_in(approver, code=wrong_code(secret))) == (400, "mfa_code_invalid")
    assert refusal(sign_in(approver, code=totp_code(secret))) == (429, "too_many_attempts")


def test_a_person_with_only_a_passkey_is_told_to_use_an_integration_token_or_the_console(mfa_on):
    approver = UserFactory(tenant=mfa_on, role=Role.APPROVER)
    Authenticator.objects.create(user=approver, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})
    response = sign_in(approver, code="123456")
    assert refusal(response) == (403, "mfa_passkey_only") and "integration token" in response.json()["detail"]


def test_a_person_who_must_enrol_first_is_told_where(mfa_on):
    approver = UserFactory(tenant=mfa_on, role=Role.APPROVER)
    response = sign_in(approver)
    assert refusal(response) == (403, "mfa_enrolment_required") and "/accounts/2fa/" in response.json()["detail"]


def test_roles_the_policy_does_not_name_sign_in_with_the_password_alone_until_they_enrol(mfa_on):
    member = UserFactory(tenant=mfa_on, role=Role.MEMBER)
    assert sign_in(member).status_code == 200


@pytest.mark.parametrize("path", [PAIR, OLDER])
def test_a_factor_one_enrolled_is_asked_whatever_the_policy(mfa_on, other_tenant, path):
    """As the sign-in page does: a factor a person added of their own choice, or under a policy that is off, is
    asked at every sign-in; the password alone is not enough, and a wrong code is refused."""
    member = UserFactory(tenant=mfa_on, role=Role.MEMBER)  # the policy does not name members
    approver = UserFactory(tenant=other_tenant, role=Role.APPROVER)  # other_tenant's policy is off
    for person in (member, approver):
        secret = enrol_totp(person)
        assert refusal(sign_in(person, path)) == (401, "mfa_required")
        assert refusal(sign_in(person, path, code=wrong_code(secret))) == (400, "mfa_code_invalid")
        assert sign_in(person, path, code=totp_code(secret)).status_code == 200


def test_a_recovery_code_serves_a_factor_the_policy_does_not_ask_for(mfa_on):
    member = UserFactory(tenant=mfa_on, role=Role.MEMBER)
    enrol_totp(member)
    code = recovery_codes(member)[0]
    assert sign_in(member, code=code).status_code == 200
    assert refusal(sign_in(member, code=code)) == (400, "mfa_code_invalid")  # used up


def test_a_passkey_one_enrolled_is_not_skipped_by_a_script(mfa_on):
    member = UserFactory(tenant=mfa_on, role=Role.MEMBER)
    Authenticator.objects.create(user=member, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})
    assert refusal(sign_in(member)) == (403, "mfa_passkey_only")


def test_another_tenants_policy_does_not_apply(mfa_on, other_tenant):
    theirs = UserFactory(tenant=other_tenant, role=Role.APPROVER)  # other_tenant's policy is off, no factor
    assert sign_in(theirs).status_code == 200


@pytest.mark.parametrize("code", ["x" * 65, "12 34\x0056"])
def test_a_malformed_code_is_a_clear_400(enrolled, code):
    approver, _ = enrolled
    response = sign_in(approver, code=code)
    assert response.status_code == 400 and "code" in response.json()


@pytest.mark.slow
def test_wrong_codes_sent_at_once_never_get_more_than_the_allowed_tries(postgres_only, mfa_on):
    approver = UserFactory(tenant=mfa_on, role=Role.APPROVER)
    secret = enrol_totp(approver)
    wrong = wrong_code(secret)
    answers = at_once(*[lambda: sign_in(approver, code=wrong).status_code for _ in range(8)])
    tried = answers.count(400)
    assert tried <= ALLOWED and answers.count(429) == len(answers) - tried
    while sign_in(approver, code=wrong).status_code == 400:  # what is left, one at a time
        tried += 1
    assert tried == ALLOWED
    assert refusal(sign_in(approver, code=totp_code(secret))) == (429, "too_many_attempts")
