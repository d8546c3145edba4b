"""Warehouse destinations in a real browser (issue 37, point 3): a tenant admin pastes a service account key,
the export runs against the fake BigQuery, and the page shows how it went without ever showing the key again.
Screenshots go to artifacts/screenshots/."""

import io

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from analytics.events import record
from tenants.models import User
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.console_pages import ConsolePages  # selenium is installed with the test tools
from tests.warehouse.conftest import service_account_key
from tests.warehouse.fake_bigquery import FakeBigQuery
from warehouse import export
from warehouse.models import WarehouseDestination

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():  # imported here so a machine without the driver still collects the module
    from selenium.webdriver.common.by import By

    from tests.browser.test_chat_widget import BrowserTestCase
else:  # the class below still has to be defined for collection; it is skipped
    BrowserTestCase = ChannelsLiveServerTestCase


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class WarehouseAdminBrowserTests(ConsolePages, BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.fake = FakeBigQuery().start()
        self.addCleanup(self.fake.stop)

    def body(self):
        return self.find("body").text

    def wait_for(self, text):
        """Case aside: unfold's labels are upper-cased by CSS, and Selenium reads the text as shown."""
        self.wait(lambda d: text.lower() in d.find_element(By.TAG_NAME, "body").text.lower(), repr(text))

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
