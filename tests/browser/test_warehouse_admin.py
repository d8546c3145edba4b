"""Warehouse destinations in a real browser (issue 37, point 3): a tenant admin pastes a service account key,
the export runs against the fake BigQuery, and the page shows how it went without ever showing the key again.
Screenshots go to artifacts/screenshots/."""

import io

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from analytics.events import record
from tenants.models import User
from tests.browser.conftest import CHROMEDRIVER
from tests.warehouse.conftest import service_account_key
from tests.warehouse.fake_bigquery import FakeBigQuery
from warehouse import export
from warehouse.models import WarehouseDestination

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():  # imported here so a machine without the driver still collects the module
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.test_chat_widget import PAGE_CHANGES, SCREENSHOTS, WAIT_SECONDS, BrowserTestCase
else:  # the class below still has to be defined for collection; it is skipped
    SCREENSHOTS, WAIT_SECONDS, BrowserTestCase = None, 20, ChannelsLiveServerTestCase


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class WarehouseAdminBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.fake = FakeBigQuery().start()
        self.addCleanup(self.fake.stop)

    def sign_in(self, email):
        client = Client()
        client.force_login(User.objects.get(email=email))
        self.driver.get(f"{self.live_server_url}/healthz")  # a cookie can only be set on a page of its site
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "path": "/"})

    def open(self, path):
        self.driver.get(f"{self.live_server_url}{path}")

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def body(self):
        return self.find("body").text

    def wait_for(self, text):
        """Case aside: unfold's labels are upper-cased by CSS, and Selenium reads the text as shown."""
        try:
            WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.2, ignored_exceptions=PAGE_CHANGES).until(
                lambda d: text.lower() in d.find_element(By.TAG_NAME, "body").text.lower()
            )
        except TimeoutException:
            self.fail(f"waited {WAIT_SECONDS} s for {text!r}\npage text: {self.body()[:2000]}")

    def screenshot(self, name):
        """The whole page: the window grows to the content's height (up to 4000 px), then is put back."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, min(max(height + 120, 900), 4000))
        try:
            self.driver.save_screenshot(str(SCREENSHOTS / name))
        finally:
            self.driver.set_window_size(1280, 900)

    def test_an_admin_adds_a_destination_and_sees_the_export_and_a_refused_permission(self):
        acme = User.objects.get(email="admin@acme.test").tenant
        for _ in range(3):
            record("message_received", tenant=acme, channel="chat")
        self.sign_in("admin@acme.test")
        self.open(reverse("admin:warehouse_warehousedestination_add"))
        self.find("#id_project").send_keys("acme-data")
        self.find("#id_dataset_name").send_keys("walker_events")
        key = service_account_key()
        self.driver.execute_script("arguments[0].value = arguments[1]", self.find("#id_service_account_key"), key)
        self.screenshot("admin-warehouse-destination-add.png")
        self.driver.execute_script("arguments[0].click()", self.find('button[name="_continue"]'))
        self.wait_for("was added successfully")
        destination = WarehouseDestination.objects.get()
        self.assertEqual(destination.tenant, acme)

        endpoint = {"WAREHOUSE_BIGQUERY_API_ENDPOINT": self.fake.url, "WAREHOUSE_TOKEN_URI": self.fake.token_url}
        with self.settings(WAREHOUSE_LAG_SECONDS=0, WAREHOUSE_RETRY_SECONDS=1.0, **endpoint):
            export.export_destination(destination)
        self.driver.refresh()
        self.wait_for("Exporting")
        page = self.body()
        self.assertIn("platform_events: 3 rows sent", page)
        self.assertNotIn("PRIVATE KEY", self.driver.page_source)
        self.assertEqual(self.find("#id_service_account_key").get_attribute("value"), "")
        self.screenshot("admin-warehouse-destination-exporting.png")

        self.fake.fail("GET", "/datasets/walker_events", 403, "accessDenied")
        with self.settings(WAREHOUSE_LAG_SECONDS=0, WAREHOUSE_RETRY_SECONDS=1.0, **endpoint):
            export.export_destination(destination)
        self.open(reverse("admin:warehouse_warehousedestination_changelist"))
        self.wait_for("Stopped: permission denied")
        self.screenshot("admin-warehouse-destinations-stopped.png")
