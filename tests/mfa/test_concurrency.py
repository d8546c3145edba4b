"""Wrong codes sent at once are each counted: the lockout after 5 is not escaped by racing (allauth's limit holds a
cache lock while it counts)."""

import pytest
from django.test import Client

from tenants.roles import Role
from tests.concurrency import at_once
from tests.factories import UserFactory
from tests.mfa.conftest import enrol_totp, second_step, sign_in_with_password, totp_code

ALLOWED = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 per person in 5 minutes


@pytest.mark.slow
def test_wrong_codes_sent_at_once_never_get_more_than_the_allowed_tries(postgres_only, mfa_on):
    approver = UserFactory(tenant=mfa_on, role=Role.APPROVER)
    secret = enrol_totp(approver)
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    browsers = [Client() for _ in range(8)]
    for browser in browsers:
        assert sign_in_with_password(browser, approver)["Location"] == "/accounts/2fa/authenticate/"

    pages = at_once(*[lambda b=b: second_step(b, wrong).content.decode() for b in browsers])
    tried = sum("Incorrect code" in page for page in pages)
    assert tried <= ALLOWED
    while "Incorrect code" in second_step(browsers[0], wrong).content.decode():  # what is left, one at a time
        tried += 1
    assert tried == ALLOWED

    late = second_step(browsers[1], totp_code(secret)).content.decode()
    assert "Too many failed" in late and all("_auth_user_id" not in b.session for b in browsers)
