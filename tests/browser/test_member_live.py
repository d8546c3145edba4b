"""The member's page live and consistent (issue 50, points 5 and 7), in a real browser on a desktop and a phone, on
the run's shape (the embedded default's in-memory layer, whose sockets find what the test process decides in the
store; or Redis, which carries it): the requests column and the conversation cards follow the thread without a
reload when an approver decides; a rating asked while the member was away waits in the closed conversation, by its
card, until answered, and the answer is counted; the chat's times are in the zone of the list; the chip's "Cancel
my request" sits on a line of its own."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from analytics.models import EventType, PlatformEvent
from conversations import takeover
from conversations.models import Conversation, SatisfactionSurvey
from hitl.models import HITLApproval
from tenants.models import User
from tenants.roles import Role
from tests.browser import test_chat_widget
from tests.browser.accessibility import AccessibilityChecks
from tests.browser.conftest import CHROMEDRIVER, LIVE_PAGES
from tests.browser.member_page import MemberPage
from tests.browser.screens import PHONE
from tests.browser.test_chat_widget import BrowserTestCase
from tests.factories import ConversationFactory, MessageFactory, TenantFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    LIVE_PAGES,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

BROWSER_ZONE = "Asia/Tokyo"  # the browser's own zone, far from the tenant's: the page must not use it
CLOCK = re.compile(r"(\d{2}:\d{2})$")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class MemberLiveBrowserTests(MemberPage, AccessibilityChecks, BrowserTestCase):
    approve_through_the_server = test_chat_widget.ChatWidgetBrowserTests.approve_through_the_server

    def setUp(self):
        super().setUp()
        self.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": BROWSER_ZONE})

    def tearDown(self):
        self.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})
        super().tearDown()

    def request_row(self, reference):
        return next((row for row in self.find_all("approval") if row.text.startswith(reference)), None)

    def row_of(self, conversation_id):
        rows = self.find_all("conversation-row")
        return next((r for r in rows if r.get_attribute("data-conversation-id") == conversation_id), None)

    def assert_in_the_zone(self, element, zone):
        """The element's `datetime` shown as its text ends: hours and minutes in `zone`."""
        moment = datetime.fromisoformat(element.get_attribute("datetime").replace("Z", "+00:00"))
        self.assertEqual(CLOCK.search(element.text).group(1), moment.astimezone(zone).strftime("%H:%M"), element.text)

    def test_the_requests_and_the_cards_follow_the_thread_as_an_approver_decides(self):
        call_command("seed_demo", stdout=io.StringIO())
        self.member = User.objects.get(email="member@acme.test")
        approver = User.objects.get(email="approver@acme.test")
        zone = ZoneInfo(self.member.tenant.timezone)
        self.sign_in_and_open("/chat/?new=1")
        self.find("input").send_keys("Raise the Summer Sale budget to $700 a day", Keys.ENTER)
        chip = self.wait(lambda d: next(iter(self.find_all("chip")), None), "the request's chip")
        approval = HITLApproval.objects.get(pk=chip.get_attribute("data-approval-id"))
        shown = self.wait(lambda d: re.search(r"/chat/([0-9a-f-]{36})/$", d.current_url), "the new address").group(1)

        # The column learns of the request and of the new conversation from the thread, without a reload.
        self.driver.execute_script("window.__notReloaded = true")
        row = self.wait(lambda d: self.request_row(approval.reference), "the request in the column")
        self.assertEqual(row.get_attribute("data-status"), "pending")
        self.assertIn("$700.00", row.text)
        card = self.wait(lambda d: self.row_of(shown), "the new conversation's card")
        self.assertEqual(card.get_attribute("aria-current"), "page")

        # The chip's "Cancel my request" sits below its summary, not beside it.
        summary = chip.find_element(By.CSS_SELECTOR, ".wc-chip-summary")
        cancel = chip.find_element(By.CSS_SELECTOR, '[data-testid="cancel-request"]')
        self.assertTrue(cancel.is_displayed())
        self.assertGreaterEqual(cancel.rect["y"], summary.rect["y"] + summary.rect["height"])
        self.assertLessEqual(cancel.rect["x"], summary.rect["x"] + 1)  # starts its own line
        # One zone on the page: the tenant's, in the cards and in the bubbles (the browser's is Tokyo).
        for stamp in self.find_all("time"):
            self.assert_in_the_zone(stamp, zone)
        self.assert_in_the_zone(self.row_of(shown).find_element(By.CSS_SELECTOR, "time"), zone)
        self.screenshot("member-live-pending-desktop.png")

        # The approver lowers it to $650 and approves: the thread tells it, and the column says the same.
        self.approve_through_the_server(approval.pk, approver, edits={"action_data": {"daily_budget": "650"}})
        self.wait(lambda d: chip.get_attribute("data-status") == "executed", "the chip to show it done")
        self.wait(lambda d: any("Approved and done" in t and "$650.00" in t for t in self.texts()), "the outcome")
        self.wait(
            lambda d: self.request_row(approval.reference).get_attribute("data-status") == "executed", "the column"
        )
        row = self.request_row(approval.reference)
        self.assertIn("$650.00", row.text)
        self.assertNotIn("$700.00", row.text)
        self.assertIn("Approved and done", self.row_of(shown).text)  # the card's last message
        self.assertTrue(self.driver.execute_script("return window.__notReloaded === true"), "the page was reloaded")
        for stamp in self.find_all("time"):
            self.assert_in_the_zone(stamp, zone)
        self.screenshot("member-live-decided-desktop.png")
        self.assert_accessible("the member's page once its column followed the decision")

        # Starting over closes the conversation: its card says so at once.
        self.find("new-conversation").click()
        status = '[data-testid="conversation-status"]'
        self.wait(lambda d: self.row_of(shown).find_element(By.CSS_SELECTOR, status).text == "CLOSED", "the card")

        self.driver.set_window_size(*PHONE)
        self.find("list-toggle").click()
        self.wait(lambda d: self.find("approvals").is_displayed(), "the list to open")
        self.driver.execute_script("arguments[0].scrollIntoView()", self.request_row(approval.reference))
        self.screenshot("member-live-decided-phone.png")

    def test_a_rating_asked_while_the_member_was_away_waits_in_the_closed_conversation(self):
        tenant = TenantFactory(name="Acme Outdoor", slug="acme")
        self.member = UserFactory(tenant=tenant, role=Role.MEMBER, first_name="Maya", last_name="Lopez")
        support = UserFactory(tenant=tenant, role=Role.SUPPORT, first_name="Dana", last_name="Reyes")
        locked = ConversationFactory(user=self.member, last_message_at=timezone.now() - timedelta(minutes=5))
        MessageFactory(conversation=locked, text="My ad account is locked", created_at=locked.last_message_at)
        takeover.assign(locked.pk, actor=support)
        takeover.reply(locked.pk, actor=support, text="Unlocked it for you, Maya.")
        takeover.resolve(locked.pk, actor=support)  # the member is not looking
        self.assertEqual(Conversation.objects.get(pk=locked.pk).status, Conversation.Status.CLOSED)

        # Later, on their phone: the card says a rating waits; the closed conversation holds the question.
        self.driver.set_window_size(*PHONE)
        self.sign_in_and_open("/chat/")
        self.find("list-toggle").click()
        card = self.wait(lambda d: self.row_of(str(locked.pk)), "the resolved conversation's card")
        waits = card.find_element(By.CSS_SELECTOR, '[data-testid="rating-waits"]')
        self.assertEqual(waits.get_attribute("textContent"), "Rate it")
        self.screenshot("member-rating-waits-phone.png")
        self.assert_accessible("a card saying a rating waits in its conversation")
        card.click()
        self.wait(lambda d: "Unlocked it for you, Maya." in self.texts(), "the closed conversation")
        rating = self.wait(lambda d: next(iter(self.find_all("rating")), None), "the rating question")
        self.assertIn("How did we do?", rating.text)
        self.screenshot("member-rating-asked-phone.png")
        self.assert_accessible("the closed conversation with its rating question")

        rating.find_element(By.CSS_SELECTOR, '[data-score="4"]').click()
        outcome = self.find("rating-outcome")
        self.wait(lambda d: outcome.text == "Thank you! You rated this conversation 4 of 5.", "the thanks")
        self.wait(lambda d: not self.find_all("rating-waits"), "the card to stop asking")
        self.assertEqual(SatisfactionSurvey.objects.get(conversation=locked).score, 4)
        rated = PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_RATED, conversation_id=locked.pk)
        self.assertEqual([e.metadata["score"] for e in rated], [4])  # counted: "1 rated of 1 asked"

        # Read again, the conversation shows the answer, not a question.
        self.driver.set_window_size(1280, 900)
        self.driver.refresh()
        self.wait(lambda d: self.find("status").text == "Online", "the chat to connect")
        outcome = self.wait(lambda d: next(iter(self.find_all("rating-outcome")), None), "the answer given")
        self.assertEqual(outcome.text, "Thank you! You rated this conversation 4 of 5.")
        pressed = self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="rating"] [aria-pressed="true"]')
        self.assertEqual([b.get_attribute("data-score") for b in pressed], ["4"])
        self.screenshot("member-rating-answered-desktop.png")
