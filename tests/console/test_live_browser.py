"""walker-live.js in a real browser: the dashboard, the first page, the approvals list and an approval's page, live.

The approval is filed in the live daphne server (the in-memory channel layer lives
there) by a member chatting over the chat socket, as the chat widget would.
"""

import io
import json

import pytest
import websocket
from django.core.management import call_command

from channels_app.chat.verify import issue
from hitl.models import HITLApproval
from tenants.models import User
from tests.browser import test_chat_widget as chat
from tests.browser.conftest import CHROMEDRIVER, CONSOLE_OPEN, LIVE_PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    LIVE_PAGES,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

DASHBOARD = '[data-live="dashboard"]'
MY_WORK = '[data-live="my-work"]'


class LiveConsoleBrowserTests(chat.BrowserTestCase):
    record_sockets = True
    sign_in = chat.ChatWidgetBrowserTests.sign_in
    script = chat.ChatWidgetBrowserTests.script
    wait = chat.ChatWidgetBrowserTests.wait
    screenshot = chat.ChatWidgetBrowserTests.screenshot
    approve_through_the_server = chat.ChatWidgetBrowserTests.approve_through_the_server

    def ask_for_a_budget_change_as(self, member, amount, *, instead=False) -> str:
        """Chat with the agents in the server process; returns the new approval's reference. `instead`: the member
        says it replaces their own waiting request (else they are asked first: conversations.pipeline.held)."""
        url = self.live_server_url.replace("http://", "ws://") + f"/ws/chat/?token={issue(member).token}"
        socket = websocket.create_connection(url, timeout=chat.WAIT_SECONDS)
        said = " instead" if instead else ""
        try:
            socket.send(
                json.dumps({"type": "send_message", "message": f"Raise the Summer Sale budget to {amount} a day{said}"})
            )
            while (frame := json.loads(socket.recv()))["type"] != "agent_response":
                pass
        finally:
            socket.close()
        return frame["actions"][0]["reference"]

    def open_live(self, path):
        self.driver.get(f"{self.live_server_url}{path}")
        self.script("window.__notReloaded = true")
        self.wait(lambda d: self.script(CONSOLE_OPEN), "the console socket to open")

    def assert_not_reloaded(self):
        self.assertTrue(self.script("return window.__notReloaded === true"), "the page was reloaded")

    def test_an_approver_follows_approvals_live_on_the_dashboard_the_first_page_the_list_and_an_approval_page(self):
        # One test, not three: the server process caches content types, which a flush between tests renumbers.
        call_command("seed_demo", stdout=io.StringIO())
        approver, member = User.objects.get(email="approver@acme.test"), User.objects.get(email="member@acme.test")
        self.sign_in(approver)

        self.open_live("/admin/dashboard/")
        self.script(f"window.__dashboard = document.querySelector('{DASHBOARD}')")
        today = f"return document.querySelector('{DASHBOARD} [data-kpi=\"today\"]').textContent.trim()"
        requested_today = int(self.script(today))
        self.ask_for_a_budget_change_as(member, "$700")
        self.wait(
            lambda d: self.script(f"return document.querySelector('{DASHBOARD}') !== window.__dashboard"),
            "the dashboard to be swapped for a fresh one",
        )
        # Its figures are read through the cache, refreshed by the approval's history row before the consoles hear.
        self.assertEqual(int(self.script(today)), requested_today + 1)
        self.wait(  # the fresh dashboard's Chart.js charts (now with the approval's risk level) drawn and linked
            lambda d: self.script(
                f"const boxes = document.querySelectorAll('{DASHBOARD} [data-drill]');"
                " return boxes.length >= 2 && Array.from(boxes).every("
                "b => b.dataset.drillReady === '1' && Chart.getChart(b.querySelector('canvas')))"
            ),
            "the swapped dashboard's charts drawn",
        )
        self.assert_not_reloaded()

        self.open_live("/admin/")  # the first page: the approver's own work, fresh on the event
        reference = self.ask_for_a_budget_change_as(member, "$750", instead=True)
        self.wait(
            lambda d: reference in d.find_element("css selector", MY_WORK + ' [data-testid="waiting-approvals"]').text,
            f"{reference} among the approvals waiting for the approver",
        )
        self.assert_not_reloaded()

        self.open_live("/admin/hitl/hitlapproval/")
        toasts = self.driver.find_element("id", "walker-live-toasts")
        self.assertEqual((toasts.get_attribute("role"), toasts.get_attribute("aria-live")), ("status", "polite"))
        reference = self.ask_for_a_budget_change_as(member, "$800", instead=True)
        self.wait(lambda d: reference in toasts.text, f"a toast about {reference}")
        row = self.wait(
            lambda d: next(
                (r for r in d.find_elements("css selector", "#result_list tr") if reference in r.text), None
            ),
            f"the row of {reference} in the list",
        )
        self.assertIn("walker-live-flash", row.get_attribute("class"))
        self.screenshot("console-live-new-approval.png")
        row.find_element("css selector", "input.action-select").click()  # the list's actions still work
        # The $800 request superseded the $700 one (one request per campaign waits): the inbox lists one.
        self.wait(lambda d: "1 of 1 selected" in d.find_element("css selector", "span.action-counter").text, "counter")
        self.assert_not_reloaded()

        approval = HITLApproval.objects.get(reference=reference)
        self.open_live(f"/admin/hitl/hitlapproval/{approval.pk}/change/")
        self.approve_through_the_server(approval.pk, approver)
        banner = self.wait(lambda d: d.find_elements("id", "walker-live-banner"), "the 'approval changed' banner")[0]
        # The decision is announced at once; "executed" follows once hitl.console is wired to the decisions.
        self.assertRegex(banner.text, r"^This approval changed \(now (Approved|Executed)\) — reload to see it")
        self.assertEqual(banner.get_attribute("role"), "alert")
        self.assert_not_reloaded()
        banner.find_element("tag name", "button").click()
        self.wait(lambda d: not self.script("return window.__notReloaded"), "the reload")
        self.assertEqual(self.driver.find_elements("id", "walker-live-banner"), [])
