"""The Connect buttons (issue 50, point 1) in a real browser, on a desktop and on a phone: a tenant admin presses
"Connect Google Ads", allows on Google's consent page (a fake on 127.0.0.1, as the live server is), picks the
account a manager reaches and lands on the connected account's page; "Connect Meta" goes through Facebook Login's
dialog to the ad accounts; "Add to Slack" installs Walker's app and the channel is picked from the list. The live
server's port is fixed before it is forked, so PUBLIC_BASE_URL (the redirect URI the fakes send the browser back to)
names it.

Screenshots: connect-buttons.png, connect-google-consent.png, connect-google-pick.png, connect-google-done.png,
connect-meta-pick.png, connect-slack-channel.png, connect-slack-done.png, connect-buttons-phone.png,
connect-google-pick-phone.png.
"""

import io
import socket

import pytest
from django.core.management import call_command
from django.test import override_settings

from adplatforms.models import AdConnection
from adplatforms.simulator.google import FakeGoogleAds
from adplatforms.simulator.meta import FakeMetaGraph
from channels_app.slack.models import SlackWorkspace
from tests.browser import test_admin_console as console  # the module, not its class: pytest would collect it here
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.screens import PHONE, ScreenChecks
from tests.slack.fake_slack import FakeSlack

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from tests.browser.test_chat_widget import BrowserTestCase, ServerProcess
else:
    from channels.testing import ChannelsLiveServerTestCase as BrowserTestCase
    from daphne.testing import DaphneProcess as ServerProcess


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # see test_admin_console
class ConnectButtonsBrowserTests(ScreenChecks, BrowserTestCase):
    url = console.AdminConsoleBrowserTests.url
    path = console.AdminConsoleBrowserTests.path
    wait = console.AdminConsoleBrowserTests.wait
    find = console.AdminConsoleBrowserTests.find
    body_text = console.AdminConsoleBrowserTests.body_text
    log_in = console.AdminConsoleBrowserTests.log_in
    screenshot = console.AdminConsoleBrowserTests.screenshot

    @classmethod
    def setUpClass(cls):
        port = _free_port()

        class OnThePort(ServerProcess):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, port=port, **kwargs)

        cls.ProtocolServerProcess = OnThePort
        cls.google = FakeGoogleAds().start()
        cls.meta = FakeMetaGraph().start()
        cls.meta.add_account("act_123", name="Acme Outdoor")
        cls.meta.add_account("act_456", name="Acme Retail", currency="EUR", timezone="Europe/Madrid")
        cls.slack = FakeSlack().start()
        cls.installation = override_settings(
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
            GOOGLE_ADS_API_URL=cls.google.url,
            GOOGLE_OAUTH_TOKEN_URL=cls.google.token_url,
            GOOGLE_OAUTH_AUTHORIZE_URL=cls.google.authorize_url,
            GOOGLE_OAUTH_CLIENT_ID=cls.google.client_id,
            GOOGLE_OAUTH_CLIENT_SECRET=cls.google.client_secret,
            GOOGLE_ADS_DEVELOPER_TOKEN=cls.google.developer_token,
            META_GRAPH_API_URL=cls.meta.url,
            META_OAUTH_DIALOG_URL=cls.meta.url,
            META_APP_ID=cls.meta.app_id,
            META_APP_SECRET=cls.meta.app_secret,
            SLACK_API_BASE_URL=cls.slack.base_url,
            SLACK_OAUTH_AUTHORIZE_URL=cls.slack.authorize_url,
            SLACK_CLIENT_ID=cls.slack.client_id,
            SLACK_CLIENT_SECRET=cls.slack.client_secret,
            SLACK_SIGNING_SECRET="browser-app-signing-secret",
        )
        cls.installation.enable()  # before the server process is forked: it inherits them
        # A class cleanup, not tearDownClass: the class's own override_settings is undone by a cleanup too, which
        # must run first (cleanups run last in, first out) or it would put these settings back.
        cls.addClassCleanup(cls._stop_fakes)
        super().setUpClass()

    @classmethod
    def _stop_fakes(cls):
        cls.installation.disable()
        cls.google.stop()
        cls.meta.stop()
        cls.slack.stop()

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.google.customers.clear()
        self.google.seed_demo()
        self.google.add_customer("5550001111", "Acme Outlet", currency="EUR", time_zone="Europe/Madrid")
        self.google.add_manager("7000000001", "Acme Agency MCC", ["5550001111"])

    def connect_google(self, *, shots: bool):
        self.driver.get(self.url("/admin/adplatforms/adconnection/"))
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="connect-google"]'), "the button")
        if shots:
            self.screenshot("connect-buttons.png")
        self.find("connect-google").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="consent-allow"]'), "Google's consent")
        if shots:
            self.screenshot("connect-google-consent.png")
        self.find("consent-allow").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="connect-pick"]'), "the accounts")

    def test_an_admin_connects_google_ads_and_adds_slack(self):
        self.log_in("admin@acme.test")
        self.connect_google(shots=True)
        text = self.body_text()
        for words in ("Acme US", "Acme Japan", "Acme Outlet", "Through manager account 7000000001"):
            self.assertIn(words, text)
        self.find("account-5550001111").click()
        self.screenshot("connect-google-pick.png")
        self.find("connect-picked").click()
        self.wait(lambda d: "/change/" in self.path(), "the connected account's page")
        self.assertIn("the first sync is on its way", self.body_text())
        self.screenshot("connect-google-done.png")
        connection = AdConnection.objects.get(account_id="5550001111")
        self.assertEqual((connection.login_customer_id, connection.refresh_token),
                         ("7000000001", self.google.refresh_token))  # fmt: skip
        self.assertNotIn(self.google.refresh_token, self.driver.page_source)

        self.driver.get(self.url("/admin/channels_app/slackworkspace/"))
        self.find("add-to-slack-button").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="consent-allow"]'), "Slack's page")
        self.find("consent-allow").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="slack-channel"]'), "the channels")
        Select(self.find("slack-channel")).select_by_visible_text("#general")
        self.screenshot("connect-slack-channel.png")
        self.find("slack-connect").click()
        self.wait(lambda d: "/change/" in self.path(), "the workspace's page")
        self.assertIn("approvals will be posted there", self.body_text())
        self.screenshot("connect-slack-done.png")
        workspace = SlackWorkspace.objects.get(team_id="T0WALKER")
        self.assertEqual(workspace.tenant_id, connection.tenant_id)
        self.assertEqual(workspace.default_channel, "C0GENERAL")

    def test_an_admin_connects_a_meta_ad_account(self):
        self.log_in("admin@acme.test")
        self.driver.get(self.url("/admin/adplatforms/adconnection/"))
        self.find("connect-meta").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="consent-allow"]'), "Facebook's dialog")
        self.find("consent-allow").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="connect-pick"]'), "the ad accounts")
        self.find("account-act_456").click()
        self.screenshot("connect-meta-pick.png")
        self.find("connect-picked").click()
        self.wait(lambda d: "/change/" in self.path(), "the connected account's page")
        connection = AdConnection.objects.get(platform="meta")
        self.assertEqual((connection.account_id, connection.access_token), ("act_456", self.meta.token))

    def test_the_connect_flow_fits_a_phone(self):
        self.driver.set_window_size(*PHONE)
        self.log_in("admin@acme.test")
        self.driver.get(self.url("/admin/adplatforms/adconnection/"))
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="connect-google"]'), "the button")
        self.assert_within_the_screen('[data-testid="connect-google"]')
        self.screenshot("connect-buttons-phone.png")
        self.connect_google(shots=False)
        self.assert_within_the_screen('[data-testid="connect-picked"]', '[data-testid="account-5550001111"]')
        self.screenshot("connect-google-pick-phone.png")
        self.find("account-1234567890").click()
        self.find("connect-picked").click()
        self.wait(lambda d: "/change/" in self.path(), "the connected account's page")
        self.assertTrue(AdConnection.objects.filter(account_id="1234567890", login_customer_id="").exists())
