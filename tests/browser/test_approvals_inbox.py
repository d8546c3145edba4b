"""The approval inbox in a real browser: the queue says who asked, when, what they said and the cost; "Approve and
next" decides and opens the next request waiting for the approver. Screenshots: approvals-queue.png,
approvals-next.png."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from hitl.models import HITLApproval
from tests.browser import test_admin_console as console  # the module, not its class: pytest would collect it here
from tests.browser.conftest import CHROMEDRIVER

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

    from tests.browser.accessibility import AccessibilityChecks
    from tests.browser.test_chat_widget import BrowserTestCase
else:
    from channels.testing import ChannelsLiveServerTestCase as BrowserTestCase

    AccessibilityChecks = object

ASKS = ["Raise the Summer Sale budget to $700 a day", "Raise the Fall Hiking Boots budget to $400 a day"]


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # see test_admin_console
class ApprovalInboxBrowserTests(AccessibilityChecks, BrowserTestCase):
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

    def rows(self):
        return self.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")

    def test_the_queue_says_who_asked_and_approve_and_next_opens_the_next_request(self):
        references = [self.whatsapp_from_member(text).actions[0].reference for text in ASKS]
        self.log_in("approver@acme.test")
        self.driver.get(self.url(reverse("admin:hitl_hitlapproval_changelist")))
        self.wait(lambda d: len(self.rows()) == 2, "both requests in the queue")
        for row, asked in zip(sorted(self.rows(), key=lambda r: "Summer" not in r.text), ASKS, strict=True):
            self.assertIn(asked, row.text)  # the member's words
            self.assertIn("Morgan Lee", row.text)  # who asked, by name
            self.assertRegex(row.text, r"\d+\W+minutes?")  # how long ago
            self.assertRegex(row.text, r"\$\d[\d,]*")  # the cost in money
        self.screenshot("approvals-queue.png")
        self.assert_accessible("the approval queue with its new columns")

        first_reference = self.rows()[0].find_element(By.CSS_SELECTOR, "th a").text
        [second_reference] = [r for r in references if r != first_reference]
        self.rows()[0].find_element(By.LINK_TEXT, first_reference).click()
        self.wait(lambda d: self.find_all("approve-next"), "the decision panel")
        self.find("approve-next").click()
        second = HITLApproval.objects.get(reference=second_reference)
        self.wait(
            lambda d: self.path() == reverse("admin:hitl_hitlapproval_change", args=[second.pk]),
            "the next request's page",
        )
        self.wait(lambda d: f"{first_reference} approved." in self.body_text(), "the decision's message")
        self.assertNotEqual(HITLApproval.objects.get(reference=first_reference).status, "pending")
        self.screenshot("approvals-next.png")
        self.assert_accessible("the next approval's page")

        self.find("reject-next").click()  # a rejection needs a reason: refused, and the page stays
        self.wait(lambda d: "A rejection needs a reason." in self.body_text(), "the refusal")
        self.assertEqual(HITLApproval.objects.get(pk=second.pk).status, "pending")
