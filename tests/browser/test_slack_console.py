"""The Slack app in the console, in a real browser: a tenant admin connects the workspace (its secrets never come
back in the page), and a Slack user's account link asks for the Walker sign-in, then links."""

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings

from channels_app.slack import linking
from channels_app.slack.models import SlackUserLink, SlackWorkspace
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

    # The module, not its class: a test class named in this module's namespace is collected here too, and its seven
    # browser tests ran twice.
    from tests.browser import test_admin_console
    from tests.browser.test_chat_widget import BrowserTestCase

    PASSWORD = test_admin_console.PASSWORD
else:  # the class below still has to be defined for collection; it is skipped
    from channels.testing import ChannelsLiveServerTestCase as BrowserTestCase

    test_admin_console, PASSWORD = None, ""

TOKEN = "xoxb-1111-2222-browser-s3cr3t"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class SlackConsoleBrowserTests(BrowserTestCase):
    if test_admin_console is not None:  # the console tests' helpers, not their tests
        url, path, wait, body_text, log_in, screenshot = (
            getattr(test_admin_console.AdminConsoleBrowserTests, name)
            for name in ("url", "path", "wait", "body_text", "log_in", "screenshot")
        )

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())

    def test_an_admin_connects_slack_and_an_approver_links_their_account(self):
        self.log_in("admin@acme.test")
        self.driver.get(self.url("/admin/channels_app/slackworkspace/add/"))
        for field, value in {"team_id": "T0ACME", "team_name": "Acme Outdoor", "default_channel": "C0APPROVALS",
                             "bot_token": TOKEN, "signing_secret": "browser-signing-s3cr3t"}.items():  # fmt: skip
            self.driver.find_element(By.ID, f"id_{field}").send_keys(value)
        self.driver.find_element(By.CSS_SELECTOR, 'button[name="_continue"], input[name="_continue"]').click()
        self.wait(lambda d: "/change/" in self.path(), "the saved workspace's page")
        workspace = SlackWorkspace.objects.get()
        assert workspace.bot_token == TOKEN
        assert TOKEN not in self.driver.page_source and "browser-signing-s3cr3t" not in self.driver.page_source
        self.screenshot("slack-workspace-console.png")

        url = linking.make_link(workspace, "U0BROWSER")
        path = urlsplit(url).path
        self.driver.delete_all_cookies()
        self.driver.get(self.url(path))
        self.wait(lambda d: d.find_elements(By.ID, "id_login"), "the sign-in form")
        self.driver.find_element(By.ID, "id_login").send_keys("approver@acme.test")
        self.driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, '#login-form button[type="submit"]').click()
        self.wait(lambda d: self.path() == path, "the link page after signing in")
        self.screenshot("slack-link-confirm.png")
        self.driver.find_element(By.CSS_SELECTOR, 'form button[type="submit"]').click()
        self.wait(lambda d: "linked to Walker" in self.body_text(), "the linked page")
        self.screenshot("slack-link-done.png")
        link = SlackUserLink.objects.get()
        assert (link.slack_user_id, link.user.email) == ("U0BROWSER", "approver@acme.test")
