"""The approval inbox in a real browser: the queue says who asked, when, what they said and the cost; "Approve and
next" decides and opens the next request waiting for the approver, and so does "Reject and next" once given a
reason; on a desktop and on a phone. Screenshots: approvals-queue.png, approvals-next.png,
approvals-reject-next.png, and each with "-phone" for the phone."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from hitl.models import HITLApproval
from tests.browser import test_admin_console as console  # the module, not its class: pytest would collect it here
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.screens import PHONE, ScreenChecks, by_testid

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

    from tests.browser.accessibility import AccessibilityChecks
    from tests.browser.test_chat_widget import BrowserTestCase
else:
    from channels.testing import ChannelsLiveServerTestCase as BrowserTestCase

    AccessibilityChecks = object

ASKS = [
    "Raise the Summer Sale budget to $700 a day",
    "Raise the Fall Hiking Boots budget to $400 a day",
    "Raise the Brand Search budget to $300 a day",
]


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # see test_admin_console
class ApprovalInboxBrowserTests(AccessibilityChecks, ScreenChecks, BrowserTestCase):
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

    def change_page(self, reference):
        return reverse("admin:hitl_hitlapproval_change", args=[HITLApproval.objects.get(reference=reference).pk])

    def test_the_queue_says_who_asked_and_approve_and_next_opens_the_next_request(self):
        self.decide_one_after_another(phone=False)

    def test_the_queue_and_approve_and_next_on_a_phone(self):
        self.driver.set_window_size(*PHONE)
        self.decide_one_after_another(phone=True)

    def assert_card_opens_with_its_reference(self, card):
        select = card.find_element(By.CSS_SELECTOR, "td.action-checkbox")
        reference = card.find_element(By.CSS_SELECTOR, ".field-reference")
        middle = select.rect["y"] + select.rect["height"] / 2
        self.assertTrue(reference.rect["y"] <= middle <= reference.rect["y"] + reference.rect["height"], "one row")
        label = self.driver.execute_script("return getComputedStyle(arguments[0], '::before').content", select)
        self.assertIn(label, ("none", "normal"), "the checkbox's own label row")

    def decide_one_after_another(self, phone):
        suffix = "-phone" if phone else ""
        references = [self.whatsapp_from_member(text).actions[0].reference for text in ASKS]
        self.log_in("approver@acme.test")
        self.driver.get(self.url(reverse("admin:hitl_hitlapproval_changelist")))
        self.wait(lambda d: len(self.rows()) == len(ASKS), "every request in the queue")
        self.assertEqual(sorted(next(a for a in ASKS if a in row.text) for row in self.rows()), sorted(ASKS))
        for row in self.rows():
            self.assertIn("Morgan Lee", row.text)  # who asked, by name
            self.assertRegex(row.text, r"\d+\W+minutes?")  # how long ago
            self.assertRegex(row.text, r"\$\d[\d,]*")  # the cost in money
        self.screenshot(f"approvals-queue{suffix}.png")
        # On a phone each request is a card within the screen; a desktop's table may scroll in its own box.
        self.assert_within_the_screen(*(["#result_list"] if phone else []))
        self.assert_accessible("the approval queue with its new columns")
        if phone:  # each card opens with its checkbox beside its reference, not a row labelled "Select record"
            self.assert_card_opens_with_its_reference(self.rows()[0])

        first = self.rows()[0].find_element(By.CSS_SELECTOR, "th a").text
        self.rows()[0].find_element(By.LINK_TEXT, first).click()
        self.wait(lambda d: self.find_all("approve-next"), "the decision panel")
        self.assert_within_the_screen(*by_testid("approval-panel", "approve-next", "reject-next"))
        self.find("approve-next").click()
        waiting = {self.change_page(r): r for r in references if r != first}
        self.wait(lambda d: self.path() in waiting, "another request's page")
        second = waiting.pop(self.path())
        self.wait(lambda d: f"{first} approved." in self.body_text(), "the decision's message")
        self.assertNotEqual(HITLApproval.objects.get(reference=first).status, "pending")
        self.screenshot(f"approvals-next{suffix}.png")
        self.assert_accessible("the next approval's page")

        self.find("reject-next").click()  # a rejection needs a reason: refused, and the page stays
        self.wait(lambda d: "A rejection needs a reason." in self.body_text(), "the refusal")
        self.assertEqual(HITLApproval.objects.get(reference=second).status, "pending")
        self.assertEqual(self.path(), self.change_page(second))

        self.driver.find_element(By.ID, "wk-reason").send_keys("Over this quarter's budget.")
        self.find("reject-next").click()
        [third] = waiting.values()
        self.wait(lambda d: self.path() == self.change_page(third), "the last request's page")
        self.wait(lambda d: f"{second} rejected." in self.body_text(), "the rejection's message")
        rejected = HITLApproval.objects.get(reference=second)
        self.assertEqual(rejected.status, "rejected")
        self.assertEqual(rejected.rejection_reason, "Over this quarter's budget.")
        self.assertEqual(HITLApproval.objects.get(reference=third).status, "pending")
        self.screenshot(f"approvals-reject-next{suffix}.png")

    def test_send_to_the_agent_is_never_under_the_pages_footer(self):
        """Scrolled or tabbed to, the last button of the decision panel is there to click on a desktop (whose footer
        with "Close" stays at the bottom of the screen) and on a phone. Screenshots: approvals-respond.png and
        approvals-respond-phone.png."""
        reference = self.whatsapp_from_member(ASKS[0]).actions[0].reference
        self.log_in("approver@acme.test")
        for size, suffix in (((1280, 800), ""), (PHONE, "-phone")):
            self.driver.set_window_size(*size)
            self.driver.get(self.url(self.change_page(reference)))
            respond = self.wait(lambda d: next(iter(self.find_all("respond")), None), "the respond button")
            for reach in ("arguments[0].scrollIntoView({block: 'end'})", "arguments[0].focus()"):
                self.driver.execute_script("window.scrollTo(0, 0);" + reach, respond)
                on_top = self.driver.execute_script(
                    "var r = arguments[0].getBoundingClientRect();"
                    "return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === arguments[0];",
                    respond,
                )
                self.assertTrue(on_top, f"'Send to the agent' is covered at {size} ({reach})")
            console.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(console.SCREENSHOTS / f"approvals-respond{suffix}.png"))
