"""The admin console in a real browser: masked monitoring, a recorded reveal, approving from the queue.

Every person signs in through the real sign-in form (/admin/login/ sends to it) with the demo password.
The browser only talks to the live daphne server on 127.0.0.1. The approved
action runs inside that server process (forked from this one), so Celery's eager
mode is switched on before the fork; the test reads the outcome from the shared
database file.
"""

import io
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from agents.models import Campaign
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from tenants.models import AccessLog, Tenant, User
from tests.browser.accessibility import AccessibilityChecks, violations
from tests.browser.conftest import CHROMEDRIVER, CONSOLE_OPEN, PAGES_AND_FORMS
from tests.pipeline import exchange

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():  # imported here so a machine without the driver still collects the module
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.test_chat_widget import PAGE_CHANGES, SCREENSHOTS, WAIT_SECONDS, BrowserTestCase
else:  # the class below still has to be defined for collection; it is skipped
    SCREENSHOTS, WAIT_SECONDS, BrowserTestCase = None, 20, ChannelsLiveServerTestCase

PASSWORD = "walker-demo"  # seed_demo's default
MEMBER_PHONE = "+14155550105"  # member@acme.test
PII_TEXT = "Call me on +1 415 555 0142 or priya.shah@acme.test"
BUDGET_TEXT = "Raise the Summer Sale budget to $700 a day"
PHONE_SHOWN, PHONE_DIGITS, PHONE_MASKED = "+1 415 555 0142", "415 555 0142", "[phone]"


# tests/conftest.py makes every test hash passwords with MD5, seed_demo's users included; the server
# process is forked in setUpClass, before that per-test setting, so it is given the same hasher here
# (a class override is in force before the fork), or no password would check out in the login form.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class AdminConsoleBrowserTests(AccessibilityChecks, BrowserTestCase):
    record_sockets = True  # window.__walkerSockets: a test can hand the page frames

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())

    # --- helpers -------------------------------------------------------------------------

    def url(self, path):
        return f"{self.live_server_url}{path}"

    def path(self):
        return urlsplit(self.driver.current_url).path

    def wait(self, condition, what):
        try:
            return WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.2, ignored_exceptions=PAGE_CHANGES).until(
                condition
            )
        except TimeoutException:
            body = self.driver.find_elements(By.TAG_NAME, "body")
            self.fail(
                f"waited {WAIT_SECONDS} s for {what}\nat {self.driver.current_url}\n"
                f"page text: {body[0].text[:2000] if body else '(no body)'}"
            )

    def find(self, testid):
        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def find_all(self, testid):
        return self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def body_text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def log_in(self, email):
        """Through the real login form, as a person would; lands on their own work (the console's first page)."""
        self.driver.delete_all_cookies()
        self.driver.get(self.url("/admin/login/?next=/admin/"))
        self.driver.find_element(By.ID, "id_login").send_keys(email)
        self.driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, '#login-form button[type="submit"]').click()
        self.wait(lambda d: self.path() == "/admin/", f"{email} to be signed in and on /admin/")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="my-work"]'), "their own work")

    def screenshot(self, name):
        """The whole page: the window grows to the content's height (up to 4000 px), then is put back."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight,"
            " ...Array.from(document.querySelectorAll('#main, main, [id=content]'), e => e.scrollHeight))"
        )
        size = self.driver.get_window_size()
        self.driver.set_window_size(size["width"], min(max(height + 120, size["height"]), 4000))
        try:
            self.driver.save_screenshot(str(SCREENSHOTS / name))
        finally:
            self.driver.set_window_size(size["width"], size["height"])

    def whatsapp_from_member(self, text):
        return exchange(InboundMessage(channel="whatsapp", text=text, sender_phone=MEMBER_PHONE))

    def open_conversation(self, conversation):
        """From the monitoring list, by clicking the conversation's link."""
        self.driver.get(self.url(reverse("admin:conversations_conversation_changelist")))
        change = reverse("admin:conversations_conversation_change", args=[conversation.pk])
        self.driver.find_element(By.CSS_SELECTOR, f'#result_list a[href="{change}"]').click()
        self.wait(lambda d: self.path() == change, "the conversation page")
        self.wait(lambda d: self.find_all("pii-panel"), "the personal-data panel")

    # --- tests ---------------------------------------------------------------------------

    def test_support_sees_the_phone_number_masked_and_cannot_reveal_it(self):
        conversation = self.whatsapp_from_member(PII_TEXT).conversation
        self.log_in("support@acme.test")
        self.open_conversation(conversation)

        text = self.body_text()
        self.assertIn(PHONE_MASKED, text)
        self.assertIn("[email]", text)
        self.assertNotIn(PHONE_DIGITS, self.driver.page_source)
        self.assertNotIn("priya.shah@acme.test", self.driver.page_source)
        self.assertEqual(self.find("personal-person").text, "m•••@acme.test")
        self.assertNotIn("member@acme.test", self.find("pii-panel").text)
        self.assertEqual(self.find_all("show-pii"), [])
        self.assertNotIn("Show full PII", text)
        self.assertIn("Personal data is masked for your role.", text)
        self.screenshot("admin-conversation-masked.png")
        self.assert_accessible("the conversation page, masked")

        (record,) = AccessLog.objects.filter(object_id=str(conversation.pk))
        self.assertEqual(
            (record.actor.email, record.action, record.sensitivity), ("support@acme.test", "viewed", "normal")
        )

        self.use_dark_theme()  # unfold follows the system's theme: the dark one passes too
        self.driver.refresh()
        self.wait(lambda d: self.find_all("pii-panel"), "the personal-data panel")
        self.screenshot("admin-conversation-masked-dark.png")
        self.assert_accessible("the conversation page, masked, dark theme")

    def test_support_does_not_see_the_persons_email_anywhere_on_the_page(self):
        conversation = self.whatsapp_from_member(PII_TEXT).conversation
        self.log_in("support@acme.test")
        self.open_conversation(conversation)
        self.assertEqual(self.find("personal-person").text, "m•••@acme.test")
        self.assertNotIn("member@acme.test", self.driver.page_source)

    def test_compliance_reveals_the_phone_number_and_the_reveal_is_in_the_access_log(self):
        conversation = self.whatsapp_from_member(PII_TEXT).conversation
        compliance = User.objects.get(email="compliance@acme.test")
        self.log_in(compliance.email)
        self.open_conversation(conversation)
        self.assertIn(PHONE_MASKED, self.body_text())
        self.assertNotIn(PHONE_DIGITS, self.driver.page_source)

        self.find("pii-reason").send_keys("Customer asked for a copy of the chat")
        self.find("show-pii").click()
        self.wait(lambda d: PHONE_SHOWN in self.body_text(), f"{PHONE_SHOWN} on the page")
        self.assertNotIn("Customer", self.driver.current_url)  # the reason was posted, not put in the address
        self.assertIn("priya.shah@acme.test", self.body_text())
        self.assertEqual(self.find("personal-person").text, "member@acme.test")
        self.assertIn("this view is recorded in the access log", self.body_text())
        self.assert_accessible("the conversation page, revealed")

        record = AccessLog.objects.get(action=AccessLog.Action.PII_ACCESSED)
        self.assertEqual(
            (record.actor, record.sensitivity, record.object_type, record.object_id, record.tenant_id),
            (compliance, "high", "conversations.conversation", str(conversation.pk), conversation.tenant_id),
        )
        self.assertNotIn("Customer", record.path)
        self.assertEqual(record.reason, "Customer asked for a copy of the chat")

        self.driver.refresh()  # a reload shows the page masked: the reveal was for one showing
        self.wait(lambda d: "masked again" in self.body_text(), "the page masked again")
        self.assertNotIn(PHONE_DIGITS, self.driver.page_source)
        self.assertEqual(AccessLog.objects.filter(action=AccessLog.Action.PII_ACCESSED).count(), 1)

        self.driver.get(self.url(reverse("admin:tenants_accesslog_changelist")))
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#result_list tbody tr"), "the access log's rows")
        rows = [r.text for r in self.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")]
        reveals = [r for r in rows if "Revealed personal data" in r]
        self.assertEqual(len(reveals), 1, rows)
        self.assertIn(compliance.get_full_name(), reveals[0])  # the reader by name: the log holds no address
        self.assertIn("High", reveals[0])
        self.assertEqual(rows[1], reveals[0])  # newest first: the reload's masked view, then the reveal
        self.assertTrue("Viewed" in rows[0] and "Normal" in rows[0], rows)
        self.assertTrue(any("Viewed" in r and "Normal" in r for r in rows[2:]), rows)  # the masked view before it

    def test_an_approver_approves_from_the_queue_and_the_budget_changes(self):
        result = self.whatsapp_from_member(BUDGET_TEXT)
        (outcome,) = result.actions
        self.assertEqual(outcome.status, "pending")
        reference = outcome.reference
        self.assertRegex(reference, r"^BR-\d+$")
        campaign = Campaign.objects.get(tenant__slug="acme-outdoor", name="Summer Sale")
        self.assertEqual(campaign.daily_budget, Decimal("500.00"))

        self.log_in("approver@acme.test")
        self.driver.get(self.url(reverse("admin:hitl_hitlapproval_changelist")))
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#result_list tbody tr"), "the queue's rows")
        (row,) = [r for r in self.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr") if reference in r.text]
        self.assertIn("pending", row.text.lower())
        self.assertIn("Summer Sale", row.text)
        self.screenshot("admin-queue.png")
        self.assert_accessible("the approval queue")

        row.find_element(By.LINK_TEXT, reference).click()
        approval = HITLApproval.objects.get(reference=reference)
        self.wait(
            lambda d: self.path() == reverse("admin:hitl_hitlapproval_change", args=[approval.pk]), "the approval page"
        )
        panel = self.wait(lambda d: self.find_all("approval-panel"), "the decision panel")[0]
        self.assertIn("What the agent wants to do", panel.text)
        self.assertIn("$500.00", panel.text)
        self.assertIn("$700.00", panel.text)
        self.screenshot("admin-approval.png")
        self.assert_accessible("the approval page")

        self.find("approve").click()
        self.wait(lambda d: f"{reference} approved." in self.body_text(), "the success message")
        deadline = time.monotonic() + WAIT_SECONDS  # the action ran in the server before its redirect; allow a moment
        while HITLApproval.objects.get(pk=approval.pk).status != "executed" and time.monotonic() < deadline:
            time.sleep(0.2)
        approval.refresh_from_db()
        self.assertEqual(approval.status, "executed")
        self.assertEqual(approval.approved_by.email, "approver@acme.test")
        campaign.refresh_from_db()
        self.assertEqual(campaign.daily_budget, Decimal("700.00"))
        self.assertEqual(self.find_all("approve"), [])  # decided: no buttons left

    def test_an_approvals_page_fetches_itself_once_for_events_that_come_together(self):
        """An approved request's events come in twos (approved, its run started): one fetch of the page for both,
        not one each (a full page's render on a busy server). The frames are handed to the page's own socket: the
        request stays pending, so the server sends none of its own."""
        reference = self.whatsapp_from_member(BUDGET_TEXT).actions[0].reference
        approval = HITLApproval.objects.get(reference=reference)
        self.log_in("approver@acme.test")
        self.driver.get(self.url(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])))
        self.wait(lambda d: d.execute_script(CONSOLE_OPEN), "the console socket")
        self.driver.execute_script(
            "window.__pageFetches = 0; var native = window.fetch;"
            "window.fetch = function (url, options) { if (String(url) === location.href) window.__pageFetches++;"
            " return native(url, options); };"
        )
        frame = {"type": "approval", "approval_id": str(approval.pk), "reference": reference, "waiting": 1}
        together = [
            {**frame, "label": "Approved", "status_label": "Approved", "missed": True},
            {**frame, "label": "Execution started", "status_label": "Executing", "missed": True},
        ]
        self.driver.execute_script(
            "var socket = window.__walkerSockets.find(ws => new URL(ws.url).pathname === '/ws/console/');"
            "arguments[0].forEach(frame => socket.onmessage({data: JSON.stringify(frame)}));",
            together,
        )
        self.wait(lambda d: d.execute_script("return window.__pageFetches") >= 1, "the page to fetch itself")
        time.sleep(0.5)  # five times the script's burst window: a second fetch would be under way by now
        self.assertEqual(self.driver.execute_script("return window.__pageFetches"), 1)

    def test_the_queue_is_an_inbox_with_a_count_a_live_countdown_and_a_confirmed_bulk_approval(self):
        asks = [BUDGET_TEXT, "Raise the Fall Hiking Boots budget to $400 a day"]
        references = [self.whatsapp_from_member(text).actions[0].reference for text in asks]
        self.log_in("approver@acme.test")
        queue = reverse("admin:hitl_hitlapproval_changelist")
        badge = self.driver.find_element(By.CSS_SELECTOR, f'#nav-sidebar-apps a[href="{queue}"]')
        self.assertRegex(badge.text, rf"\b{len(references)}\b")  # the sidebar counts what waits for me

        badge.click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#result_list tbody tr"), "the inbox's rows")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
        self.assertEqual(len(rows), len(references))
        self.assertIn("Waiting for me", self.body_text())
        sla = self.find_all("sla")[0]
        self.assertRegex(sla.text, r"min left$")
        # The countdown reads the ISO deadline: move it and let the page tick.
        self.driver.execute_script(
            "arguments[0].setAttribute('data-sla-deadline', new Date(Date.now() + 90.5 * 60000).toISOString());"
            "window.WalkerSla.tick();",
            sla,
        )
        self.assertEqual(sla.text, "1 h 30 min left")
        self.driver.execute_script(
            "arguments[0].setAttribute('data-sla-deadline', new Date(Date.now() - 1000).toISOString());"
            "window.WalkerSla.tick();",
            sla,
        )
        self.assertEqual(sla.text, "due now")
        self.screenshot("admin-inbox.png")

        for box in self.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody input.action-select"):
            box.click()
        self.driver.execute_script(
            "var s = document.querySelector('select[name=action]'); s.value = 'approve_selected';"
            "s.dispatchEvent(new Event('change', {bubbles: true})); s.form.submit();"
        )
        confirm = self.wait(lambda d: self.find_all("approve-confirm"), "the confirmation page")[0]
        for reference in references:
            self.assertIn(reference, confirm.text)
        self.assertEqual(set(HITLApproval.objects.filter(reference__in=references).values_list("status", flat=True)),
                         {"pending"})  # fmt: skip
        self.driver.find_element(By.ID, "notes").send_keys("Both agreed with finance")
        self.screenshot("admin-bulk-approve-confirm.png")
        confirm.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        self.wait(lambda d: "2 approvals approved." in self.body_text(), "the success message")
        self.wait(lambda d: "Nothing is waiting for your decision" in self.body_text(), "the empty inbox")
        self.screenshot("admin-inbox-empty.png")

    def test_the_dashboard_for_the_tenant_admin(self):
        self.whatsapp_from_member(PII_TEXT)
        self.whatsapp_from_member(BUDGET_TEXT)
        self.log_in("admin@acme.test")
        self.driver.find_element(By.CSS_SELECTOR, '#nav-sidebar-apps a[href="/admin/dashboard/"]').click()  # Reports
        dashboard = self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-live="dashboard"]'), "the dashboard")[0]
        self.assertIn("Acme Outdoor", dashboard.text)
        self.assertEqual(self.driver.find_element(By.CSS_SELECTOR, '[data-kpi="pending"]').text, "1")
        self.assertIn("Pending approvals", dashboard.text)
        self.screenshot("admin-dashboard.png")

    def test_every_secret_field_is_a_box_sized_like_the_fields_around_it(self):
        """Tokens, keys and client secrets were strips 20 px high with no border on a transparent background: a
        label and help text with no box to type in (issue 50). Each is measured against the page's first text
        field; the warehouse's service account key is a text area (a JSON document), taller than that field."""
        self.log_in("admin@acme.test")
        tenant = Tenant.objects.get(slug="acme-outdoor")
        pages = [
            "/admin/channels_app/slackworkspace/add/",
            "/admin/adplatforms/adconnection/add/",
            "/admin/agents/enginechoice/add/",
            "/admin/tenants/identityprovider/add/",
            reverse("admin:tenants_tenant_change", args=[tenant.pk]),
            reverse("admin:warehouse_warehousedestination_add"),
        ]
        secrets = 'form input[type="password"], form textarea[name="service_account_key"]'
        measure = f"""
            const box = e => {{ const r = e.getBoundingClientRect(), c = getComputedStyle(e);
              return {{name: e.name, tag: e.tagName, width: r.width, height: r.height,
                       border: parseFloat(c.borderTopWidth)}}; }};
            const text = document.querySelector('form input[type="text"]');
            return {{text: box(text), secrets: [...document.querySelectorAll('{secrets}')].map(box)}};
        """
        for page in pages:
            self.driver.get(self.url(page))
            self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, secrets), f"{page}'s secrets")
            found = self.driver.execute_script(measure)
            text = found["text"]
            for secret in found["secrets"]:
                self.assertGreaterEqual(secret["border"], 1, f"{page} {secret}")
                if secret["tag"] == "TEXTAREA":
                    self.assertGreater(secret["height"], 2 * text["height"], f"{page} {secret} vs {text}")
                else:
                    self.assertAlmostEqual(secret["height"], text["height"], delta=2, msg=f"{page} {secret} vs {text}")
                self.assertGreaterEqual(secret["width"], 0.9 * text["width"], f"{page} {secret} vs {text}")
        self.screenshot("secret-fields-tenant.png")

    def test_the_accessibility_check_finds_the_old_muted_text(self):
        """The check can fail: text at the old muted colour (3.58:1 on white) is a colour-contrast violation."""
        self.driver.get(
            "data:text/html,<html lang=en><title>t</title><main><p style='color:%23808893'>Due soon</p></main>"
        )
        found = violations(self.driver)
        self.assertEqual([v["id"] for v in found], ["color-contrast"], found)
        self.assertIn("3.58", found[0]["nodes"][0]["failureSummary"])
