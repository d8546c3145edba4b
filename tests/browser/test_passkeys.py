"""A passkey in a real browser: enrolled through the account pages with Chromium's virtual authenticator (a
platform authenticator that holds a resident key and verifies its user), then the only step of a sign-in, which
satisfies a tenant policy that needs a second factor (the console opens without asking for a code); and the
passkeys page (/accounts/2fa/webauthn/) lists the passkey once enrolled.

The browser names the server "localhost" (mapped to 127.0.0.1): WebAuthn takes no IP address as its relying party
and allows plain http only on localhost.
"""

from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from channels.testing import ChannelsLiveServerTestCase
from django.test import override_settings

from tenants.models.tenant import default_mfa_roles
from tenants.roles import Role
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.factories import PASSWORD, TenantFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():  # imported here so a machine without the driver still collects the module
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.virtual_authenticator import Protocol, Transport, VirtualAuthenticatorOptions
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.test_chat_widget import PAGE_CHANGES, WAIT_SECONDS, BrowserTestCase
else:  # the class below still has to be defined for collection; it is skipped
    WAIT_SECONDS, BrowserTestCase = 20, ChannelsLiveServerTestCase


def laptop_authenticator():
    """What a laptop's built-in authenticator is: CTAP2, internal, holds the key (a passkey), verifies its user."""
    return VirtualAuthenticatorOptions(
        protocol=Protocol.CTAP2,
        transport=Transport.INTERNAL,
        has_resident_key=True,
        has_user_verification=True,
        is_user_verified=True,
        is_user_consenting=True,
    )


# The server process is forked before tests/conftest.py's per-test MD5 hasher; the class override is in force
# before the fork, so the password set here checks out in the sign-in form.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class PasskeyBrowserTests(BrowserTestCase):
    localhost = True

    def setUp(self):
        super().setUp()
        self.tenant = TenantFactory(name="Acme Outdoor", slug="acme")
        self.admin = UserFactory(tenant=self.tenant, role=Role.ADMIN, email="admin@acme.test")
        self.driver.add_virtual_authenticator(laptop_authenticator())

    def tearDown(self):
        self.driver.remove_virtual_authenticator()
        super().tearDown()

    def url(self, path):
        return self.live_server_url.replace("127.0.0.1", "localhost") + path

    def path(self):
        return urlsplit(self.driver.current_url).path

    def wait(self, condition, what):
        try:
            return WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.2, ignored_exceptions=PAGE_CHANGES).until(
                condition
            )
        except TimeoutException:
            body = self.driver.find_elements(By.TAG_NAME, "body")
            self.fail(
                f"waited {WAIT_SECONDS} s for {what}\nat {self.driver.current_url}\n"
                f"page text: {body[0].text[:2000] if body else '(no body)'}"
            )

    def sign_in_with_password(self):
        self.driver.get(self.url("/accounts/login/?next=/admin/"))
        self.driver.find_element(By.ID, "id_login").send_keys(self.admin.email)
        self.driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, '#login-form button[type="submit"]').click()
        self.wait(lambda d: self.path() == "/admin/", "the console after the password")

    def enrol_passkey(self):
        self.driver.get(self.url("/accounts/2fa/webauthn/add/"))
        # Adding a factor asks for the password again (allauth's re-authentication), as docs/identity.md says.
        self.wait(lambda d: self.path() == "/accounts/reauthenticate/", "the password asked again")
        self.driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()
        self.wait(lambda d: d.find_elements(By.ID, "id_name"), "the form that adds a passkey")
        self.driver.find_element(By.ID, "id_name").send_keys("Laptop")
        passwordless = self.driver.find_element(By.ID, "id_passwordless")
        if not passwordless.is_selected():
            passwordless.click()
        self.driver.find_element(By.ID, "mfa_webauthn_add").click()  # the page asks the authenticator
        self.wait(
            lambda d: Authenticator.objects.filter(user=self.admin, type=Authenticator.Type.WEBAUTHN).exists(),
            "the passkey to be stored",
        )

    def sign_out(self):
        self.driver.get(self.url("/accounts/logout/"))
        self.driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()
        self.wait(lambda d: self.path() == "/accounts/login/", "the sign-in page after signing out")

    def test_a_passkey_enrolled_in_the_console_signs_in_alone(self):
        self.sign_in_with_password()
        self.enrol_passkey()
        credentials = self.driver.get_credentials()
        self.assertEqual(len(credentials), 1)
        self.assertTrue(credentials[0].is_resident_credential)  # a passkey: it names its person

        # The tenant's policy now needs a second factor of an admin: the passkey alone must satisfy it.
        self.tenant.mfa_required_roles = default_mfa_roles()
        self.tenant.save(update_fields=["mfa_required_roles"])
        self.sign_out()

        self.driver.get(self.url("/accounts/login/?next=/admin/"))
        self.driver.find_element(By.ID, "passkey_login").click()  # no email, no password
        self.wait(lambda d: self.path() == "/admin/", "the console after the passkey")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="my-work"]'), "the console's first page")
        self.assertIsNotNone(Authenticator.objects.get(user=self.admin, type=Authenticator.Type.WEBAUTHN).last_used_at)

    def test_the_passkeys_page_lists_the_enrolled_passkey(self):
        self.sign_in_with_password()
        self.enrol_passkey()
        self.driver.get(self.url("/accounts/2fa/webauthn/"))
        self.wait(lambda d: d.find_elements(By.TAG_NAME, "table"), "the passkeys listed")
        listed = self.driver.find_element(By.TAG_NAME, "table").text
        self.assertIn("Laptop", listed)
        self.assertIn("Passkey", listed)  # allauth's badge for a key that holds its person (a resident key)
