"""The member's own Walker (/chat/) in a real browser, on a desktop and a phone: the list of their conversations
and requests beside a full-page chat, a closed conversation read back (and a new one started from it), the notices
when support takes the open one over, hands it back to the agents and resolves it, and the phone layout whose list
folds above the thread."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from conversations import takeover
from conversations.models import Conversation
from tenants.roles import Role
from tests.browser.accessibility import AccessibilityChecks
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.member_page import MemberPage
from tests.browser.screens import PHONE
from tests.browser.test_chat_widget import BrowserTestCase
from tests.factories import ConversationFactory, HITLApprovalFactory, MessageFactory, TenantFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class MemberHomeBrowserTests(MemberPage, AccessibilityChecks, BrowserTestCase):
    def setUp(self):
        super().setUp()
        tenant = TenantFactory(name="Acme Outdoor", slug="acme")
        self.member = UserFactory(tenant=tenant, role=Role.MEMBER, first_name="Maya", last_name="Lopez")
        self.support = UserFactory(tenant=tenant, role=Role.SUPPORT, first_name="Dana", last_name="Reyes")
        earlier = timezone.now() - timedelta(days=2)
        self.closed = ConversationFactory(
            user=self.member, status=Conversation.Status.CLOSED, started_at=earlier, last_message_at=earlier
        )
        self._say(self.closed, "Which keywords moved this week?", "Three keywords moved up: hiking boots first.")
        self.open = ConversationFactory(user=self.member)
        self._say(self.open, "Raise the Summer Sale budget to $700 a day", "I asked an approver: BR-000101.")
        HITLApprovalFactory(
            tenant=tenant, requested_by=self.member, conversation=self.open, reference="BR-000101", status="pending"
        )
        HITLApprovalFactory(
            tenant=tenant, requested_by=self.member, reference="BR-000099", status="executed",
            action_summary="Pause the Winter Clearance campaign",
        )  # fmt: skip
        UserFactory(tenant=tenant, role=Role.MEMBER)  # a teammate whose conversation is never listed
        ConversationFactory(user=UserFactory(tenant=tenant, role=Role.MEMBER))

    @staticmethod
    def _say(conversation, question, answer):
        MessageFactory(conversation=conversation, text=question, created_at=conversation.last_message_at)
        MessageFactory(
            conversation=conversation, direction="outbound", sender_type="agent", text=answer,
            metadata={"agent_type": "seo"}, created_at=conversation.last_message_at + timedelta(seconds=5),
        )  # fmt: skip

    def _click_row(self, conversation):
        self.driver.find_element(
            By.CSS_SELECTOR, f'[data-testid="conversation-row"][data-conversation-id="{conversation.pk}"]'
        ).click()

    # --- tests ---------------------------------------------------------------------------

    def test_desktop_lists_the_members_conversations_reopens_one_and_hears_it_resolved(self):
        self.sign_in_and_open()
        rows = self.find_all("conversation-row")
        self.assertEqual(
            [r.get_attribute("data-conversation-id") for r in rows], [str(self.open.pk), str(self.closed.pk)]
        )
        self.assertEqual([s.text for s in self.find_all("conversation-status")], ["OPEN", "CLOSED"])
        approvals = {a.text.split()[0]: a.get_attribute("data-status") for a in self.find_all("approval")}
        self.assertEqual(approvals, {"BR-000101": "pending", "BR-000099": "executed"})
        # The open conversation fills the page, inline: no launcher, no pop-over.
        self.wait(lambda d: "Raise the Summer Sale budget to $700 a day" in self.texts(), "the open one's history")
        self.assertEqual(self.find_all("launcher"), [])
        panel = self.find("panel")
        self.assertGreater(panel.rect["width"], 700)
        self.assertGreater(panel.rect["height"], 600)
        self.screenshot("member-home-desktop.png")
        self.assert_accessible("the member's home with their conversations, requests and the open chat")

        # Support takes it over and hands it back to the agents: the member reads both in the thread.
        takeover.assign(self.open.pk, actor=self.support)
        self.wait(lambda d: "Dana Reyes joined the conversation" in self.texts(), "the joined notice")
        takeover.release(self.open.pk, actor=self.support)
        self.wait(lambda d: "Dana Reyes left; the Walker agents are back" in self.texts(), "the handed-back notice")
        self.screenshot("member-home-handed-back.png")

        # Then resolves it, no longer holding it: the member reads that in the thread too.
        takeover.resolve(self.open.pk, actor=self.support)
        self.wait(
            lambda d: any("Dana Reyes marked this conversation resolved" in t for t in self.texts()),
            "the resolved notice",
        )

        # The list hears it too and is drawn again: a row found before that redraw would be stale when clicked.
        self.wait(lambda d: [s.text for s in self.find_all("conversation-status")] == ["CLOSED", "CLOSED"], "the list")

        # The closed conversation, read back from the list, with its history and why it cannot be continued.
        self.wait(lambda d: self._click_row(self.closed) or True, "the closed conversation's row to click")
        self.wait(lambda d: d.current_url.endswith(f"/chat/{self.closed.pk}/"), "the conversation's own address")
        self.wait(lambda d: "Three keywords moved up: hiking boots first." in self.texts(), "the closed one's history")
        self.assertEqual(self.texts()[0], "Which keywords moved this week?")
        self.assertIn("This conversation is closed.", self.texts()[-1])
        current = self.driver.find_element(By.CSS_SELECTOR, '[aria-current="page"]')
        self.assertEqual(current.get_attribute("data-conversation-id"), str(self.closed.pk))
        self.screenshot("member-home-transcript.png")
        self.assert_accessible("a closed conversation read back on the member's page")

        # Writing in it starts a new conversation, shown alone, whose address the page takes.
        box = self.find("input")
        box.send_keys("And which ones dropped?")
        box.send_keys(Keys.ENTER)
        self.wait(
            lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="message"][data-role="user"][data-status="sent"]'),
            "the message confirmed",
        )
        self.assertEqual(self.texts()[0], "And which ones dropped?")
        started = self.wait(lambda d: re.search(r"/chat/([0-9a-f-]{36})/$", d.current_url), "the new address")
        self.assertNotIn(started.group(1), {str(self.open.pk), str(self.closed.pk)})
        self.assertTrue(Conversation.objects.filter(pk=started.group(1), user=self.member).exists())

    def test_a_whatsapp_conversation_is_listed_with_its_channel_and_read_back(self):
        later = timezone.now() + timedelta(minutes=1)
        whatsapp = ConversationFactory(user=self.member, channel="whatsapp", started_at=later, last_message_at=later)
        self._say(whatsapp, "Pause the Winter Clearance campaign", "I asked an approver: BR-000099.")
        self.sign_in_and_open(f"/chat/{whatsapp.pk}/", chat=False)
        self.assertEqual([c.text for c in self.find_all("conversation-channel")], ["WhatsApp", "Chat", "Chat"])
        lines = self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="read-only-thread"] .line-text')
        self.assertEqual(
            [line.text for line in lines], ["Pause the Winter Clearance campaign", "I asked an approver: BR-000099."]
        )
        self.assertIn("This conversation is on WhatsApp", self.find("where-to-go-on").text)
        self.assertEqual(self.find_all("chat-mount") + self.find_all("launcher"), [])  # nothing to write in here
        self.screenshot("member-home-whatsapp.png")
        self.assert_accessible("a WhatsApp conversation read back on the member's page")

    def test_new_conversation_starts_empty_and_closes_the_open_one_with_the_first_message(self):
        self.sign_in_and_open("/chat/?new=1")
        self.wait(lambda d: self.find_all("greeting"), "the greeting of an empty conversation")
        self.assertEqual(self.find_all("message"), [])
        self.find("input").send_keys("How is my Summer Sale campaign doing?", Keys.ENTER)
        self.wait(lambda d: re.search(r"/chat/[0-9a-f-]{36}/$", d.current_url), "the new conversation's address")
        self.open.refresh_from_db()
        self.assertEqual(self.open.status, Conversation.Status.CLOSED)
        self.assertEqual(self.texts()[0], "How is my Summer Sale campaign doing?")

    def test_phone_folds_the_list_above_the_thread(self):
        self.driver.set_window_size(*PHONE)
        self.sign_in_and_open(f"/chat/{self.open.pk}/")
        self.wait(lambda d: "Raise the Summer Sale budget to $700 a day" in self.texts(), "the conversation")
        toggle = self.find("list-toggle")
        self.assertTrue(toggle.is_displayed())
        self.assertFalse(self.find("conversations").is_displayed())
        viewport = self.driver.execute_script("return document.documentElement.clientWidth")
        panel = self.find("panel")
        self.assertEqual(panel.rect["width"], viewport)
        self.assertGreater(panel.rect["y"], toggle.rect["y"])  # the bar sits above the thread
        self.assertTrue(self.find("send").is_displayed())
        self.screenshot("member-home-phone.png")
        self.assert_accessible("the member's page on a phone")

        toggle.click()
        self.assertEqual(toggle.get_attribute("aria-expanded"), "true")
        self.wait(lambda d: self.find("conversations").is_displayed(), "the list to open")
        self.assertFalse(panel.is_displayed())
        self.assertEqual(len(self.find_all("conversation-row")), 2)
        self.screenshot("member-home-phone-list.png")
        self.find_all("conversation-row")[1].click()
        self.wait(lambda d: "Three keywords moved up: hiking boots first." in self.texts(), "the closed one")
        self.assertFalse(self.find("conversations").is_displayed())  # a new page: the list folded again
