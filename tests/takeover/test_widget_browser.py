"""The chat widget in a real browser while a person of the business takes the conversation over.

As in tests/browser: the live daphne server on 127.0.0.1 holds the in-memory channel layer, so the person's
steps go through the server's API with their token.
"""

import io
import json
import urllib.request

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from conversations.models import Conversation
from tenants.models import User
from tests.browser import test_chat_widget as chat_widget  # a module, so its tests are not collected here too
from tests.browser.conftest import CHROMEDRIVER, LIVE_PAGES
from tests.browser.test_chat_widget import WAIT_SECONDS, BrowserTestCase

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    LIVE_PAGES,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]


class TakeoverWidgetTests(BrowserTestCase):
    # The widget helpers of the chat browser tests, without running their tests again here.
    sign_in = chat_widget.ChatWidgetBrowserTests.sign_in
    open_demo = chat_widget.ChatWidgetBrowserTests.open_demo
    find = chat_widget.ChatWidgetBrowserTests.find
    find_all = chat_widget.ChatWidgetBrowserTests.find_all
    script = chat_widget.ChatWidgetBrowserTests.script
    wait = chat_widget.ChatWidgetBrowserTests.wait
    ask = chat_widget.ChatWidgetBrowserTests.ask
    texts = chat_widget.ChatWidgetBrowserTests.texts
    screenshot = chat_widget.ChatWidgetBrowserTests.screenshot

    def step(self, person, conversation, name, body=None):
        token, _ = Token.objects.get_or_create(user=person)
        request = urllib.request.Request(
            f"{self.live_server_url}/api/conversations/{conversation.pk}/{name}/",
            data=json.dumps(body or {}).encode(),
            headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
            return json.load(response)

    def bubbles(self, role):
        return [m for m in self.find_all("message") if m.get_attribute("data-role") == role]

    def test_the_customer_sees_the_person_join_answer_by_name_and_the_agents_come_back(self):
        call_command("seed_demo", stdout=io.StringIO())
        member, sam = User.objects.get(email="member@acme.test"), User.objects.get(email="support@acme.test")
        self.open_demo(member)
        self.find("launcher").click()
        self.wait(lambda d: self.find("status").text == "Online", "the socket to connect")
        self.ask("How is my Summer Sale campaign doing?")
        self.wait(lambda d: self.bubbles("agent"), "the agent's answer")
        conversation = Conversation.objects.get(user=member, channel="chat", status="open")

        self.step(sam, conversation, "assign")
        self.wait(
            lambda d: any("Sam Okafor joined the conversation" in b.text for b in self.bubbles("system")),
            "the line saying a person joined",
        )
        self.step(sam, conversation, "notes", {"text": "Long-time customer, be thorough."})
        self.step(sam, conversation, "replies", {"text": "Hi, Sam here. Let me look at it for you."})
        human = self.wait(lambda d: self.bubbles("human"), "the person's reply")[0]
        self.assertIn("Sam Okafor", human.find_element("css selector", ".wc-meta").text)
        self.assertEqual(
            human.find_element("css selector", ".wc-text").text, "Hi, Sam here. Let me look at it for you."
        )
        self.assertNotIn("support@acme.test", self.find("panel").text)
        self.assertNotIn("Long-time customer", self.find("panel").text)
        self.screenshot("chat-widget-takeover.png")

        self.step(sam, conversation, "release")
        self.wait(
            lambda d: any("the Walker agents are back" in b.text for b in self.bubbles("system")),
            "the line saying the agents are back",
        )
        self.driver.refresh()  # the reply stays, with its author, in the history
        self.script("window.WalkerChat.open()")
        self.wait(lambda d: self.bubbles("human"), "the person's reply in the history")
