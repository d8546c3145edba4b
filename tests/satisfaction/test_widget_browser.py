"""The widget's rating control in a real browser: support resolves the conversation, the member is asked, clicks 4,
and the control says thanks; a second rating from the same control is not possible (its buttons are done).

As in tests/takeover/test_widget_browser.py: the live daphne server on 127.0.0.1 holds the in-memory channel layer,
so support's steps go through the server's API with their token.
"""

import io

import pytest
from django.core.management import call_command

from conversations.models import Conversation, SatisfactionSurvey
from tenants.models import User
from tests.browser import test_chat_widget as chat_widget  # a module, so its tests are not collected here too
from tests.browser.conftest import CHROMEDRIVER, LIVE_PAGES
from tests.browser.test_chat_widget import BrowserTestCase
from tests.takeover import test_widget_browser as takeover_widget  # a module, as above

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    LIVE_PAGES,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]


class RatingWidgetTests(BrowserTestCase):
    sign_in = chat_widget.ChatWidgetBrowserTests.sign_in
    open_demo = chat_widget.ChatWidgetBrowserTests.open_demo
    find = chat_widget.ChatWidgetBrowserTests.find
    find_all = chat_widget.ChatWidgetBrowserTests.find_all
    script = chat_widget.ChatWidgetBrowserTests.script
    wait = chat_widget.ChatWidgetBrowserTests.wait
    ask = chat_widget.ChatWidgetBrowserTests.ask
    screenshot = chat_widget.ChatWidgetBrowserTests.screenshot
    step = takeover_widget.TakeoverWidgetTests.step
    bubbles = takeover_widget.TakeoverWidgetTests.bubbles

    def test_the_member_rates_a_resolved_conversation_from_the_widget(self):
        call_command("seed_demo", stdout=io.StringIO())
        member, sam = User.objects.get(email="member@acme.test"), User.objects.get(email="support@acme.test")
        self.open_demo(member)
        self.find("launcher").click()
        self.wait(lambda d: self.find("status").text == "Online", "the socket to connect")
        self.ask("My ad account is locked")
        self.wait(lambda d: self.bubbles("agent"), "the agent's answer")
        conversation = Conversation.objects.get(user=member, channel="chat", status="open")

        self.step(sam, conversation, "assign")
        self.step(sam, conversation, "resolve")
        control = self.wait(lambda d: self.find_all("rating"), "the rating control")[0]
        self.assertIn("How did we do?", control.text)
        buttons = control.find_elements("css selector", ".wc-score")
        self.assertEqual([b.text for b in buttons], ["1", "2", "3", "4", "5"])
        self.assertEqual(buttons[3].get_attribute("aria-label"), "4 of 5")

        buttons[3].click()
        outcome = self.wait(
            lambda d: self.find("rating-outcome") if self.find("rating-outcome").is_displayed() else None,
            "the thanks",
        )
        self.assertEqual(outcome.text, "Thank you! You rated this conversation 4 of 5.")
        self.assertEqual(buttons[3].get_attribute("aria-pressed"), "true")
        self.assertTrue(all(not b.is_enabled() for b in buttons))  # rated once: the control is done
        self.assertEqual(SatisfactionSurvey.objects.get(conversation=conversation).score, 4)
        self.screenshot("chat-widget-rating.png")
