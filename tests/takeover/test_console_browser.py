"""The console's takeover panel in a real browser: support signs in, takes a chat conversation over, asks the agent
for a suggestion, replies, notes, hears live that the customer wrote (a toast, never the words) and hands it back.

As in tests/browser: the live daphne server on 127.0.0.1 holds the in-memory channel layer, so the customer writes
over the chat socket of that server (as the widget would) and the console's socket hears it there.
"""

import io
import json
from urllib.parse import urlsplit

import pytest
import websocket
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from selenium.webdriver.support import expected_conditions

from channels_app.chat.verify import issue
from conversations.models import Conversation, ConversationNote, Message
from tenants.models import User
from tests.browser import test_chat_widget as chat
from tests.browser.conftest import CHROMEDRIVER, CONSOLE_OPEN, LIVE_PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    LIVE_PAGES,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

PASSWORD = "walker-demo"  # seed_demo's default
SECRET = "my card is 4111 1111 1111 1111"


# The server process is forked before tests/conftest.py's per-test MD5 hasher: the class override reaches it.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class TakeoverConsoleBrowserTests(chat.BrowserTestCase):
    record_sockets = True  # to wait for the console's socket before the customer writes
    find = chat.ChatWidgetBrowserTests.find
    find_all = chat.ChatWidgetBrowserTests.find_all
    script = chat.ChatWidgetBrowserTests.script
    wait = chat.ChatWidgetBrowserTests.wait

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.member = User.objects.get(email="member@acme.test")

    def screenshot(self, name):
        """The whole page, as tests/browser's admin screenshots are taken."""
        chat.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.script("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
        size = self.driver.get_window_size()
        self.driver.set_window_size(size["width"], min(max(height + 120, size["height"]), 4000))
        try:
            self.driver.save_screenshot(str(chat.SCREENSHOTS / name))
        finally:
            self.driver.set_window_size(size["width"], size["height"])

    def path(self):
        return urlsplit(self.driver.current_url).path

    def body(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def customer_says(self, text, *, answered: bool):
        """The member writes on the chat socket of the live server; waits for the agent's answer if one comes."""
        url = self.live_server_url.replace("http://", "ws://") + f"/ws/chat/?token={issue(self.member).token}"
        socket = websocket.create_connection(url, timeout=chat.WAIT_SECONDS)
        try:
            socket.send(json.dumps({"type": "send_message", "message": text}))
            wanted = "agent_response" if answered else "message_received"
            while json.loads(socket.recv())["type"] != wanted:
                pass
        finally:
            socket.close()

    def log_in(self, email):
        """Through the real admin sign-in form."""
        self.driver.get(f"{self.live_server_url}/admin/login/?next=/admin/")
        self.driver.find_element(By.ID, "id_login").send_keys(email)
        self.driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, '#login-form button[type="submit"]').click()
        self.wait(lambda d: self.path() == "/admin/", f"{email} signed in")

    def take_step(self, testid, done, *, confirm=None):
        """Posted in place (htmx); found and clicked at once, after any live refresh of the page's part landed.
        `confirm`: words the step asks to confirm first (htmx's confirm dialog), accepted."""
        self.wait(lambda d: self.script("return window.walkerConversation.pending === 0"), "the live refresh")
        self.script(
            "var button = document.querySelector(`[data-testid='${arguments[0]}']`);"
            "button.scrollIntoView({block: 'center'}); setTimeout(() => button.click());",  # clear of the sticky footer
            testid,
        )
        if confirm is not None:
            dialog = self.wait(expected_conditions.alert_is_present(), f"the confirmation of {testid}")
            self.assertIn(confirm, dialog.text)
            dialog.accept()
        self.wait(lambda d: done in self.body(), f"'{done}' after {testid}")
        self.wait(lambda d: self.script(CONSOLE_OPEN), "the console socket to open again")

    def test_support_takes_over_suggests_replies_notes_hears_the_customer_and_hands_back(self):
        self.customer_says("How is my Summer Sale campaign doing?", answered=True)
        conversation = Conversation.objects.get(user=self.member, channel="chat", status="open")
        page = reverse("admin:conversations_conversation_change", args=[conversation.pk])

        self.log_in("support@acme.test")
        self.driver.get(f"{self.live_server_url}{reverse('admin:conversations_conversation_changelist')}")
        self.driver.find_element(By.CSS_SELECTOR, f'#result_list a[href="{page}"]').click()
        self.wait(lambda d: self.path() == page and self.find_all("takeover-panel"), "the conversation's panel")
        self.assertIn("The agents answer this conversation", self.find("takeover-panel").text)

        self.take_step("take-over", "You hold this conversation now")
        self.assertEqual(self.find("holder").text, "Sam Okafor")
        self.take_step("suggest", "The agent's suggestion is in the reply box")
        suggestion = self.find("reply-text").get_attribute("value")
        self.assertTrue(suggestion.strip(), "the reply box holds the agent's suggestion")
        self.assertEqual(Message.objects.filter(conversation=conversation).count(), 2)  # nothing stored
        self.screenshot("admin-takeover-suggestion.png")

        box = self.find("reply-text")
        box.clear()
        box.send_keys("Hi, Sam here. Your Summer Sale is doing well; I'll send you the details.")
        self.take_step("reply", "Reply sent.")
        self.wait(lambda d: self.find_all("bubble-human"), "the reply in the thread")
        self.assertIn("Sam here", self.find_all("bubble-human")[-1].text)

        self.find("note-text").send_keys("Asked twice about the sale; follow up Friday.")
        self.take_step("add-note", "Note added (never sent to the customer).")
        self.wait(lambda d: self.find_all("bubble-note"), "the note in the thread")
        self.assertEqual(ConversationNote.objects.get(conversation=conversation).author.email, "support@acme.test")
        self.screenshot("admin-takeover-thread.png")

        # Elsewhere in the console: the holder gets a toast linking the conversation; it names no words.
        changelist = reverse("admin:conversations_conversation_changelist")
        self.driver.get(f"{self.live_server_url}{changelist}")
        self.wait(lambda d: self.script(CONSOLE_OPEN), "the console socket on the list")
        self.customer_says(f"Thanks! Also, {SECRET}", answered=False)
        toast = self.wait(
            lambda d: d.find_elements(By.CSS_SELECTOR, '#walker-live-toasts [data-kind="customer_wrote"]'),
            "the toast saying the customer wrote",
        )[0]
        ref = str(conversation.pk)[:8]
        self.assertEqual(toast.text, f"The customer wrote in conversation {ref}, which you hold")
        self.assertNotIn("4111", self.body())
        self.screenshot("admin-takeover-live-toast.png")
        toast.find_element(By.TAG_NAME, "a").click()
        self.wait(lambda d: self.path() == page and self.find_all("takeover-panel"), "the conversation from the toast")
        self.assertEqual(Message.objects.filter(conversation=conversation, sender_type="agent").count(), 1)

        # On the conversation's own page: the customer's new message comes into the thread in place, no reload;
        # a reply being typed is never replaced: a banner offers the reload instead.
        self.wait(lambda d: self.script(CONSOLE_OPEN), "the console socket on the page")
        self.script("window.__stayed = true")
        self.customer_says("Are you still there?", answered=False)
        self.wait(lambda d: "Are you still there?" in self.find_all("bubble-them")[-1].text, "the message in place")
        self.assertTrue(self.script("return window.__stayed === true"), "the page was reloaded")
        self.find("reply-text").send_keys("Let me check")
        self.customer_says("Hello?", answered=False)
        banner = self.wait(lambda d: d.find_elements(By.ID, "walker-live-banner"), "the banner on the page")[0]
        self.assertIn("which you hold", banner.text)
        self.assertEqual(self.find("reply-text").get_attribute("value"), "Let me check")
        self.find("reply-text").clear()

        # "Hello?" has no reply: handing back says so, and asks to confirm.
        self.wait(lambda d: "has no reply yet" in self.find("unanswered-warning").text, "the unanswered warning")
        self.take_step("release", "Handed back to the agents.", confirm="Hand back anyway?")
        self.assertIn("The agents answer this conversation", self.find("takeover-panel").text)
        self.assertEqual(self.find_all("reply-text"), [])
        self.screenshot("admin-takeover-released.png")
        conversation.refresh_from_db()
        self.assertIsNone(conversation.held_by_id)
