"""The approval email as an approver sees it: its HTML, as sent, rendered by headless Chromium, with a screenshot."""

import tempfile
from decimal import Decimal
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from agents.models import AIAgent
from analytics.models import EmailDeliveryLog
from hitl.services.requests import request_approval
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.test_chat_widget import SCREENSHOTS
from tests.factories import CampaignFactory, HITLWorkflowFactory, budget_action

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():
    from selenium.webdriver.common.by import By

    from tests.browser.test_chat_widget import chromium


def test_the_approval_email_renders_with_its_two_buttons(
    tenant, requester, approver, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "channels_app.email.backend.ProviderEmailBackend"
    settings.EMAIL_CONSOLE_DIR = tmp_path
    HITLWorkflowFactory(tenant=tenant, notification_channels=["email"])
    action = budget_action(CampaignFactory(tenant=tenant, name="Summer Sale"), "700.00", estimated_cost=Decimal("6000"))
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    with django_capture_on_commit_callbacks(execute=True):
        approval = request_approval(tenant=tenant, agent=agent, action=action, requested_by=requester)
    sent = EmailDeliveryLog.objects.get(email_type="approval")
    mime = BytesParser(policy=policy.default).parsebytes((tmp_path / f"{sent.message_id}.eml").read_bytes())
    page = tmp_path / "approval.html"
    page.write_text(mime.get_body(("html",)).get_content())

    with tempfile.TemporaryDirectory() as profile:
        driver = chromium(profile)
        try:
            driver.get(page.as_uri())
            heading = driver.find_element(By.TAG_NAME, "h1")
            assert heading.text == approval.action_summary and heading.is_displayed()
            buttons = {a.text: a for a in driver.find_elements(By.TAG_NAME, "a") if a.text in ("Approve", "Reject")}
            assert set(buttons) == {"Approve", "Reject"}
            for button in buttons.values():
                assert button.is_displayed() and button.size["width"] > 60
                assert "/hitl/decide/" in button.get_attribute("href")
            assert buttons["Approve"].location["y"] == buttons["Reject"].location["y"]  # side by side
            assert f"approve {approval.reference}" in driver.find_element(By.TAG_NAME, "body").text
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = Path(SCREENSHOTS) / "approval_email.png"
            driver.save_screenshot(str(shot))
            assert shot.stat().st_size > 5000
        finally:
            driver.quit()
