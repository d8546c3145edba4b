"""The moments a person's sessions end at once: a role change, deactivation, a new password, "sign out everywhere",
an admin of their tenant (audited); other saves keep them, and a change rolled back ends nothing."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.test import Client

from core.errors import WalkerError
from tenants.identity.signin.sessions import end_colleague_sessions
from tenants.privacy.audit import Origin
from tenants.privacy.subject_requests import erase_person, export_person
from tenants.roles import Role
from tests.factories import PASSWORD

CHANGELIST = "/admin/tenants/user/"


def signed_in(user) -> Client:
    browser = Client(HTTP_USER_AGENT="Firefox")
    assert browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
    return browser


def is_signed_in(browser) -> bool:
    return browser.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"role": Role.COMPLIANCE},
        {"is_active": False},
    ],
)
def test_a_change_of_role_or_activity_ends_every_session(approver, change):
    laptop, phone = signed_in(approver), signed_in(approver)
    for name, value in change.items():
        setattr(approver, name, value)
    approver.save()
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert not UserSession.objects.filter(user=approver).exists()


def test_a_new_password_set_by_an_admin_ends_every_session(approver):
    phone = signed_in(approver)
    approver.set_password("a new long passphrase 42")
    approver.save()
    assert not is_signed_in(phone) and not UserSession.objects.exists()


def test_changing_ones_own_password_keeps_this_browser_and_ends_the_others(approver):
    laptop, phone = signed_in(approver), signed_in(approver)
    new = "a new long passphrase 42"
    response = laptop.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302, response.content
    assert is_signed_in(laptop) and not is_signed_in(phone)
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [laptop.session.session_key]


def test_other_saves_keep_the_sessions(approver):
    phone = signed_in(approver)
    approver.first_name = "Ada"
    approver.save()
    approver.save(update_fields=["last_login"])
    assert is_signed_in(phone)


def test_a_role_change_rolled_back_ends_nothing(approver):
    phone = signed_in(approver)
    with pytest.raises(RuntimeError), transaction.atomic():
        approver.role = Role.MEMBER
        approver.save()
        raise RuntimeError("the admin's form failed after the save")
    assert is_signed_in(phone)


def test_sign_out_everywhere_ends_the_sessions_too(approver):
    laptop, phone = signed_in(approver), signed_in(approver)
    answer = laptop.post("/api/v1/auth/sign-out-everywhere/")
    assert answer.json() == {"revoked": 0, "sessions_ended": 2}
    assert not is_signed_in(laptop) and not is_signed_in(phone)


def test_sign_out_everywhere_in_the_console_keeps_the_page_it_was_asked_from(approver):
    laptop, phone = signed_in(approver), signed_in(approver)
    answer = laptop.post("/admin/tenants/integrationtoken/sign-out-everywhere/", follow=True)
    assert "1 other session ended" in answer.content.decode()
    assert is_signed_in(laptop) and not is_signed_in(phone)


def test_a_tenant_admin_ends_a_colleagues_sessions_audited(tenant_admin, approver):
    admin, phone = signed_in(tenant_admin), signed_in(approver)
    response = admin.post(CHANGELIST, {"action": "end_sessions", "_selected_action": [approver.pk]}, follow=True)
    assert "Sessions ended for 1 people" in response.content.decode()
    assert not is_signed_in(phone) and is_signed_in(admin)
    entry = LogEntry.objects.get(object_id=str(approver.pk))
    assert entry.user_id == tenant_admin.pk and entry.change_message == "Sessions ended (1)."


def test_an_admin_does_not_end_their_own_sessions_here(tenant_admin):
    admin = signed_in(tenant_admin)
    response = admin.post(CHANGELIST, {"action": "end_sessions", "_selected_action": [tenant_admin.pk]}, follow=True)
    assert "cannot end your own sessions" in response.content.decode()
    assert is_signed_in(admin) and not LogEntry.objects.exists()


def test_another_tenants_person_is_out_of_reach(tenant_admin, outsider):
    admin, theirs = signed_in(tenant_admin), signed_in(outsider)
    admin.post(CHANGELIST, {"action": "end_sessions", "_selected_action": [outsider.pk]})
    assert is_signed_in(theirs)  # not in the admin's list: nothing selected
    with pytest.raises(WalkerError) as refused:
        end_colleague_sessions(tenant_admin, outsider)
    assert refused.value.code == "not_found" and is_signed_in(theirs)


def test_an_approver_may_not_end_anyones(approver, second_approver):
    theirs = signed_in(second_approver)
    with pytest.raises(WalkerError):
        end_colleague_sessions(approver, second_approver)
    assert is_signed_in(theirs)


def test_a_platform_superuser_ends_anyones(superuser, outsider):
    theirs = signed_in(outsider)
    assert end_colleague_sessions(superuser, outsider) == 1 and not is_signed_in(theirs)


def test_a_subject_request_exports_the_browsers_and_erasure_ends_the_sessions(tenant_admin, approver):
    phone = signed_in(approver)
    _, exported = export_person(tenant_admin, approver, reason="Their request", origin=Origin())
    assert [row["browser"] for row in exported["sessions"]] == ["Firefox"]
    erase_person(tenant_admin, approver, reason="Their request")
    assert not is_signed_in(phone) and not UserSession.objects.exists()


def test_a_channel_layer_that_fails_never_fails_the_change(approver, django_capture_on_commit_callbacks, monkeypatch):
    def broken(group, message):
        raise ConnectionError("the layer is down")

    monkeypatch.setattr("core.layer.group_send", broken)
    phone = signed_in(approver)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        approver.role = Role.COMPLIANCE
        approver.save()
    assert len(callbacks) == 1 and not is_signed_in(phone)
    approver.refresh_from_db()
    assert approver.role == Role.COMPLIANCE
