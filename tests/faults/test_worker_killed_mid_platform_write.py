"""A Celery worker killed (SIGKILL, with its pool processes) during an approved change's write to Meta, which Meta
already holds (issue 46, point 10): the outside tester saw the approval stay "executing" with Walker's old budget.

Once the attempt's lease is over, the read-back sweep (beat's `hitl.tasks.read_back_silent_executions`, run here by
the test every second as beat would every 15 s) reads the campaign from Meta and the approval ends applied, with
Meta's value in Walker, well within a minute; nothing is written twice.
"""

import time
from decimal import Decimal

import pytest
from django.utils import timezone

from adplatforms.models import AdConnection, PlatformCampaign
from adplatforms.simulator.meta import TOKEN, FakeMetaGraph
from agents.models import AIAgent, Campaign
from config.celery import app as celery_app
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.requests import request_approval
from hitl.tasks import read_back_silent_executions
from tests.factories import CampaignFactory, budget_action
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.processes]

TIMEOUT, LEASE = 3, 6  # seconds: AD_PLATFORM_TIMEOUT and PLATFORM_CHANGE_LEASE_SECONDS (production: 30 and 45)


@pytest.fixture
def meta(settings):
    fake = FakeMetaGraph(version=settings.META_GRAPH_API_VERSION).start()
    fake.hang_seconds = 120  # the write is never answered: the worker dies waiting for it
    settings.META_GRAPH_API_URL = fake.url
    settings.AD_PLATFORM_TIMEOUT, settings.PLATFORM_CHANGE_LEASE_SECONDS = TIMEOUT, LEASE
    yield fake
    fake.stop()


def test_a_worker_killed_during_the_meta_write_ends_applied_within_a_minute(
    stack, meta, tenant, requester, approver, monkeypatch
):
    meta.add_account("act_123", currency="USD")
    meta.add_campaign("2001", "Summer Sale", daily_budget=57_200)
    connection = AdConnection.objects.create(
        tenant=tenant, platform="meta", account_id="act_123", currency="USD", access_token=TOKEN
    )
    summer = CampaignFactory(
        tenant=tenant, platform="meta", name="Summer Sale", daily_budget=Decimal("572.00"), currency="USD"
    )
    PlatformCampaign.objects.create(
        tenant=tenant, connection=connection, campaign=summer, external_id="2001", budget_id="2001",
        daily_budget_units=57_200, synced_at=timezone.now(),
    )  # fmt: skip
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    approval = request_approval(
        tenant=tenant, agent=agent, action=budget_action(summer, "600.00"), requested_by=requester
    )
    with monkeypatch.context() as patch:
        patch.setattr(celery_app.tasks["hitl.tasks.execute_approval"], "delay", lambda *args: None)
        approve(approval.pk, actor=approver)  # its execution is sent to the real worker below

    worker = stack.worker(
        META_GRAPH_API_URL=meta.url, AD_PLATFORM_TIMEOUT=str(TIMEOUT), PLATFORM_CHANGE_LEASE_SECONDS=str(LEASE)
    )
    worker.wait_ready()
    meta.fail("applied_then_timeout", method="POST", path="2001", writes_only=True)  # the validation answers
    with celery_app.connection_for_write(stack.redis.url) as broker:
        celery_app.send_task(
            "hitl.tasks.execute_approval", args=[str(approval.pk)], connection=broker, queue="notifications"
        )
    wait_for(lambda: meta.campaigns["2001"]["daily_budget"] == "60000", "Meta to hold the write", timeout=60)
    worker.kill()
    killed_at = time.monotonic()

    silent = HITLApproval.objects.get(pk=approval.pk)
    assert (silent.status, silent.execution_status) == ("executing", "running")
    assert Campaign.objects.get(pk=summer.pk).daily_budget == Decimal("572.00")  # what the tester saw

    def swept():
        read_back_silent_executions()  # as beat runs it
        return HITLApproval.objects.get(pk=approval.pk).status != "executing"

    wait_for(swept, "the sweep to read the change back", timeout=60)
    assert time.monotonic() - killed_at < 60
    done = HITLApproval.objects.get(pk=approval.pk)
    assert (done.status, done.execution_result["after"]["daily_budget"]) == ("executed", "600.00")
    assert done.history.filter(event_type="executed").get().metadata == {"read_back": "applied"}
    assert Campaign.objects.get(pk=summer.pk).daily_budget == Decimal("600.00")  # Meta's value, in Walker
    writes = [r for r in meta.requests_to("2001", "POST") if "execution_options" not in r.params]
    assert len(writes) == 1  # nothing written twice
    assert worker.popen.returncode == -9
