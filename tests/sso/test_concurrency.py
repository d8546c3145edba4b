"""The same person's first sign-in, twice at the same moment (two browsers): one account and one link to the
provider, and the other sign-in refused with a clear page, never a server error (at once: on PostgreSQL)."""

import threading

import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from tenants.identity.sso.adapter import SocialAccountAdapter
from tenants.models import User
from tests.concurrency import at_once
from tests.factories import UserFactory
from tests.sso.conftest import SERVER, start


def _callback(browser):
    to_provider = start(browser, "ana@acme.test")
    return requests.get(to_provider["Location"], allow_redirects=False, timeout=5).headers["Location"]


def _past_the_signup_form(browser, answer):
    if answer.status_code == 302 and answer["Location"] == reverse("socialaccount_signup"):
        return browser.get(answer["Location"])
    return answer


def test_allauths_signup_form_is_the_raced_refusal_not_a_server_error(db):
    """Seen in CI: the other sign-in committed between Walker's admission check and allauth's own, and allauth's
    redirect to its signup form, which Walker does not route, was a 500."""
    refused = Client().get(reverse("socialaccount_signup"))
    assert refused.status_code == 403 and "at the same moment: sign in again" in refused.content.decode()


def test_two_first_sign_ins_at_once_make_one_account(postgres_only, provider, idp, monkeypatch):
    browsers = [Client(), Client()]
    callbacks = [_callback(browser) for browser in browsers]
    # Both sign-ins pass the admission rules before either saves: neither sees the other's account yet.
    together = threading.Barrier(2)
    admit = SocialAccountAdapter.pre_social_login

    def admit_together(self, request, sociallogin):
        together.wait(5)
        admit(self, request, sociallogin)

    monkeypatch.setattr(SocialAccountAdapter, "pre_social_login", admit_together)

    paths = [callback.removeprefix(SERVER) for callback in callbacks]
    answers = at_once(*[lambda b=b, p=p: b.get(p) for b, p in zip(browsers, paths, strict=True)])
    # Raced after the admission rules, allauth sends the second to its signup form: the same refusal, one step on.
    answers = [_past_the_signup_form(b, answer) for b, answer in zip(browsers, answers, strict=True)]

    assert sorted(answer.status_code for answer in answers) == [302, 403]
    refused = next(answer for answer in answers if answer.status_code == 403)
    assert "at the same moment: sign in again" in refused.content.decode()
    person = User.objects.get(email="ana@acme.test")
    assert SocialAccount.objects.get().user == person
    assert sum("_auth_user_id" in browser.session for browser in browsers) == 1


def test_an_account_made_by_the_other_sign_in_after_admission_is_a_refusal_not_a_server_error(
    provider, idp, monkeypatch
):
    """The later of two sign-ins found the account made when allauth checked the address again: it sent the sign-in
    to a signup form Walker does not have (a 500 seen in CI)."""
    browser = Client()
    path = _callback(browser).removeprefix(SERVER)
    admit = SocialAccountAdapter.pre_social_login

    def admitted_then_raced(self, request, sociallogin):
        admit(self, request, sociallogin)
        UserFactory(tenant=provider.tenant, email="ana@acme.test")  # the other browser's sign-in, done meanwhile

    monkeypatch.setattr(SocialAccountAdapter, "pre_social_login", admitted_then_raced)
    answer = browser.get(path)
    assert answer.status_code == 403 and "at the same moment: sign in again" in answer.content.decode()
    assert not SocialAccount.objects.exists() and "_auth_user_id" not in browser.session
