"""django-axes' sign-in records hold no address in clear (only its keyed hash, as the lockout counts by it), and
a person's erasure removes theirs (issue 29, point 4)."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from tenants.fields import hash_of
from tenants.privacy.subject_requests import erase_person
from tenants.roles import Role
from tests.factories import PASSWORD, UserFactory

TOKEN = "/api/auth/token/"


def _values(model) -> list[str]:
    """Every text the table holds, whatever the column."""
    return [str(value) for row in model.objects.values() for value in row.values()]


def _axes_text() -> str:
    return "\n".join(v for model in (AccessAttempt, AccessLog, AccessFailureLog) for v in _values(model))


def test_no_door_leaves_an_address_in_the_sign_in_records(client, api_client, tenant_admin, colleague, approver):
    admin_login = reverse("login")
    client.post(admin_login, {"login": tenant_admin.email, "password": "wrong"}, HTTP_USER_AGENT="Browser/1")
    client.post(admin_login, {"login": approver.email, "password": PASSWORD})  # signed in
    client.post(reverse("logout"))
    api_client.post(TOKEN, {"email": colleague.email, "password": "wrong"})  # a form, not JSON
    api_client.post(TOKEN, {"email": "Colleague@ACME.test", "password": "wrong"}, format="json")
    client.post(reverse("login"), {"login": colleague.email, "password": "wrong"})

    assert AccessAttempt.objects.exists()
    stored = _axes_text()
    for address in (tenant_admin.email, approver.email, colleague.email, "acme.test", "ACME"):
        assert address not in stored
    # The lockout still counts per account, case-insensitively, by the keyed hash.
    colleague_rows = AccessAttempt.objects.filter(username=hash_of("email", colleague.email))
    assert sum(colleague_rows.values_list("failures_since_start", flat=True)) == 3


def test_an_erasure_removes_the_persons_sign_in_records(client, tenant, tenant_admin, colleague):
    for n in range(3):
        client.post(reverse("login"), {"login": colleague.email, "password": f"guess-{n}"})
        client.post(reverse("login"), {"login": tenant_admin.email, "password": f"guess-{n}"})
    theirs = hash_of("email", colleague.email)
    AccessLog.objects.create(username=theirs, ip_address="192.0.2.1", user_agent="x", http_accept="*/*")
    AccessFailureLog.objects.create(username=theirs, ip_address="192.0.2.1", user_agent="x", http_accept="*/*")
    assert AccessAttempt.objects.filter(username=theirs).exists()

    erasure = erase_person(tenant_admin, colleague, reason="Art. 17")

    assert erasure.counts["sign_ins"] == 3
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert not model.objects.filter(username=theirs).exists()
    assert AccessAttempt.objects.filter(username=hash_of("email", tenant_admin.email)).exists()  # others stay


def test_an_admin_sign_in_is_still_locked_per_account(client, tenant):
    """The success log is off; a good password still clears the misses of that account (AXES_RESET_ON_SUCCESS)."""
    person = UserFactory(tenant=tenant, role=Role.APPROVER, email="pat@acme.test")
    client.post(reverse("login"), {"login": person.email, "password": "wrong"})
    assert client.post(reverse("login"), {"login": person.email, "password": PASSWORD}).status_code == 302
    assert not AccessAttempt.objects.filter(username=hash_of("email", person.email)).exists()
    assert not AccessLog.objects.exists()
