"""The daily brief as its reader sees it: the demo tenant's brief, as sent, rendered by headless Chromium at
desktop and phone widths (light and dark), with screenshots saved as test artifacts."""

import io
import tempfile
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import TestCase

from agents.models import AIAgent, Campaign
from briefs.services import send_brief_now
from hitl.services.requests import request_approval
from tenants.models import User, UserEmailPreference
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.test_chat_widget import SCREENSHOTS
from tests.factories import budget_action

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.django_db,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

    from tests.browser.test_chat_widget import chromium

SECTIONS = ["Paid ads", "SEO", "Content", "Audiences", "Conversations", "Waiting for you"]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}  # an iPhone 14's CSS viewport


@pytest.fixture
def demo_brief(settings, tmp_path) -> Path:
    """The demo approver's brief, every section chosen and a request waiting, as the console provider stored it."""
    settings.EMAIL_PROVIDER, settings.EMAIL_CONSOLE_DIR = "console", tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    approver = User.objects.get(email="approver@acme.test")
    campaign = Campaign.objects.filter(tenant=approver.tenant).order_by("name").first()
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    member = User.objects.get(email="member@acme.test")
    with TestCase.captureOnCommitCallbacks(execute=True):  # a request waiting for the approver
        request_approval(
            tenant=approver.tenant, agent=agent, action=budget_action(campaign, "900.00"), requested_by=member
        )
    UserEmailPreference.objects.update_or_create(user=approver, defaults={"tenant": approver.tenant})
    assert send_brief_now(approver).status == "sent"
    (eml,) = tmp_path.glob("*.eml")
    page = tmp_path / "brief.html"
    page.write_text(BytesParser(policy=policy.default).parsebytes(eml.read_bytes()).get_body(("html",)).get_content())
    return page


def test_the_brief_reads_well_on_desktop_and_phone_in_light_and_dark(demo_brief):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        driver = chromium(profile)
        try:
            driver.get(demo_brief.as_uri())
            headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
            assert headings == SECTIONS
            buttons = [a for a in driver.find_elements(By.TAG_NAME, "a") if a.text in ("Approve", "Reject")]
            assert buttons and all("/hitl/decide/" in a.get_attribute("href") for a in buttons)
            for name, (width, height) in WIDTHS.items():
                driver.set_window_size(width, height)
                card = driver.find_element(By.CSS_SELECTOR, ".wb-card")
                viewport = driver.execute_script("return document.documentElement.clientWidth")
                assert card.size["width"] <= min(600, viewport)  # never wider than 600 px nor the screen
                no_sideways = driver.execute_script("return document.documentElement.scrollWidth <= innerWidth")
                assert no_sideways, f"the {name} view scrolls sideways"
                assert all(button.is_displayed() for button in buttons)
                _shoot(driver, f"daily_brief_{name}.png")
            driver.execute_cdp_cmd(
                "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
            )
            card = driver.find_element(By.CSS_SELECTOR, ".wb-card")
            assert card.value_of_css_property("background-color") == "rgba(31, 41, 55, 1)"  # the dark card
            assert card.value_of_css_property("color") == "rgba(243, 244, 246, 1)"  # light text on it
            _shoot(driver, "daily_brief_phone_dark.png")
        finally:
            driver.quit()


def _shoot(driver, name: str) -> None:
    """The whole brief, top to bottom, at the window's width."""
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, driver.execute_script("return document.documentElement.scrollHeight") + 120)
    shot = SCREENSHOTS / name
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 5000


if CHROMEDRIVER.exists():
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.accessibility import AccessibilityChecks
    from tests.browser.test_chat_widget import BrowserTestCase

    @override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    class BriefPagesBrowserTests(AccessibilityChecks, BrowserTestCase):
        """The preferences page's "Preview my brief" and "Send me one now", in the browser."""

        def test_preview_then_send_one_now(self):
            call_command("seed_demo", stdout=io.StringIO())
            approver = User.objects.get(email="approver@acme.test")
            client = Client()
            client.force_login(approver)
            self.driver.get(f"{self.live_server_url}/healthz")  # a cookie is set on a page of its site
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            self.driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie, "path": "/"})

            index = Path(settings.EMAIL_CONSOLE_DIR) / "index.jsonl"  # the console provider's (tests/conftest.py)

            def briefs_sent():
                lines = index.read_text().splitlines() if index.exists() else []
                return sum(approver.email in line and "Walker brief" in line for line in lines)

            earlier = briefs_sent()  # the index is the test session's: other tests' briefs are in it too
            self.driver.get(f"{self.live_server_url}/briefs/preferences/")
            self.driver.find_element(By.CSS_SELECTOR, '[data-testid="preview-brief"]').click()
            frame = WebDriverWait(self.driver, 20).until(
                lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="brief-preview"]')
            )
            self.assertIn("Nothing was sent", self.driver.find_element(By.TAG_NAME, "body").text)
            self.assert_accessible("the brief's preview page")
            self.driver.switch_to.frame(frame)
            self.assertRegex(self.driver.find_element(By.TAG_NAME, "h1").text, r"^Good (morning|afternoon|evening)")
            self.driver.switch_to.default_content()
            self.driver.save_screenshot(str(SCREENSHOTS / "daily_brief_preview.png"))
            self.assertEqual(briefs_sent(), earlier)

            self.driver.find_element(By.CSS_SELECTOR, '[data-testid="send-brief-now"]').click()
            status = WebDriverWait(self.driver, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, ".saved")).text
            self.assertIn(f"Your brief is on its way to {approver.email}", status)
            self.assert_accessible("the brief preferences page")
            self.driver.save_screenshot(str(SCREENSHOTS / "daily_brief_sent_now.png"))
            # sent by the server (its tasks run eagerly) through the console provider
            self.assertEqual(briefs_sent(), earlier + 1)
