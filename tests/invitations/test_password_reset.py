"""'Forgot your password?': allauth's reset, the person found by Walker's keyed hash, the same answer for any address,
the email through the provider with a delivery row in the person's language, throttled; a reset ends the person's
other sessions and their API refresh tokens."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client

from analytics.models import EmailDeliveryLog
from core.errors import WalkerError
from tenants.identity import api_tokens
from tests.invitations.conftest import link_in, path_of

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a-brand-new-passphrase"


def test_every_sign_in_page_offers_it(client):
    for page in ("/accounts/login/", "/admin/login/?next=/admin/"):
        answer = client.get(page, follow=True)
        assert RESET in answer.content.decode()


def test_a_known_address_gets_a_link_through_the_provider(client, mail, colleague):
    answer = client.post(RESET, {"email": colleague.email.upper()})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/password/reset/done/"
    assert [email.to for email in mail] == [colleague.email]
    log = EmailDeliveryLog.objects.get()
    assert (log.user_id, log.tenant_id) == (colleague.pk, colleague.tenant_id)
    assert "/accounts/password/reset/key/" in link_in(mail[0])


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(client, mail, colleague):
    known = client.post(RESET, {"email": colleague.email})
    unknown = client.post(RESET, {"email": "nobody@acme.test"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail) == 1 and EmailDeliveryLog.objects.count() == 1


def test_the_email_is_in_the_persons_language(client, mail, colleague):
    colleague.language = "es"
    colleague.save(update_fields=["language"])
    client.post(RESET, {"email": colleague.email})
    assert "contraseña" in mail[0].text and mail[0].subject.startswith("Walker: ")


def test_requests_are_throttled_per_address(client, mail, colleague):
    for _ in range(7):
        client.post(RESET, {"email": colleague.email})
    assert len(mail) == 5  # ACCOUNT_RATE_LIMITS["reset_password"]: 5 an hour per address


def test_a_reset_ends_other_sessions_and_refresh_tokens(client, mail, colleague):
    elsewhere = Client()
    elsewhere.force_login(colleague)
    assert elsewhere.get("/widget/").status_code == 200
    pair = api_tokens.issue_pair(colleague)

    client.post(RESET, {"email": colleague.email})
    asked = client.get(path_of(link_in(mail[0])))
    assert asked.status_code == 302  # allauth keeps the key in the session and shows the form without it
    done = client.post(asked["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302, done.content.decode()[:500]
    colleague.refresh_from_db()
    assert colleague.check_password(NEW_PASSWORD)

    assert elsewhere.get("/widget/").status_code == 302  # signed out: the session's password hash changed
    with pytest.raises(WalkerError) as refused:
        api_tokens.rotate(pair.refresh)
    assert refused.value.code == "token_revoked"
    reused = client.get(path_of(link_in(mail[0])), follow=True)  # the link works once
    assert "The password reset link was invalid" in reused.content.decode()


def _reset(client, mail, person):
    """The whole reset through allauth's pages: ask, follow the emailed link, set a new password."""
    client.post(RESET, {"email": person.email})
    asked = client.get(path_of(link_in(mail[-1])))
    assert asked.status_code == 302  # allauth keeps the key in the session and shows the form without it
    done = client.post(asked["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302, done.content.decode()[:500]


def test_a_reset_keeps_no_address_in_clear_in_allauths_email_table(client, mail, colleague):
    """allauth's reset token used to add the person's address to its EmailAddress table, in clear."""
    _reset(client, mail, colleague)
    colleague.refresh_from_db()
    assert colleague.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.count() == 0
    dump = io.StringIO()
    call_command("dumpdata", "account", stdout=dump)  # allauth's tables, as `manage.py dumpdata account` prints them
    assert colleague.email not in dump.getvalue()


def test_a_link_made_before_the_change_still_works(client, mail, colleague):
    """Links already emailed keep working: the token is made of the same values as allauth's, without the row."""
    from allauth.account.forms import EmailAwarePasswordResetTokenGenerator

    from tenants.identity.signin.password_reset import PasswordResetTokenGenerator

    earlier = EmailAwarePasswordResetTokenGenerator().make_token(colleague)
    EmailAddress.objects.all().delete()  # what allauth's generator left behind (the migration removes them)
    assert PasswordResetTokenGenerator().check_token(colleague, earlier)
