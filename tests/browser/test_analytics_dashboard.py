"""The dashboard in a real browser: unfold's Chart.js charts drawn, a bar clicked opens the list behind it.

Saves artifacts/screenshots/admin-dashboard.png and admin-approval-analytics.png.
"""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from conversations.normalized import InboundMessage
from hitl.services.decisions import reject
from reports.approval_stats import refresh_tenant
from tenants.models import Tenant, User
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.pipeline import exchange

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.test_admin_console import BUDGET_TEXT, MEMBER_PHONE, PASSWORD
    from tests.browser.test_chat_widget import PAGE_CHANGES, SCREENSHOTS, WAIT_SECONDS, BrowserTestCase
else:
    from channels.testing import ChannelsLiveServerTestCase as BrowserTestCase

# Where the first bar of a chart with a value at `index` is, relative to its canvas's centre (Selenium's origin).
BAR_OFFSET = """
const canvas = arguments[0], chart = Chart.getChart(canvas);
const datasetIndex = chart.data.datasets.findIndex(d => d.data[arguments[1]] > 0);
const bar = chart.getDatasetMeta(datasetIndex).data[arguments[1]];
const middle = bar.base !== undefined ? (bar.y + bar.base) / 2 : bar.y;
return [bar.x - canvas.clientWidth / 2, middle - canvas.clientHeight / 2, datasetIndex];
"""


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class AnalyticsDashboardBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())

    def url(self, path):
        return f"{self.live_server_url}{path}"

    def wait(self, condition, what):
        try:
            return WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.2, ignored_exceptions=PAGE_CHANGES).until(
                condition
            )
        except TimeoutException:
            self.fail(f"waited {WAIT_SECONDS} s for {what} at {self.driver.current_url}")

    def log_in(self, email):
        self.driver.get(self.url("/admin/login/?next=/admin/"))
        self.driver.find_element(By.ID, "id_login").send_keys(email)
        self.driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, '#login-form button[type="submit"]').click()
        self.wait(lambda d: urlsplit(d.current_url).path == "/admin/", "the console's first page")

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        size = self.driver.get_window_size()
        self.driver.set_window_size(size["width"], min(max(height + 120, size["height"]), 4000))
        try:
            self.driver.save_screenshot(str(SCREENSHOTS / name))
        finally:
            self.driver.set_window_size(size["width"], size["height"])

    def drawn_charts(self):
        """The canvases that Chart.js drew and walker-charts.js linked."""
        self.wait(
            lambda d: d.execute_script(
                "const boxes = document.querySelectorAll('[data-drill]');"
                "return boxes.length > 0 && Array.from(boxes).every(b => b.dataset.drillReady === '1'"
                " && Chart.getChart(b.querySelector('canvas')))"
            ),
            "the charts drawn and linked",
        )
        return self.driver.find_elements(By.CSS_SELECTOR, "[data-drill] canvas.chart")

    def test_the_dashboard_draws_its_charts_and_a_bar_opens_its_conversations(self):
        exchange(InboundMessage(channel="whatsapp", text="How is the Summer Sale doing?", sender_phone=MEMBER_PHONE))
        self.log_in("admin@acme.test")
        self.driver.get(self.url("/admin/dashboard/"))  # Reports → Dashboard
        charts = self.drawn_charts()
        self.assertGreaterEqual(len(charts), 2)
        self.assertIn("Conversations per channel per day", self.driver.find_element(By.TAG_NAME, "body").text)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", charts[0])
        self.screenshot("admin-dashboard.png")

        today = len(self.driver.execute_script("return Chart.getChart(arguments[0]).data.labels", charts[0])) - 1
        x, y, _ = self.driver.execute_script(BAR_OFFSET, charts[0], today)
        ActionChains(self.driver).move_to_element_with_offset(charts[0], round(x), round(y)).click().perform()
        self.wait(lambda d: "/admin/conversations/conversation/" in d.current_url, "the conversations behind the bar")

        query = parse_qs(urlsplit(self.driver.current_url).query)
        self.assertEqual(query["channel__exact"], ["whatsapp"])
        self.assertIn("started_at__gte", query)
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
        self.assertEqual(len(rows), 1)

    def test_the_approval_analytics_page_charts_its_list(self):
        asked = exchange(InboundMessage(channel="whatsapp", text=BUDGET_TEXT, sender_phone=MEMBER_PHONE))
        decided = reject(asked.actions[0].approval_id, actor=User.objects.get(email="approver@acme.test"), reason="No")
        self.assertEqual(decided.status, "rejected")
        refresh_tenant(Tenant.objects.get(slug="acme-outdoor"), now=timezone.now())
        self.log_in("admin@acme.test")
        self.driver.get(self.url("/admin/analytics/hitlanalytics/?period_type__exact=day"))
        charts = self.drawn_charts()
        self.assertEqual(len(charts), 2)  # outcomes per day, time to decision
        self.screenshot("admin-approval-analytics.png")
