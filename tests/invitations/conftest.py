"""Invitations, password reset and email change: emails go through Walker's provider backend (a delivery log row
each), the provider itself replaced by a list (tests.fixtures.email.sent_emails)."""

import re

import pytest

from tenants.identity import invitations
from tenants.roles import Role

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def mail(email_settings, sent_emails):
    return sent_emails


def link_in(email) -> str:
    return LINK.search(email.text)[0]


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def invite(mail, tenant_admin):
    """An invitation from the tenant's admin; returns it and the path its email links to."""

    def make(email="new.hire@acme.test", role=Role.APPROVER, language="en", inviter=None):
        inviter = inviter or tenant_admin
        made = invitations.invite(inviter, inviter.tenant, email, role, language)
        return made, path_of(link_in(mail[-1]))

    return make
