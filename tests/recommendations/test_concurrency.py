"""Two reads of the same recommendations at once, and two runs of one approved apply at once, each on its own
database connection (PostgreSQL: the unique index and hitl's execution claim are what keep them to one)."""

from adplatforms import clients
from adplatforms.recommendations import filing
from adplatforms.recommendations.models import PlatformRecommendation
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.execution import run_execution
from tests.concurrency import at_once
from tests.recommendations.helpers import budget_recommendation, connected


def test_two_reads_of_one_recommendation_at_once_file_one_proposal(postgres_only, google_ads, tenant):
    connection = connected(google_ads, tenant)  # nothing offered yet
    budget_recommendation(google_ads)
    listed = list(clients.client_for(connection).recommendations())

    first, second = at_once(lambda: filing.record(connection, listed), lambda: filing.record(connection, listed))

    assert sorted([first.filed, second.filed]) == [0, 1]
    assert PlatformRecommendation.objects.count() == 1
    assert HITLApproval.objects.count() == 1


def test_two_runs_of_one_approved_recommendation_apply_it_once(
    postgres_only, google_ads, tenant, approver, monkeypatch
):
    monkeypatch.setattr("hitl.services.decisions.queue_execution", lambda approval, **kwargs: [])  # run below
    budget_recommendation(google_ads)
    connected(google_ads, tenant)
    approval = PlatformRecommendation.objects.get().approval
    approve(approval.pk, actor=approver)

    outcomes = at_once(
        lambda: run_execution(approval.pk, max_attempts=5), lambda: run_execution(approval.pk, max_attempts=5)
    )

    assert sorted(outcomes) == ["executed", "skipped"]  # the second found it claimed, or done
    applied = [r for r in google_ads.ads_requests() if r.path.endswith("recommendations:apply")]
    assert len(applied) == 1
    assert HITLApproval.objects.get(pk=approval.pk).status == "executed"
