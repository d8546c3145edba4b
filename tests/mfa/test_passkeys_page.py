"""The passkeys page (/accounts/2fa/webauthn/, allauth's) opens for a signed-in person: its template loads Django's
`humanize` tags ("Last used 2 minutes ago"), so that app must be installed; the outside test saw a
TemplateSyntaxError there, a 500. tests/browser/test_passkeys.py enrols a real passkey and reads the page."""

from allauth.mfa.models import Authenticator
from django.utils import timezone

from tenants.roles import Role
from tests.factories import UserFactory

PASSKEYS = "/accounts/2fa/webauthn/"


def test_the_passkeys_page_opens_for_a_signed_in_person(client, tenant):
    client.force_login(UserFactory(tenant=tenant, role=Role.MEMBER))
    answer = client.get(PASSKEYS)
    assert answer.status_code == 200 and "No security keys have been added." in answer.content.decode()


def test_the_passkeys_page_lists_a_used_passkey(client, tenant):
    person = UserFactory(tenant=tenant, role=Role.MEMBER)
    Authenticator.objects.create(
        user=person,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Laptop", "credential": {"clientExtensionResults": {"credProps": {"rk": True}}}},
        last_used_at=timezone.now(),
    )
    client.force_login(person)
    page = client.get(PASSKEYS).content.decode()
    assert "Laptop" in page and "Passkey" in page and "Last used" in page
