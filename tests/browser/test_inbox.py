"""The conversations inbox and a takeover in a real browser, without a reload: support opens the inbox (tabs with
counts, names, masked previews, labels), opens a conversation (thread first, contact sidebar), takes it over,
inserts a canned response with /shortcut, sends it with Ctrl+Enter, switches to the note with Alt+N, labels it,
hands it back and resolves it; a marker put on the window at the start survives every step. The same steps on a
desktop and on a phone, where nothing may reach past the screen's edge.

Screenshots: inbox-list.png, inbox-conversation.png, inbox-takeover.png, and each with "-phone" for the phone.
"""

import io
import time
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from conversations.models import CannedResponse, Conversation, ConversationNote, Label, Message
from conversations.normalized import InboundMessage
from tenants.models import User
from tests.browser import test_chat_widget as chat
from tests.browser.accessibility import AccessibilityChecks
from tests.browser.conftest import CHROMEDRIVER, LIVE_PAGES
from tests.browser.screens import PHONE, ScreenChecks, by_testid
from tests.pipeline import exchange

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

PASSWORD = "walker-demo"  # seed_demo's default
STAYED = "return window.__inboxStayed === true"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class InboxBrowserTests(AccessibilityChecks, ScreenChecks, chat.BrowserTestCase):
    find = chat.ChatWidgetBrowserTests.find
    find_all = chat.ChatWidgetBrowserTests.find_all
    script = chat.ChatWidgetBrowserTests.script
    wait = chat.ChatWidgetBrowserTests.wait

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        member = User.objects.get(email="member@acme.test")
        self.conversation = exchange(
            InboundMessage(channel="chat", text="Call me on +1 415 555 0142 about my order", user_id=member.pk)
        ).conversation
        tenant = self.conversation.tenant
        Label.objects.create(tenant=tenant, name="Order", colour="#0f766e").conversations.add(self.conversation)
        # "VIP", which the test puts on the conversation, is one of the demo's labels (conversations/demo.py).
        CannedResponse.objects.create(
            tenant=tenant, shortcut="thanks", body="Thanks {first_name}, {agent_name} here: I'm on it."
        )

    def screenshot(self, name):
        chat.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.script("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
        size = self.driver.get_window_size()
        self.driver.set_window_size(size["width"], min(max(height + 120, size["height"]), 4000))
        self.script("window.scrollTo(0, 0)")  # the page from its top, wherever the last step left it
        try:
            self.driver.save_screenshot(str(chat.SCREENSHOTS / name))
        finally:
            self.driver.set_window_size(size["width"], size["height"])

    def path(self):
        return urlsplit(self.driver.current_url).path

    def body(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def log_in(self, email):
        self.driver.get(f"{self.live_server_url}/admin/login/?next=/admin/")
        self.driver.find_element(By.ID, "id_login").send_keys(email)
        self.driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, '#login-form button[type="submit"]').click()
        self.wait(lambda d: self.path() == "/admin/", f"{email} signed in")

    def outcome(self, text, what):
        def told(driver):
            shown = [e.text for e in self.find_all("step-outcome")]
            self.last_outcomes = shown
            return any(text in words for words in shown)

        try:
            self.wait(told, f"'{text}' after {what}")
        except AssertionError as failed:
            stayed = [self.script(STAYED), self.script("return window.__htmxLog"), self.script("return !!window.htmx")]
            raise AssertionError(f"{failed}\nstayed: {stayed}; at {self.path()}; page: {self.body()[-2500:]}") from None
        self.assertTrue(self.script(STAYED), f"the page was reloaded by {what}")
        # The console feed tells of the step too, and the page fetches its part afresh: let that land first.
        time.sleep(1)
        self.wait(lambda d: self.script("return window.walkerConversation.pending === 0"), "the live refresh")

    def click(self, testid):
        """Found and clicked at once (the part may be swapped in between otherwise)."""
        self.script(
            "var button = document.querySelector(`[data-testid='${arguments[0]}']`);"
            "button.scrollIntoView({block: 'center'}); button.click();",  # clear of the sticky footer
            testid,
        )

    def test_the_inbox_and_a_takeover_without_reloads(self):
        self.take_over_without_reloads(suffix="")

    def test_the_inbox_and_a_takeover_without_reloads_on_a_phone(self):
        self.driver.set_window_size(*PHONE)
        self.take_over_without_reloads(suffix="-phone")

    def take_over_without_reloads(self, suffix):
        self.log_in("support@acme.test")
        self.driver.get(f"{self.live_server_url}{reverse('admin:conversations_conversation_changelist')}")
        self.wait(lambda d: self.find_all("inbox-tabs"), "the inbox's tabs")
        self.assertEqual(self.find("inbox-count-unassigned").text, str(Conversation.objects.filter(
            tenant=self.conversation.tenant, held_by=None).exclude(status="closed").count()))  # fmt: skip
        row = self.driver.find_element(By.CSS_SELECTOR, f'#result_list a[href*="{self.conversation.pk}"]')
        row = row.find_element(By.XPATH, "./ancestor::tr")
        answering = Conversation.objects.select_related("agent").get(pk=self.conversation.pk).agent.name
        for shown in ("Morgan Lee", "m•••@acme.test", "Order", "Chat", answering):  # the agent answering it
            self.assertIn(shown, row.text)
        self.assertNotIn("555 0142", self.driver.page_source)
        clipped = self.script(
            "return [...arguments[0].querySelectorAll('td, th')].filter(c => c.scrollHeight > c.clientHeight + 1)"
            ".map(c => c.dataset.label)",
            row,
        )
        self.assertEqual(clipped, [], "cells whose text is cut off")
        self.screenshot(f"inbox-list{suffix}.png")
        self.assert_within_the_screen(*by_testid("inbox-tabs"))
        self.assert_accessible("the inbox")

        page = reverse("admin:conversations_conversation_change", args=[self.conversation.pk])
        self.driver.get(f"{self.live_server_url}{page}")
        self.wait(lambda d: self.find_all("contact-sidebar") and self.find_all("take-over"), "the conversation")
        self.script("window.__inboxStayed = true")
        self.script(  # every toast the page shows from here on
            "window.__toastsSeen = []; new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => {"
            "  if (n.parentNode && n.parentNode.id === 'walker-live-toasts') window.__toastsSeen.push(n.textContent);"
            "}))).observe(document.body, {childList: true, subtree: true});"
        )
        self.script(
            "window.__htmxLog = [];"
            "['htmx:beforeRequest','htmx:afterRequest','htmx:responseError','htmx:sendError','htmx:swapError',"
            "'htmx:targetError','htmx:afterSwap'].forEach(n => document.addEventListener(n, e => "
            "window.__htmxLog.push(n + ' ' + (e.detail.xhr ? e.detail.xhr.status : ''))));"
        )
        thread, composer = self.find("thread"), self.find("takeover-panel")
        self.assertLess(thread.location["y"], composer.location["y"], "the thread comes first, the boxes below")
        at_the_bottom = self.script(
            "var t = document.querySelector('[data-testid=thread-scroll]');"
            "return t.scrollTop + t.clientHeight >= t.scrollHeight - 2"
        )
        self.assertTrue(at_the_bottom, "the thread shows its newest message")
        self.assertIn("+•••••••••05", self.find("contact-numbers").text)
        self.screenshot(f"inbox-conversation{suffix}.png")
        self.assert_within_the_screen(*by_testid("thread", "takeover-panel", "take-over", "contact-sidebar"))
        self.assert_accessible("the conversation page")

        self.click("take-over")
        self.outcome("You hold this conversation now", "taking over")
        self.assert_within_the_screen(*by_testid("reply-text", "reply", "release", "resolve"))
        reply = self.find("reply-text")
        reply.send_keys("/tha")
        self.wait(lambda d: self.find("canned-menu").is_displayed(), "the canned responses offered")
        reply.send_keys(Keys.TAB)
        self.assertEqual(reply.get_attribute("value"), "Thanks Morgan, Sam Okafor here: I'm on it.")
        reply.send_keys(Keys.CONTROL, Keys.ENTER)
        self.outcome("Reply sent.", "Ctrl+Enter in the reply")
        self.assertIn("I'm on it.", self.find_all("bubble-human")[-1].text)

        self.find("reply-text").send_keys(Keys.ALT, "n")
        self.assertEqual(self.script("return document.activeElement.dataset.testid"), "note-text")
        self.driver.switch_to.active_element.send_keys("Wants a call back tomorrow.")
        self.driver.switch_to.active_element.send_keys(Keys.CONTROL, Keys.ENTER)
        self.outcome("Note added (never sent to the customer).", "Ctrl+Enter in the note")
        self.assertEqual(
            ConversationNote.objects.get(conversation=self.conversation).text, "Wants a call back tomorrow."
        )

        # Found and ticked at once: the console feed's news of the note may swap the part in between.
        self.script(
            "var vip = [...document.querySelectorAll('label.wk-label')].find(l => l.textContent.includes('VIP'));"
            "vip.scrollIntoView({block: 'center'}); vip.querySelector('input').click();"
        )
        self.click("save-labels")
        self.outcome("Labels saved.", "saving labels")
        self.assertEqual({label.name for label in self.conversation.labels.all()}, {"Order", "VIP"})
        self.screenshot(f"inbox-takeover{suffix}.png")

        self.click("release")
        self.outcome("Handed back to the agents.", "handing back")
        self.click("resolve")
        self.outcome("Resolved and closed.", "resolving")
        self.assertEqual(self.path(), page)
        self.conversation.refresh_from_db()
        self.assertEqual(self.conversation.status, Conversation.Status.CLOSED)
        self.assertIn("Closed", self.find("conversation-details").text)  # the details, fresh after the step
        time.sleep(1.5)  # the console feed's frames of these steps have arrived
        self.assertEqual(self.script("return window.__toastsSeen"), [], "support is not told their own steps")
        self.assertEqual(self.driver.find_elements(By.ID, "walker-live-banner"), [], "nor offered a reload for them")
        self.assertEqual(Message.objects.filter(conversation=self.conversation, sender_type="human").count(), 1)

    def test_a_new_conversation_and_the_agents_answer_reach_the_open_inbox(self):
        """Nobody holds it: the message in and the answer out are silent `activity` frames that refresh the rows."""
        self.log_in("support@acme.test")
        self.driver.get(f"{self.live_server_url}{reverse('admin:conversations_conversation_changelist')}")
        self.wait(lambda d: self.find_all("inbox-tabs"), "the inbox's tabs")
        self.script("window.__inboxStayed = true")
        self.script(  # every toast the page shows from here on
            "window.__toastsSeen = []; new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => {"
            "  if (n.parentNode && n.parentNode.id === 'walker-live-toasts') window.__toastsSeen.push(n.textContent);"
            "}))).observe(document.body, {childList: true, subtree: true});"
        )
        before = int(self.find("inbox-count-unassigned").text)
        newcomer = User.objects.create_user(
            email="riley@acme.test", password=PASSWORD, first_name="Riley", last_name="Stone",
            tenant=self.conversation.tenant, role="member",
        )  # fmt: skip
        fresh = exchange(InboundMessage(channel="chat", text="What did Summer Sale spend?", user_id=newcomer.pk))
        self.wait(
            lambda d: self.driver.find_elements(By.CSS_SELECTOR, f'#result_list a[href*="{fresh.conversation.pk}"]'),
            "the new conversation's row, without a reload",
        )
        self.wait(lambda d: self.find("inbox-count-unassigned").text == str(before + 1), "the tab's count, fresh")
        self.assertIn("Riley Stone", self.driver.find_element(By.ID, "result_list").text)
        self.assertTrue(self.script(STAYED), "the inbox was reloaded")
        toasts = self.script("var t = document.getElementById('walker-live-toasts'); return t ? t.textContent : ''")
        self.assertEqual(toasts, "", "activity is silent")
