"""The approval page as a Spanish approver reads it, in a real browser on a desktop and on a phone (issue 50, point
6): the risk reasons and the timeline told in Spanish from the figures and sentences kept with them, although the
request was filed in English; no raw ISO time.

Screenshots: approval-page-spanish.png and approval-page-spanish-phone.png.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from tenants.models import User
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.screens import PHONE, ScreenChecks
from tests.pipeline import exchange

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():  # imported here so a machine without the driver still collects the module
    from selenium.webdriver.common.by import By

    from tests.browser.console_pages import ConsolePages
    from tests.browser.test_chat_widget import BrowserTestCase
else:  # the class below still has to be defined for collection; it is skipped
    from channels.testing import ChannelsLiveServerTestCase as BrowserTestCase

    ConsolePages = object

MEMBER_PHONE = "+14155550105"  # member@acme.test
ASK = "Raise the Summer Sale budget to $700 a day"
RAW_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class SpanishApprovalPageBrowserTests(ConsolePages, ScreenChecks, BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        with translation.override("en"):  # the member writes in English: the request is filed in English
            asked = exchange(InboundMessage(channel="whatsapp", text=ASK, sender_phone=MEMBER_PHONE))
        self.approval = HITLApproval.objects.get(reference=asked.actions[0].reference)
        User.objects.filter(email="approver@acme.test").update(language="es")

    def body(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def test_a_spanish_approver_reads_the_reasons_and_the_timeline_in_spanish(self):
        approval = self.approval
        self.sign_in("approver@acme.test")
        self.open(reverse("admin:hitl_hitlapproval_change", args=[approval.pk]))
        self.wait(lambda d: "Resultados en juego" in self.body() or "Coste" in self.body(), "the risk factors")

        text = self.body()
        self.assertIn("del gasto de los últimos 30 días", text)  # a risk reason, told from its figures
        self.assertIn("Confianza del agente", text)
        self.assertIn("propuso", text)  # the timeline's first note, filed in English
        self.assertNotIn("of the last 30 days' spend", text)
        self.assertNotIn(" proposed: ", text)
        self.assertIn("Correo electrónico a Priya Shah", text)  # who was told, not "Correo electrónico to …"
        self.assertIsNone(RAW_ISO.search(text))
        self.screenshot("approval-page-spanish.png")

        self.driver.set_window_size(*PHONE)
        self.open(reverse("admin:hitl_hitlapproval_change", args=[approval.pk]))
        self.wait(lambda d: "propuso" in self.body(), "the page on a phone")
        self.screenshot("approval-page-spanish-phone.png")
