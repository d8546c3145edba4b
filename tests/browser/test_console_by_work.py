"""The console organised by the work (issue 50) in a real browser, on a desktop and on a phone: after signing in an
approver lands on "Walker", their own work (the approvals waiting for them, most urgent first), with a sidebar by
job showing only their entries; support lands on the conversations they hold; a tenant admin sees the conversations
and settings too, and reaches the figures through Reports → Dashboard.

Screenshots: console-by-work-approver.png, console-by-work-admin.png, console-by-work-dashboard.png,
console-by-work-support.png, console-by-work-phone.png and console-by-work-phone-sidebar.png.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from conversations.models import Conversation
from tenants.models import User
from tests.browser import test_admin_console as console  # the module, not its class: pytest would collect it here
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.screens import PHONE, ScreenChecks

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

    from tests.browser.accessibility import AccessibilityChecks
    from tests.browser.test_chat_widget import BrowserTestCase
else:
    from channels.testing import ChannelsLiveServerTestCase as BrowserTestCase

    AccessibilityChecks = object

ASKS = ["Raise the Summer Sale budget to $700 a day", "Raise the Fall Hiking Boots budget to $400 a day"]
APPROVER_GROUPS = ["Inbox", "Approvals", "Reports", "Marketing data", "Automation", "Settings"]
# The phone's sidebar toggle (unfold's header): the one shown below the xl breakpoint.
OPEN_PHONE_SIDEBAR = "document.querySelector('[x-on\\\\:click=\"sidebarMobileOpen = !sidebarMobileOpen\"]').click()"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # see test_admin_console
class ConsoleByWorkBrowserTests(AccessibilityChecks, ScreenChecks, BrowserTestCase):
    # The console's helpers, borrowed rather than inherited (inheriting would run its tests again).
    url = console.AdminConsoleBrowserTests.url
    path = console.AdminConsoleBrowserTests.path
    wait = console.AdminConsoleBrowserTests.wait
    find = console.AdminConsoleBrowserTests.find
    find_all = console.AdminConsoleBrowserTests.find_all
    log_in = console.AdminConsoleBrowserTests.log_in
    screenshot = console.AdminConsoleBrowserTests.screenshot
    whatsapp_from_member = console.AdminConsoleBrowserTests.whatsapp_from_member

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.references = [self.whatsapp_from_member(text).actions[0].reference for text in ASKS]

    def visible_groups(self):
        """The sidebar's group titles the viewer can see (a group none of whose entries they may open is hidden)."""
        titles = self.driver.find_elements(By.CSS_SELECTOR, "#nav-sidebar-apps h2")
        return [title.text.splitlines()[0] for title in titles if title.is_displayed()]  # less a collapsible's chevron

    def assert_their_work(self):
        self.assertEqual(self.driver.title.strip(), "Walker")
        waiting = self.find("waiting-approvals").text
        for reference in self.references:
            self.assertIn(reference, waiting)
        mine = self.find("approval-counts").find_element(By.CSS_SELECTOR, '[data-figure="mine"]')
        self.assertIn(str(len(self.references)), mine.text)

    def test_an_approver_lands_on_their_own_work_with_a_sidebar_by_job(self):
        self.log_in("approver@acme.test")
        self.assert_their_work()
        self.assertEqual(self.visible_groups(), APPROVER_GROUPS)
        sidebar = self.driver.find_element(By.ID, "nav-sidebar-apps").text
        self.assertIn("Approval queue", sidebar)
        self.assertNotIn("Canned responses", sidebar)  # support's and admins' work, not theirs
        self.screenshot("console-by-work-approver.png")
        self.assert_accessible("the approver's first page")
        self.use_dark_theme()
        self.driver.refresh()
        self.wait(lambda d: self.find_all("waiting-approvals"), "the first page again, dark")
        self.assert_accessible("the approver's first page in the dark theme")

    def test_a_tenant_admin_reaches_the_figures_through_reports(self):
        self.log_in("admin@acme.test")
        self.assertEqual(
            self.visible_groups(),
            ["Inbox", "Approvals", "Conversations", "Reports", "Marketing data", "Automation", "Settings"],
        )
        self.screenshot("console-by-work-admin.png")
        self.driver.find_element(By.CSS_SELECTOR, '#nav-sidebar-apps a[href="/admin/dashboard/"]').click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-live="dashboard"]'), "the dashboard")
        self.assertEqual(self.driver.find_element(By.CSS_SELECTOR, '[data-kpi="pending"]').text, "2")
        self.screenshot("console-by-work-dashboard.png")

    def test_support_lands_on_the_conversations_they_hold(self):
        support = User.objects.get(email="support@acme.test")
        conversation = Conversation.objects.get(user__email="member@acme.test", channel="whatsapp")
        taken = timezone.now() - timedelta(minutes=30)  # past the inbox's reply SLA, not answered
        Conversation.objects.filter(pk=conversation.pk).update(held_by=support, held_since=taken)
        self.log_in("support@acme.test")
        self.assertEqual(self.visible_groups(), ["Inbox", "Conversations", "Reports", "Marketing data", "Settings"])
        held = self.find("held-conversations").text
        self.assertIn(conversation.user.first_name, held)
        self.assertIn("due now", held)  # walker-sla.js counts the reply's deadline down, as in the inbox
        self.assertIn("Customers waiting on my reply past the SLA", self.find("attention").text)
        self.screenshot("console-by-work-support.png")
        self.assert_accessible("support's first page")

    def test_on_a_phone_the_work_fits_the_screen_and_the_sidebar_opens_by_job(self):
        self.driver.set_window_size(*PHONE)
        self.log_in("approver@acme.test")
        self.assert_their_work()
        self.assert_within_the_screen('[data-testid="my-work"]')
        self.screenshot("console-by-work-phone.png")
        self.driver.execute_script(OPEN_PHONE_SIDEBAR)
        self.wait(lambda d: self.visible_groups() == APPROVER_GROUPS, "the sidebar's groups on the phone")
        self.driver.save_screenshot(str(console.SCREENSHOTS / "console-by-work-phone-sidebar.png"))
