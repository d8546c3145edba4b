"""Phone verification: a code on WhatsApp when a number is added, confirmed by reply or in the admin."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from channels_app.whatsapp.models import WhatsAppTemplate
from conversations.models import Message
from tenants.identity import verification
from tenants.models import UserPhoneNumber
from tests.factories import PhoneFactory
from tests.fixtures.whatsapp import inbound_form, post_signed

WEBHOOK = "/channels/whatsapp/webhook"
PHONE = "+14155550142"
pytestmark = pytest.mark.django_db


@pytest.fixture
def code_template(tenant):
    return WhatsAppTemplate.objects.create(
        tenant=tenant, purpose="verification", content_sid="HX" + "c" * 32, variables={"1": "code"}
    )


def add_number(user, phone=PHONE) -> UserPhoneNumber:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return PhoneFactory(user=user, phone_number=phone, verified=False)


def sent_code(twilio) -> str:
    return re.search(r'"1": "(\d{6})"', twilio.sent[-1]["ContentVariables"]).group(1)


def test_adding_a_number_sends_a_code_through_the_template_then_a_reply_verifies_it(
    client, twilio, number, code_template, colleague
):
    phone = add_number(colleague)
    [first] = twilio.sent
    assert first["To"] == f"whatsapp:{PHONE}" and first["ContentSid"] == code_template.content_sid
    code = sent_code(twilio)
    phone.refresh_from_db()
    assert not phone.verified and phone.code_hash and code not in phone.code_hash

    assert post_signed(client, WEBHOOK, inbound_form(PHONE, f" {code} ")).status_code == 200
    phone.refresh_from_db()
    assert phone.verified and phone.verified_at is not None and phone.code_hash == ""
    assert "this number is verified" in twilio.sent[-1]["Body"]
    assert not Message.objects.exists()  # the code is not a message to the agents

    post_signed(client, WEBHOOK, inbound_form(PHONE, "How is the Summer Sale doing?"))
    assert Message.objects.filter(direction="inbound", conversation__user=colleague).exists()


def test_without_a_template_the_code_is_blocked_and_the_reason_shown(twilio, number, colleague):
    phone = add_number(colleague)
    assert twilio.sent == []
    phone.refresh_from_db()
    assert "no approved verification template" in phone.code_delivery_error


def test_a_code_works_once(twilio, number, code_template, colleague):
    phone = add_number(colleague)
    code = sent_code(twilio)
    verification.confirm_code(phone.pk, code)
    with pytest.raises(verification.VerificationError) as error:
        verification.confirm_code(phone.pk, code)
    assert error.value.code == "already_verified"


def test_a_code_expires(twilio, number, code_template, colleague):
    phone = add_number(colleague)
    code = sent_code(twilio)
    with (
        time_machine.travel(timezone.now() + verification.CODE_TTL + timedelta(seconds=1)),
        pytest.raises(verification.VerificationError) as error,
    ):
        verification.confirm_code(phone.pk, code)
    assert error.value.code == "expired"


def test_wrong_codes_are_counted_and_then_the_code_dies(client, twilio, number, code_template, colleague):
    phone = add_number(colleague)
    code = sent_code(twilio)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(verification.MAX_ATTEMPTS):
        post_signed(client, WEBHOOK, inbound_form(PHONE, wrong))
    assert "not right" in twilio.sent[-1]["Body"]
    phone.refresh_from_db()
    assert phone.code_attempts == verification.MAX_ATTEMPTS
    post_signed(client, WEBHOOK, inbound_form(PHONE, code))  # the right code, too late
    phone.refresh_from_db()
    assert not phone.verified
    assert "Too many wrong codes" in twilio.sent[-1]["Body"]


def test_sending_codes_is_rate_limited(twilio, number, code_template, colleague):
    phone = add_number(colleague)
    with pytest.raises(verification.VerificationError) as error:
        verification.issue_code(phone.pk)
    assert error.value.code == "too_soon"
    now = timezone.now()
    for minutes in range(1, verification.MAX_CODES):
        with time_machine.travel(now + timedelta(minutes=minutes * 2)):
            verification.issue_code(phone.pk)
    with time_machine.travel(now + timedelta(minutes=30)), pytest.raises(verification.VerificationError) as error:
        verification.issue_code(phone.pk)
    assert error.value.code == "too_many_codes"
    with time_machine.travel(now + timedelta(hours=26)):
        verification.issue_code(phone.pk)  # a day later the count starts again


def test_an_unverified_number_neither_identifies_a_sender_nor_gets_notifications(client, twilio, number, colleague):
    add_number(colleague)
    post_signed(client, WEBHOOK, inbound_form(PHONE, "How is the Summer Sale doing?"))
    assert not Message.objects.exists()
    assert "we don't know this phone" in twilio.sent[-1]["Body"]


def test_changing_a_verified_number_needs_a_new_verification(colleague):
    phone = PhoneFactory(user=colleague, phone_number=PHONE)
    assert phone.verified and phone.verified_at
    phone.phone_number = "+14155550143"
    phone.save()
    phone.refresh_from_db()
    assert not phone.verified and phone.verified_at is None


def test_an_admin_enters_the_code(admin_client_of_tenant, twilio, number, code_template, colleague):
    phone = add_number(colleague)
    code = sent_code(twilio)
    url = f"/admin/tenants/userphonenumber/{phone.pk}/change/"
    form = {"user": str(colleague.pk), "phone_number": PHONE, "verification_code": "000000"}
    if code == "000000":
        form["verification_code"] = "111111"
    response = admin_client_of_tenant.post(url, form)
    assert response.status_code == 200 and "not right" in response.content.decode()
    phone.refresh_from_db()
    assert not phone.verified and phone.code_attempts == 1

    response = admin_client_of_tenant.post(url, {**form, "verification_code": code})
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.verified and phone.code_hash == ""


def test_an_admin_cannot_open_another_tenants_number(admin_client_of_tenant, outsider):
    theirs = PhoneFactory(user=outsider)
    assert admin_client_of_tenant.get(f"/admin/tenants/userphonenumber/{theirs.pk}/change/").status_code == 404


@pytest.fixture
def admin_client_of_tenant(client, tenant_admin):
    client.force_login(tenant_admin)
    return client
