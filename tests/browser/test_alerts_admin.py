"""Alerts in a real browser (issue 37, point 2): a tenant admin adds a rule with the form's widgets, the beat job opens
an incident, and the incident is read with who was told. Screenshots go to artifacts/screenshots/."""

import io
from datetime import timedelta

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertIncident, AlertRule
from alerts.tasks import evaluate_rules
from channels_app.slack.models import SlackWorkspace
from tenants.models import User
from tests.analytics.conftest import approval
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.console_pages import ConsolePages  # selenium is installed with the test tools
from tests.slack.fake_slack import FakeSlack

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():  # imported here so a machine without the driver still collects the module
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from tests.browser.test_chat_widget import BrowserTestCase
else:  # the class below still has to be defined for collection; it is skipped
    BrowserTestCase = ChannelsLiveServerTestCase


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class AlertsAdminBrowserTests(ConsolePages, BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())

    def test_an_admin_adds_a_rule_and_reads_the_incident_it_opens(self):
        self.sign_in("admin@acme.test")
        self.open(reverse("admin:alerts_alertrule_add"))
        self.wait(lambda d: d.find_elements(By.ID, "id_name"), "the rule form")
        self.find("#id_name").send_keys("Approvals pile up")
        Select(self.find("#id_kind")).select_by_value("approvals_waiting")
        threshold = self.find("#id_threshold")
        threshold.clear()
        threshold.send_keys("0")
        self.click('input[name="notify_roles"][value="admin"]')
        self.click('input[name="notify_roles"][value="approver"]')
        self.click('input[name="notify_channels"][value="email"]')
        self.screenshot("alerts-rule-form.png")
        self.click('button[name="_save"]')
        self.wait(lambda d: "Approvals pile up" in d.find_element(By.TAG_NAME, "body").text, "the saved rule")
        rule = AlertRule.objects.get(name="Approvals pile up")
        self.assertEqual((rule.notify_roles, rule.notify_channels), (["admin", "approver"], ["email"]))

        for _ in range(2):
            approval(rule.tenant, requested_at=timezone.now() - timedelta(minutes=20))
        self.assertEqual(evaluate_rules(), {"opened": 1})  # two approvals waiting: above 0
        incident = AlertIncident.objects.get(rule=rule)
        self.open(reverse("admin:alerts_alertincident_changelist") + "?state=open")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#result_list"), "the incidents list")
        self.assertIn("Approvals pile up", self.find("#result_list").text)
        self.screenshot("alerts-incidents.png")
        self.open(reverse("admin:alerts_alertincident_change", args=[incident.pk]))
        # who was told: the admin and the approver (the approver's name shows nowhere else on the page)
        self.wait(lambda d: "Priya Shah" in d.find_element(By.TAG_NAME, "body").text, "who was told")
        self.screenshot("alerts-incident.png")

    def test_an_admin_has_the_incident_posted_on_slack_and_reads_that_it_was(self):
        tenant = User.objects.get(email="admin@acme.test").tenant
        SlackWorkspace.objects.create(tenant=tenant, team_id="T0ACME", bot_token="xoxb-acme", signing_secret="s" * 32)
        slack = FakeSlack().start()
        self.addCleanup(slack.stop)
        self.sign_in("admin@acme.test")
        self.open(reverse("admin:alerts_alertrule_add"))
        self.wait(lambda d: d.find_elements(By.ID, "id_name"), "the rule form")
        self.find("#id_name").send_keys("Approvals pile up on Slack")
        Select(self.find("#id_kind")).select_by_value("approvals_waiting")
        threshold = self.find("#id_threshold")
        threshold.clear()
        threshold.send_keys("0")
        self.click('input[name="notify_channels"][value="slack"]')
        self.find("#id_slack_channel").send_keys("C0ALERTS")
        self.screenshot("alerts-rule-form-slack.png")
        self.click('button[name="_save"]')
        self.wait(lambda d: "Approvals pile up on Slack" in d.find_element(By.TAG_NAME, "body").text, "the saved rule")
        rule = AlertRule.objects.get(name="Approvals pile up on Slack")
        self.assertEqual((rule.notify_channels, rule.slack_channel), (["slack"], "C0ALERTS"))

        approval(tenant, requested_at=timezone.now() - timedelta(minutes=20))
        with override_settings(SLACK_API_BASE_URL=slack.base_url):
            self.assertEqual(evaluate_rules(), {"opened": 1})
        [post] = slack.called("chat.postMessage")
        self.assertEqual(post["channel"], "C0ALERTS")
        self.assertTrue(post["text"].startswith("*Alert: Approvals pile up on Slack*\n"))
        incident = AlertIncident.objects.get(rule=rule)
        self.open(reverse("admin:alerts_alertincident_change", args=[incident.pk]))
        told = incident.notices.values_list("channel", "recipient", "status")
        self.assertEqual(list(told), [("slack", None, "sent")])
        self.wait(lambda d: "Opened · Slack" in d.find_element(By.TAG_NAME, "body").text, "the Slack notice")
        self.screenshot("alerts-incident-slack.png")
