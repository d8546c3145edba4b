"""An approver with no second factor meets the step-up wall in a real browser, adds an authenticator app on the
account pages (in Walker's look), and "Continue" after the recovery codes takes the decision they were taking: one
click on Approve, one code, one Continue (issue 50, point 7). Desktop, and the pages on a phone.

Screenshots: mfa-add-a-factor.png, mfa-activate-app.png, mfa-recovery-codes.png, mfa-recovery-codes-phone.png.
"""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from hitl.models import HITLApproval
from tenants.models import Tenant
from tests.browser import test_admin_console as console  # the module, not its class: pytest would collect it here
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.screens import PHONE, ScreenChecks, by_testid
from tests.mfa.conftest import totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

    from tests.browser.test_chat_widget import BrowserTestCase
else:
    from channels.testing import ChannelsLiveServerTestCase as BrowserTestCase


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # see test_admin_console
class AddAFactorAtTheWallBrowserTests(ScreenChecks, BrowserTestCase):
    # The console's helpers, borrowed rather than inherited (inheriting would run its tests again).
    url = console.AdminConsoleBrowserTests.url
    path = console.AdminConsoleBrowserTests.path
    wait = console.AdminConsoleBrowserTests.wait
    find = console.AdminConsoleBrowserTests.find
    find_all = console.AdminConsoleBrowserTests.find_all
    body_text = console.AdminConsoleBrowserTests.body_text
    log_in = console.AdminConsoleBrowserTests.log_in
    screenshot = console.AdminConsoleBrowserTests.screenshot
    whatsapp_from_member = console.AdminConsoleBrowserTests.whatsapp_from_member

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        (outcome,) = self.whatsapp_from_member(console.BUDGET_TEXT).actions
        self.approval = HITLApproval.objects.get(reference=outcome.reference)
        Tenant.objects.filter(pk=self.approval.tenant_id).update(step_up_risk_level=self.approval.risk_level)

    def phone_screenshot(self, name, *must_fit):
        size = self.driver.get_window_size()
        self.driver.set_window_size(*PHONE)
        try:
            self.assert_within_the_screen(*must_fit)
            self.screenshot(name)
        finally:
            self.driver.set_window_size(size["width"], size["height"])

    def test_an_approver_adds_an_app_at_the_wall_and_continues_to_the_decision(self):
        self.log_in("approver@acme.test")
        change = f"/admin/hitl/hitlapproval/{self.approval.pk}/change/"
        self.driver.get(self.url(change))
        self.wait(lambda d: self.find_all("approve"), "the decision panel")
        self.driver.execute_script("arguments[0].click()", self.find("approve"))

        self.wait(lambda d: self.path() == "/accounts/2fa/", "the page that adds a second factor")
        self.assertIn("you have none yet: add one on the next page", self.body_text())
        self.screenshot("mfa-add-a-factor.png")
        self.driver.find_element(By.CSS_SELECTOR, 'main a[href="/accounts/2fa/totp/activate/"]').click()

        self.wait(lambda d: self.path() == "/accounts/reauthenticate/", "the password asked again (allauth)")
        self.driver.find_element(By.ID, "id_password").send_keys(console.PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()
        secret_box = self.wait(lambda d: d.find_elements(By.ID, "authenticator_secret"), "the app's secret")[0]
        self.screenshot("mfa-activate-app.png")
        self.driver.find_element(By.ID, "id_code").send_keys(totp_code(secret_box.get_attribute("value")))
        self.driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()

        self.wait(lambda d: self.path() == "/accounts/2fa/recovery-codes/", "the recovery codes")
        self.screenshot("mfa-recovery-codes.png")
        self.phone_screenshot("mfa-recovery-codes-phone.png", *by_testid("mfa-continue"))
        self.assertEqual(self.find("mfa-continue").text, "Continue")
        self.find("mfa-continue").click()

        self.wait(lambda d: self.path() == change, "back on the approval page")
        self.wait(lambda d: f"{self.approval.reference} approved" in self.body_text(), "the decision taken")
        self.assertNotEqual(HITLApproval.objects.get(pk=self.approval.pk).status, "pending")
