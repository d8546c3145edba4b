"""From the preferences page: "Preview my brief" shows it without sending; "Send me one now" sends today's brief
(one a day: the one asked for is the day's brief, as a "brief" reply is). The greeting fits the reader's local hour."""

import html
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.test import Client

from analytics.models import EmailDeliveryLog
from briefs.greeting import greeting
from briefs.models import DailyBrief
from tests.factories import EmailPreferenceFactory, UserFactory

PREFERENCES, PREVIEW, SEND_NOW = "/briefs/preferences/", "/briefs/preview/", "/briefs/send-now/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(tenant):
    person = UserFactory(tenant=tenant, role="approver", first_name="Ana")
    EmailPreferenceFactory(user=person, timezone="UTC", delivery_time=time(8, 0))
    return person


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def in_zone(person, zone):
    person.email_preference.timezone = zone
    person.email_preference.save(update_fields=["timezone"])


@pytest.mark.parametrize(
    "now, zone, expected",
    [
        ("2026-11-24T23:00", "UTC", "Good evening, Ana."),  # the on-demand brief at 11 pm
        ("2026-11-24T23:00", "Asia/Tokyo", "Good morning, Ana."),  # 08:00 on the 25th in Tokyo
        ("2026-11-24T20:00", "America/Los_Angeles", "Good afternoon, Ana."),  # 12:00
        ("2026-11-24T19:59", "America/Los_Angeles", "Good morning, Ana."),  # 11:59
        ("2026-11-24T16:59", "Europe/Paris", "Good afternoon, Ana."),  # 17:59
        ("2026-11-24T17:00", "Europe/Paris", "Good evening, Ana."),  # 18:00
        ("2026-11-24T03:59", "Europe/Paris", "Good evening, Ana."),  # 04:59, still the night before's evening
        ("2026-11-24T04:00", "Europe/Paris", "Good morning, Ana."),  # 05:00
    ],
)
def test_the_preview_greets_by_the_readers_local_hour(client, ana, sent_emails, now, zone, expected):
    in_zone(ana, zone)
    client.force_login(ana)
    with time_machine.travel(utc(now), tick=False):
        page = client.get(PREVIEW)
    assert page.status_code == 200
    assert expected in page.text
    assert not sent_emails and not DailyBrief.objects.exists() and not EmailDeliveryLog.objects.exists()


def test_a_greeting_without_a_first_name(tenant):
    nameless = UserFactory(tenant=tenant, first_name="")
    EmailPreferenceFactory(user=nameless, timezone="UTC")
    assert greeting(nameless, utc("2026-11-24T21:30")) == "Good evening."
    assert greeting(nameless, utc("2026-11-24T13:00")) == "Good afternoon."
    assert greeting(nameless, utc("2026-11-24T06:00")) == "Good morning."


def test_without_a_preference_the_greeting_reads_the_tenants_zone(tenant):
    tenant.timezone = "America/New_York"
    tenant.save(update_fields=["timezone"])
    person = UserFactory(tenant=tenant, first_name="Sam")
    assert greeting(person, utc("2026-11-25T02:00")) == "Good evening, Sam."  # 21:00 in New York


def test_the_preview_shows_the_brief_for_the_signed_in_person_only(client, tenant, ana, sent_emails):
    other = UserFactory(tenant=tenant, first_name="Bruno")
    EmailPreferenceFactory(user=other, timezone="UTC")
    client.force_login(ana)
    with time_machine.travel(utc("2026-11-24T09:00"), tick=False):
        page = client.get(PREVIEW)
    assert "Your Walker brief for Tuesday 24 November" in page.text  # the subject it would have
    assert "Ana" in page.text and "Bruno" not in page.text
    assert "Nothing was sent" in page.text
    assert 'srcdoc="&lt;!doctype html&gt;' in page.text  # the email itself, as it would arrive
    assert "&lt;base target=&quot;_blank&quot;&gt;" in page.text  # its links open in a tab of their own
    assert not sent_emails and not DailyBrief.objects.exists()


def test_the_preview_and_send_now_need_a_signed_in_person_of_a_business(client, django_user_model):
    for url in (PREVIEW, SEND_NOW):
        response = client.post(url) if url == SEND_NOW else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    root = django_user_model.objects.create_superuser(email="root@walker.test", password="x" * 16)
    client.force_login(root)
    assert client.get(PREVIEW).status_code == 404 and client.post(SEND_NOW).status_code == 404


def test_the_preferences_page_offers_both(client, ana):
    client.force_login(ana)
    page = client.get(PREFERENCES).text
    assert f'href="{PREVIEW}"' in page and "Preview my brief" in page
    assert f'action="{SEND_NOW}"' in page and "Send me one now" in page


def test_send_now_sends_one_brief_with_the_evening_greeting(
    client, ana, sent_emails, django_capture_on_commit_callbacks
):
    client.force_login(ana)
    with time_machine.travel(utc("2026-11-24T23:00"), tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(SEND_NOW, follow=True)
    assert response.redirect_chain[-1][0] == PREFERENCES
    assert f"Your brief is on its way to {ana.email}" in response.text
    [email] = sent_emails
    assert email.to == ana.email and email.text.startswith("Good evening, Ana.")
    assert DailyBrief.objects.get(user=ana).status == "sent"


def test_send_now_is_once_a_day_and_says_when_it_went(client, ana, sent_emails, django_capture_on_commit_callbacks):
    """The limit: one brief a day per person (the scheduled one or one asked for), kept by the day's brief row."""
    client.force_login(ana)
    with time_machine.travel(utc("2026-11-24T10:00"), tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(SEND_NOW)
    with time_machine.travel(utc("2026-11-24T10:01"), tick=False), django_capture_on_commit_callbacks(execute=True):
        again = client.post(SEND_NOW, follow=True)
    assert "Today's brief went out at 10:00" in html.unescape(again.text)
    assert len(sent_emails) == 1
    with (
        time_machine.travel(utc("2026-11-25T10:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):  # a new day: a new brief
        client.post(SEND_NOW)
    assert len(sent_emails) == 2


def test_two_clicks_before_the_worker_ran_still_send_one(client, ana, sent_emails, django_capture_on_commit_callbacks):
    client.force_login(ana)
    with time_machine.travel(utc("2026-11-24T10:00"), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            client.post(SEND_NOW)
            client.post(SEND_NOW)
        for task in queued:
            task()
    assert len(queued) == 2 and len(sent_emails) == 1


def test_send_now_is_a_post_with_its_csrf_token(ana, sent_emails):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ana)
    assert browser.get(SEND_NOW).status_code == 405
    assert browser.post(SEND_NOW).status_code == 403
    assert not sent_emails
