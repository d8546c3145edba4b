"""A signed-in person chooses when and what their daily brief holds; bad choices are refused and change nothing."""

from datetime import UTC, datetime, time

import pytest

from briefs.services import send_brief_now
from tenants.models import UserEmailPreference
from tests.factories import EmailPreferenceFactory, UserFactory

URL = "/briefs/preferences/"
pytestmark = pytest.mark.django_db


def choose(**fields):
    return {
        "enabled": "on",
        "delivery_time": "07:15",
        "timezone": "Europe/Paris",
        "include_sections": ["seo"],
        **fields,
    }


def test_signing_in_is_needed(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_member_changes_time_zone_and_sections(client, tenant):
    member = UserFactory(tenant=tenant, role="member")
    EmailPreferenceFactory(user=member, timezone="UTC", delivery_time=time(8, 0))
    client.force_login(member)
    page = client.get(URL)
    assert page.status_code == 200 and 'value="08:00"' in page.text and "Send me the daily brief" in page.text

    response = client.post(URL, choose(include_sections=["seo", "approvals"]), follow=True)
    assert "Saved." in response.text
    preference = UserEmailPreference.objects.get(user=member)
    assert (preference.delivery_time, preference.timezone) == (time(7, 15), "Europe/Paris")
    assert sorted(preference.include_sections) == ["approvals", "seo"] and preference.enabled


def test_a_first_visit_starts_from_the_tenants_zone_and_saves_a_preference(client, tenant):
    person = UserFactory(tenant=tenant, role="approver")
    client.force_login(person)
    assert f'<option value="{tenant.timezone}" selected>' in client.get(URL).text
    client.post(URL, choose(enabled=""))  # turned off
    preference = UserEmailPreference.objects.get(user=person)
    assert preference.tenant == tenant and not preference.enabled


@pytest.mark.parametrize(
    "bad, error",
    [
        ({"timezone": "Mars/Olympus"}, "Select a valid choice"),
        ({"include_sections": ["seo", "horoscope"]}, "Select a valid choice"),
        ({"include_sections": []}, "Choose at least one section"),
        ({"delivery_time": "25:99"}, "Enter a valid time"),
    ],
)
def test_bad_choices_are_refused_and_change_nothing(client, tenant, bad, error):
    person = UserFactory(tenant=tenant)
    EmailPreferenceFactory(user=person, timezone="UTC", delivery_time=time(8, 0))
    client.force_login(person)
    response = client.post(URL, choose(**bad))
    assert response.status_code == 400 and error in response.text
    preference = UserEmailPreference.objects.get(user=person)
    assert (preference.delivery_time, preference.timezone) == (time(8, 0), "UTC")


def test_a_platform_superuser_has_no_brief(client, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@walker.test", password="x" * 16)
    client.force_login(root)
    assert client.get(URL).status_code == 404 and not UserEmailPreference.objects.exists()


def test_a_person_reads_the_pages_and_their_brief_in_spanish(client, tenant, monkeypatch):
    sent = []
    monkeypatch.setattr("channels_app.email.send.provider_send", lambda email: (sent.append(email), ("t", "1"))[1])
    person = UserFactory(tenant=tenant, role="approver", first_name="Ana")
    EmailPreferenceFactory(user=person, timezone="UTC", delivery_time=time(8, 0))
    client.force_login(person)
    client.post(URL, choose(language="es", include_sections=["seo", "conversations", "approvals"]))
    person.refresh_from_db()
    assert person.language == "es"
    page = client.get(URL)
    assert "Tu resumen diario" in page.text and page["Content-Language"] == "es"

    send_brief_now(person, datetime(2026, 11, 24, 8, 5, tzinfo=UTC))
    [email] = sent
    assert email.subject == "Tu resumen de Walker del martes 24 noviembre"
    assert "Buenos días, Ana." in email.text and "CONVERSACIONES" in email.text and "Suben: ninguna." in email.text
    assert 'lang="es"' in email.html and "Dejar de recibir estos correos" in email.html


def test_an_english_reader_is_not_affected_by_a_spanish_colleague(client, tenant):
    person = UserFactory(tenant=tenant, role="member")
    client.force_login(person)
    assert "Your daily brief" in client.get(URL).text
    assert client.get(URL, HTTP_ACCEPT_LANGUAGE="es").text.count("Tu resumen diario") == 1  # the browser's, unset
    person.language = "en"
    person.save(update_fields=["language"])
    assert "Your daily brief" in client.get(URL, HTTP_ACCEPT_LANGUAGE="es").text  # their own choice wins
