"""Wrong passwords sent to the API's sign-in count like any other (django-axes, tenants.identity.login_guard): the
account
locks, and so does an address; the answer is the API's 429 `locked_out`."""

from axes.models import AccessAttempt

from tenants.fields import hash_of
from tests.api_tokens.conftest import OBTAIN
from tests.factories import PASSWORD


def sign_in(client, email, password, address):
    return client.post(OBTAIN, {"email": email, "password": password}, format="json", REMOTE_ADDR=address)


def test_wrong_passwords_lock_the_account(api_client, tenant_admin, settings):
    statuses = [
        sign_in(api_client, tenant_admin.email, "guess", f"203.0.113.{n}").status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the miss that reaches the limit locks
    attempt = AccessAttempt.objects.get(username=hash_of("email", tenant_admin.email), ip_address="203.0.113.0")
    assert attempt.failures_since_start == 1

    locked = sign_in(api_client, tenant_admin.email, PASSWORD, "198.51.100.1")
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
    assert "access" not in locked.json()


def test_the_sign_in_is_throttled_per_address(api_client, tenant_admin):
    statuses = [sign_in(api_client, f"guess{n}@acme.test", "guess", "192.0.2.9").status_code for n in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
