"""Login throttles that hold: forwarded headers are not trusted by default, and both logins lock out
(issue 17, point 2)."""

from io import StringIO

from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from tenants.fields import hash_of
from tests.factories import PASSWORD

TOKEN = "/api/auth/token/"
LOGIN = reverse("login")  # allauth's; /admin/login/ sends here


def api_login(client, email, password, *, forwarded_for=None, address="127.0.0.1"):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(TOKEN, {"email": email, "password": password}, format="json", REMOTE_ADDR=address, **extra)


def test_rotating_x_forwarded_for_does_not_escape_the_api_login_throttle(api_client, tenant_admin):
    statuses = [
        api_login(api_client, f"guess{n}@acme.test", "guess", forwarded_for=f"203.0.113.{n}").status_code
        for n in range(30)
    ]
    assert statuses[:10] == [400] * 10 and set(statuses[10:]) == {429}
    assert api_login(api_client, tenant_admin.email, PASSWORD, forwarded_for="198.51.100.7").status_code == 429


def test_behind_a_configured_proxy_the_address_it_wrote_counts(api_client, tenant_admin, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The client forges the left-most entry; the right-most one, written by our proxy, is the one counted.
    for n in range(10):
        assert api_login(api_client, "g@acme.test", "x", forwarded_for=f"10.0.0.{n}, 203.0.113.5").status_code == 400
    assert api_login(api_client, "g@acme.test", "x", forwarded_for="10.0.0.99, 203.0.113.5").status_code == 429
    assert api_login(api_client, "g@acme.test", "x", forwarded_for="10.0.0.1, 203.0.113.6").status_code == 400


def test_the_api_login_locks_the_account_after_repeated_wrong_passwords(api_client, tenant_admin, settings):
    """From many real addresses (a botnet): each stays under the throttle, the account still locks."""
    statuses = [
        api_login(api_client, tenant_admin.email, "guess", address=f"203.0.113.{n}").status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    response = api_login(api_client, tenant_admin.email, PASSWORD, address="198.51.100.1")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"


def admin_login(client, email, password, address="192.0.2.10"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address)


def test_the_admin_login_locks_out_per_account_with_a_clear_page(client, tenant_admin):
    for n in range(40):
        response = admin_login(client, tenant_admin.email, f"guess-{n}", address=f"192.0.2.{n}")
        assert response.status_code in (200, 429)  # the form again, then the lockout page
    locked = admin_login(client, tenant_admin.email, PASSWORD)
    assert locked.status_code == 429 and "Sign-in locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_locks_out_per_address(client, approver, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, f"nobody{n}@acme.test", "guess", address="192.0.2.77")
    assert admin_login(client, approver.email, PASSWORD, address="192.0.2.77").status_code == 429
    assert admin_login(client, approver.email, PASSWORD, address="192.0.2.78").status_code == 302  # signed in


def test_a_platform_admin_unlocks_an_account_in_the_console(client, tenant_admin, superuser, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, tenant_admin.email, "guess", address=f"192.0.2.{n}")
    assert admin_login(client, tenant_admin.email, PASSWORD).status_code == 429

    client.force_login(superuser)
    attempts = AccessAttempt.objects.filter(username=hash_of("email", tenant_admin.email))
    assert attempts.exists()
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"},
    )
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    client.logout()
    assert admin_login(client, tenant_admin.email, PASSWORD).status_code == 302


def test_unlock_login_lifts_the_lock_of_an_address(client, tenant_admin):
    AccessAttempt.objects.create(username=hash_of("email", tenant_admin.email), failures_since_start=30)
    out = StringIO()
    call_command("unlock_login", tenant_admin.email.upper(), stdout=out)
    assert "1 failed attempt record(s) removed" in out.getvalue()
    assert not AccessAttempt.objects.exists()
