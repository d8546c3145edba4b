"""Two runs of one rule at once, each on its own connection, file one proposal: the second waits for the rule's
row and then finds the campaign cooling down (PostgreSQL: real row locks)."""

from decimal import Decimal

import pytest

from adplatforms.rules.filing import run_rule
from adplatforms.rules.models import RuleFiring
from hitl.models import HITLApproval
from tests.concurrency import at_once
from tests.factories import CampaignFactory
from tests.performance_rules.helpers import NOW, figures, make_rule


@pytest.mark.parametrize("action", [{"action": "pause"}, {"action": "change_budget", "action_value": Decimal("-20")}])
def test_two_runs_of_a_rule_at_once_file_one_proposal(postgres_only, tenant, action):
    figures(CampaignFactory(tenant=tenant, name="Brand", currency="JPY", daily_budget=Decimal("5000")), spend="9000")
    rule = make_rule(tenant, currency="JPY", threshold=Decimal("4000"), **action)

    first, second = at_once(lambda: run_rule(rule.pk, now=NOW), lambda: run_rule(rule.pk, now=NOW))

    assert sorted([len(first.firings), len(second.firings)]) == [0, 1]
    assert first.cooling + second.cooling == 1
    assert HITLApproval.objects.count() == 1
    assert RuleFiring.objects.get().outcome == "filed"
