"""Asking for a person in a real browser: the member asks in the chat widget (in Spanish on a desktop, in English on a
phone) and reads that a person will answer and when; support signs in to the console, where the inbox's "Waiting for
a person" tab counts and lists the conversation, its reply due counting down. Nothing reaches past the phone's edge.

Screenshots: person-asked-chat.png, person-asked-inbox.png, and each with "-phone" for the phone.
"""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from conversations.models import Conversation
from tenants.models import User
from tests.browser import test_chat_widget as chat
from tests.browser import test_inbox
from tests.browser.accessibility import AccessibilityChecks
from tests.browser.conftest import CHROMEDRIVER, LIVE_PAGES
from tests.browser.screens import PHONE, ScreenChecks, by_testid

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    LIVE_PAGES,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

WAITING = "Waiting for a person of the team"  # the widget's own words: the page's language (the member's), as "Online"
PROMISED = {"es": "Una persona del equipo te responderá aquí", "en": "A person from the team will answer you here"}


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class PersonAskedBrowserTests(AccessibilityChecks, ScreenChecks, chat.BrowserTestCase):
    find = chat.ChatWidgetBrowserTests.find
    find_all = chat.ChatWidgetBrowserTests.find_all
    script = chat.ChatWidgetBrowserTests.script
    wait = chat.ChatWidgetBrowserTests.wait
    sign_in = chat.ChatWidgetBrowserTests.sign_in
    open_demo = chat.ChatWidgetBrowserTests.open_demo
    ask = chat.ChatWidgetBrowserTests.ask
    agent_bubble = chat.ChatWidgetBrowserTests.agent_bubble
    screenshot = test_inbox.InboxBrowserTests.screenshot
    path = test_inbox.InboxBrowserTests.path
    log_in = test_inbox.InboxBrowserTests.log_in

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.member = User.objects.get(email="member@acme.test")

    def test_asking_for_a_person_in_spanish_on_a_desktop(self):
        self.ask_for_a_person("quiero hablar con una persona", "es", suffix="")

    def test_asking_for_a_person_on_a_phone(self):
        self.driver.set_window_size(*PHONE)
        self.ask_for_a_person("I want to talk to a human", "en", suffix="-phone")

    def ask_for_a_person(self, words, language, suffix):
        waiting_before = Conversation.objects.waiting_for_person().count()
        self.open_demo(self.member)
        self.find("launcher").click()
        self.wait(lambda d: self.find("status").text == "Online", "the socket to connect")
        self.assertFalse(self.find("waiting-for-person").is_displayed())
        self.ask(words)
        answer = self.wait(lambda d: self.agent_bubble(lambda text: PROMISED[language] in text), "the promise")
        self.wait(lambda d: self.find("waiting-for-person").is_displayed(), "the widget's waiting line")
        self.assertIn(WAITING, self.find("waiting-for-person").text)
        self.assertNotIn("Italian", answer.text)
        self.assertNotIn("didn't get that", answer.text)
        self.screenshot(f"person-asked-chat{suffix}.png")
        self.assert_within_the_screen(*by_testid("panel"))

        self.driver.delete_all_cookies()
        self.log_in("support@acme.test")
        self.driver.get(f"{self.live_server_url}{reverse('admin:conversations_conversation_changelist')}")
        self.wait(lambda d: self.find_all("inbox-tabs"), "the inbox's tabs")
        self.assertEqual(self.find("inbox-count-waiting").text, str(waiting_before + 1))
        self.find("inbox-tab-waiting").click()
        self.wait(lambda d: "box=waiting" in self.driver.current_url, "the waiting tab")
        asked = Conversation.objects.waiting_for_person().get(user=self.member)
        row = self.driver.find_element(By.CSS_SELECTOR, f'#result_list a[href*="{asked.pk}"]')
        row = row.find_element(By.XPATH, "./ancestor::tr")
        self.assertIn("Morgan Lee", row.text)
        self.assertTrue(row.find_elements(By.CSS_SELECTOR, '[data-testid="inbox-sla"]'), "the reply due is shown")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
        self.assertEqual(len(rows), waiting_before + 1)
        self.screenshot(f"person-asked-inbox{suffix}.png")
        self.assert_within_the_screen(*by_testid("inbox-tabs"))
        self.assert_accessible("the inbox's waiting tab")
