"""Changing one's own address: a signed link to the new address, the change only when it is followed, the old
address told; the link works once, for its owner, until it expires."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from analytics.models import EmailDeliveryLog
from tenants.models import User
from tenants.pii import mask
from tests.factories import PASSWORD, UserFactory
from tests.invitations.conftest import link_in, path_of

PAGE = "/accounts/email/"


def _ask(client, new="pat.new@acme.test", password=PASSWORD):
    return client.post(PAGE, {"email": new, "password": password})


def test_the_change_waits_for_the_link_and_the_old_address_is_told(client, mail, colleague):
    client.force_login(colleague)
    assert client.get(PAGE).status_code == 200
    answer = _ask(client)
    assert answer.status_code == 302
    assert [email.to for email in mail] == ["pat.new@acme.test"]
    assert User.objects.get(pk=colleague.pk).email == "colleague@acme.test"  # nothing changed yet
    link = path_of(link_in(mail[0]))
    assert "pat.new" not in link  # the new address travels encrypted
    assert client.get(link).status_code == 200  # asks; a mail scanner's GET changes nothing
    assert User.objects.get(pk=colleague.pk).email == "colleague@acme.test"
    assert client.post(link).status_code == 302
    assert User.objects.get(pk=colleague.pk).email == "pat.new@acme.test"
    assert [email.to for email in mail] == ["pat.new@acme.test", "colleague@acme.test"]
    assert mask("pat.new@acme.test") in mail[1].text and "pat.new@" not in mail[1].text
    assert EmailDeliveryLog.objects.filter(user=colleague).count() == 2
    client.logout()
    signed_in = client.post("/accounts/login/", {"login": "pat.new@acme.test", "password": PASSWORD})
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session


def test_the_link_works_once(client, mail, colleague):
    client.force_login(colleague)
    _ask(client)
    link = path_of(link_in(mail[0]))
    client.post(link)
    again = client.post(link)
    assert again.status_code == 410 and again.context["code"] == "used"


def test_the_link_expires(client, mail, colleague):
    client.force_login(colleague)
    _ask(client)
    link = path_of(link_in(mail[0]))
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        client.force_login(colleague)
        late = client.post(link)
    assert late.status_code == 410 and late.context["code"] == "expired"
    assert User.objects.get(pk=colleague.pk).email == "colleague@acme.test"


def test_someone_elses_link_is_refused(client, mail, colleague, tenant):
    client.force_login(colleague)
    _ask(client)
    link = path_of(link_in(mail[0]))
    client.force_login(UserFactory(tenant=tenant))
    stolen = client.post(link)
    assert stolen.status_code == 403 and User.objects.get(pk=colleague.pk).email == "colleague@acme.test"


def test_a_wrong_password_or_a_bad_address_changes_nothing(client, mail, colleague):
    client.force_login(colleague)
    assert "not right" in _ask(client, password="wrong").content.decode()
    assert _ask(client, new="not an address").status_code == 200
    assert "already your address" in _ask(client, new="COLLEAGUE@acme.test").content.decode()
    assert not mail


def test_an_address_with_an_account_gets_the_same_answer_and_no_link(client, mail, colleague, approver):
    client.force_login(colleague)
    taken = _ask(client, new=approver.email)
    free = _ask(client, new="free@acme.test")
    assert taken.status_code == free.status_code == 302
    assert [email.to for email in mail] == ["free@acme.test"]


def test_an_address_taken_before_the_link_is_followed_is_refused(client, mail, colleague, tenant):
    client.force_login(colleague)
    _ask(client)
    UserFactory(tenant=tenant, email="pat.new@acme.test")
    late = client.post(path_of(link_in(mail[0])))
    assert late.status_code == 409 and User.objects.get(pk=colleague.pk).email == "colleague@acme.test"


def test_requests_are_throttled(client, mail, colleague):
    client.force_login(colleague)
    for n in range(6):
        _ask(client, new=f"n{n}@acme.test")
    assert len(mail) == 5  # ACCOUNT_RATE_LIMITS["change_email"]: 5 an hour per person


def test_the_emails_are_in_the_persons_language(client, mail, colleague):
    colleague.language = "es"
    colleague.save(update_fields=["language"])
    client.force_login(colleague)
    _ask(client)
    client.post(path_of(link_in(mail[0])))
    assert mail[0].subject == "Confirma tu nueva dirección de correo para Walker"
    assert mail[1].subject == "Se cambió tu dirección de correo de Walker"


def test_signed_out_people_are_sent_to_sign_in(client):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
