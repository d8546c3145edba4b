"""An executed change of a synced campaign: its figures of the days before and after, and whether it held."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from hitl.models import HITLApproval
from hitl.payoff import measure, measure_one
from hitl.payoff.measure import Hold
from hitl.payoff.words import shown
from tests.factories import CampaignFactory
from tests.payoff.conftest import NOW, PARIS, executed, figures, outside, paris, synced

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"), timezone.override(PARIS):  # the middleware activates the tenant's zone
        yield


def test_a_dollar_change_that_held_with_its_week_before_and_after(tenant):
    campaign = synced(tenant)
    figures(campaign, date(2026, 10, 29), date(2026, 11, 4), spend="100.00", conversions=4, revenue="400.00")
    figures(campaign, date(2026, 11, 5), date(2026, 11, 5), spend="9999.00", conversions=99, revenue="1.00")
    figures(campaign, date(2026, 11, 6), date(2026, 11, 12), spend="150.00", conversions=6, revenue="500.00")
    change = executed(campaign, paris(2026, 11, 5, 10))

    payoff = measure_one(change, now=NOW)

    assert (payoff.before_window.first, payoff.before_window.last) == (date(2026, 10, 29), date(2026, 11, 4))
    assert (payoff.after_window.first, payoff.after_window.last) == (date(2026, 11, 6), date(2026, 11, 12))
    assert (payoff.before.spend, payoff.before.conversions, payoff.before.value) == (
        Decimal("700"),
        28,
        Decimal("2800"),
    )
    assert (payoff.after.spend, payoff.after.conversions, payoff.after.value) == (Decimal("1050"), 42, Decimal("3500"))
    assert payoff.before.cpa == Decimal("25") and payoff.after.cpa == Decimal("25")
    assert payoff.before.roas == Decimal("4") and payoff.complete and payoff.hold == Hold.HELD and payoff.held

    words = shown(payoff)
    assert words["rows"] == [
        ("Spend", "$700.00", "$1,050.00"),
        ("Conversions", "28", "42"),
        ("Conversion value", "$2,800.00", "$3,500.00"),
        ("CPA", "$25.00", "$25.00"),
        ("ROAS", "4.00", "3.33"),
    ]
    assert (words["before_heading"], words["after_heading"]) == ("7 days before", "7 days after")
    assert words["held"] == "Held: nothing reverted or changed it within 7 days."
    assert "Nov. 5, 2026" in words["span"]


def test_yen_are_whole(tenant):
    campaign = synced(tenant, "Tokyo Launch", currency="JPY", platform="meta", budget="5000")
    figures(campaign, date(2026, 10, 29), date(2026, 11, 4), spend="10000", conversions=3, revenue="45000")
    change = executed(campaign, paris(2026, 11, 5, 10), before="5000", after="6000")

    words = shown(measure_one(change, now=NOW))

    assert words["rows"][0] == ("Spend", "¥70,000", "—")
    assert words["rows"][3] == ("CPA", "¥3,333", "—")  # 70,000 / 21, no yen fractions
    assert words["rows"][2] == ("Conversion value", "¥315,000", "—")


def test_an_after_window_still_running_says_how_many_days_so_far(tenant):
    campaign = synced(tenant)
    figures(campaign, date(2026, 11, 9), date(2026, 11, 20), spend="100.00")  # today's partial day too
    change = executed(campaign, paris(2026, 11, 16, 10))  # after: 17 to 23 Nov; yesterday is the 19th

    payoff = measure_one(change, now=NOW)

    assert payoff.days_so_far == 3 and not payoff.complete
    assert payoff.after.spend == Decimal("300") and payoff.after.days == 3  # the 20th, still running, is not read
    assert payoff.hold == Hold.HOLDING and payoff.held is None
    words = shown(payoff)
    assert words["after_heading"] == "After: 3 of 7 days so far"
    assert words["held"] == "Holding so far: nothing has changed it in 4 of 7 days."


def test_a_change_run_today_has_no_day_after_yet(tenant):
    campaign = synced(tenant)
    figures(campaign, date(2026, 11, 13), date(2026, 11, 19))
    payoff = measure_one(executed(campaign, paris(2026, 11, 20, 9)), now=NOW)
    assert payoff.days_so_far == 0 and payoff.after is None and payoff.before.days == 7
    assert shown(payoff)["rows"][0] == ("Spend", "$700.00", "—")


def test_reverted_outside_walker_within_seven_days_says_by_whom(tenant):
    campaign = synced(tenant)
    change = executed(campaign, paris(2026, 11, 5, 10), before="500.00", after="600.00")
    outside(campaign, paris(2026, 11, 7, 16, 30), before="600.00", after="500.00", actor="pat@acme.test", tool="Web")

    payoff = measure_one(change, now=NOW)

    assert payoff.hold == Hold.REVERTED and payoff.held is False and not payoff.change.by_walker
    assert shown(payoff)["held"] == (
        "Did not hold: reverted outside Walker on Nov. 7, 2026, 4:30 p.m. by pat@acme.test through Web, "
        "$600.00 → $500.00."
    )


def test_changed_again_by_walker_names_the_later_approval(tenant):
    campaign = synced(tenant)
    first = executed(campaign, paris(2026, 11, 5, 10), before="500.00", after="600.00")
    second = executed(campaign, paris(2026, 11, 8, 9), before="600.00", after="800.00")

    found = measure(tenant, [first, second], now=NOW)

    assert found[first.pk].hold == Hold.CHANGED_AGAIN and found[first.pk].change.by_walker
    assert shown(found[first.pk])["held"] == (
        f"Did not hold: changed again by Walker on Nov. 8, 2026, 9 a.m. (approval {second.reference}), "
        "$600.00 → $800.00."
    )
    assert found[second.pk].hold == Hold.HELD  # nothing after it for a week


def test_reverted_by_walker(tenant):
    campaign = synced(tenant)
    first = executed(campaign, paris(2026, 11, 5, 10), before="500.00", after="600.00")
    executed(campaign, paris(2026, 11, 6, 10), before="600.00", after="500.00")
    payoff = measure_one(first, now=NOW)
    assert payoff.hold == Hold.REVERTED and payoff.change.by_walker
    assert shown(payoff)["held"].startswith("Did not hold: reverted by Walker on Nov. 6, 2026")


def test_a_change_after_seven_days_or_of_another_field_does_not_undo_it(tenant):
    campaign = synced(tenant)
    change = executed(campaign, paris(2026, 11, 5, 10), action_type="pause_campaign", before="active", after="paused")
    outside(campaign, paris(2026, 11, 6, 10), before="500.00", after="900.00")  # the budget, not the status
    outside(campaign, paris(2026, 11, 12, 10, 1), kind="status", before="paused", after="active")  # past 7 days
    assert measure_one(change, now=NOW).hold == Hold.HELD


def test_a_status_reverted_outside_is_told_in_words(tenant):
    campaign = synced(tenant)
    change = executed(campaign, paris(2026, 11, 5, 10), action_type="pause_campaign", before="active", after="paused")
    outside(campaign, paris(2026, 11, 6, 10), kind="status", before="paused", after="active", actor="", tool="")
    assert shown(measure_one(change, now=NOW))["held"] == (
        "Did not hold: reverted outside Walker on Nov. 6, 2026, 10 a.m. by someone through the platform, "
        "Paused → Active."
    )


def test_no_figures_at_all(tenant):
    change = executed(synced(tenant), paris(2026, 11, 5, 10))
    payoff = measure_one(change, now=NOW)
    assert payoff.before is None and payoff.after is None and not payoff.has_figures
    words = shown(payoff)
    assert words["rows"] == []
    assert words["no_figures"] == "No figures were synced for Brand Search in the 7 days before or after this change."


def test_no_conversions_or_no_spend_is_no_cpa_or_roas(tenant):
    campaign = synced(tenant)
    figures(campaign, date(2026, 10, 29), date(2026, 11, 4), spend="100.00", conversions=0, revenue="0")
    figures(campaign, date(2026, 11, 6), date(2026, 11, 12), spend="0", conversions=0, revenue="0")
    payoff = measure_one(executed(campaign, paris(2026, 11, 5, 10)), now=NOW)
    assert payoff.before.cpa is None and payoff.after.roas is None
    rows = dict((name, (before, after)) for name, before, after in shown(payoff)["rows"])
    assert rows["CPA"] == ("—", "—") and rows["ROAS"] == ("0.00", "—")


def test_only_executed_changes_of_synced_campaigns_are_measured(tenant):
    kept = CampaignFactory(tenant=tenant, name="Kept by hand")  # never synced
    assert measure_one(executed(kept, paris(2026, 11, 5, 10)), now=NOW) is None
    campaign = synced(tenant)
    change = executed(campaign, paris(2026, 11, 5, 10))
    HITLApproval.objects.filter(pk=change.pk).update(status="failed")
    assert measure_one(HITLApproval.objects.get(pk=change.pk), now=NOW) is None


def test_days_are_bounded(tenant):
    change = executed(synced(tenant), paris(2026, 11, 5, 10))
    with pytest.raises(ValueError, match="days must be 1 to 90"):
        measure_one(change, days=0, now=NOW)
    assert measure_one(change, days=3, now=NOW).before_window.first == date(2026, 11, 2)


def test_queries_do_not_grow_with_the_changes(tenant, django_assert_num_queries):
    """The campaigns, their figures, the executor's records, Walker's later changes, those made outside Walker, and
    the later approvals' references: six queries for one change or twenty."""
    campaigns = [synced(tenant, f"Campaign {n}") for n in range(20)]
    changes = [executed(c, paris(2026, 11, 5, 10) + timedelta(hours=n)) for n, c in enumerate(campaigns)]
    executed(campaigns[0], paris(2026, 11, 7, 10), before="600.00", after="500.00")  # reverted by Walker
    for n, c in enumerate(campaigns[1:], start=1):
        outside(c, paris(2026, 11, 6, 10) + timedelta(hours=n), before="600.00", after="500.00")
    figures(campaigns[0], date(2026, 11, 4), date(2026, 11, 4))
    with django_assert_num_queries(6):
        assert measure(tenant, changes[:1], now=NOW)[changes[0].pk].hold == Hold.REVERTED
    with django_assert_num_queries(6):
        assert {p.hold for p in measure(tenant, changes, now=NOW).values()} == {Hold.REVERTED}
