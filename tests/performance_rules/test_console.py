"""The rules in the console: tenant admins list, add and edit their own (another tenant's rule answers 404, its
campaign is no choice); "Dry run" replays the rule as written without saving it, through the same evaluation as
the real run, so what it says the rule would have fired for is what the rule then files."""

from decimal import Decimal

import pytest
from django.urls import reverse

from adplatforms.rules.filing import run_rule
from adplatforms.rules.models import PerformanceRule
from hitl.models import HITLApproval
from tests.factories import CampaignFactory
from tests.performance_rules.helpers import LAST_DAY, NOW, figures, make_rule

pytestmark = pytest.mark.django_db

ADD = reverse("admin:adplatforms_performancerule_add")
CHANGELIST = reverse("admin:adplatforms_performancerule_changelist")


def form_data(**values) -> dict:
    return {
        "name": "High CPA",
        "enabled": "on",
        "metric": "cpa",
        "comparison": "gt",
        "threshold": "60",
        "currency": "USD",
        "window_days": "7",
        "min_spend": "0",
        "scope": "all",
        "campaign": "",
        "platform": "",
        "action": "pause",
        "action_value": "",
        "schedule": "daily",
        "run_at": "09:00",
        "cooldown_hours": "24",
        "max_per_run": "10",
        **values,
    }


@pytest.fixture
def at_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_a_tenant_admin_adds_a_rule_scheduled_in_the_tenants_zone(console_as, tenant_admin, tenant, at_now):
    response = console_as(tenant_admin).post(ADD, form_data())

    assert response.status_code == 302
    rule = PerformanceRule.objects.get()
    assert rule.tenant == tenant and rule.created_by == tenant_admin
    assert rule.next_run_at.isoformat() == "2026-11-28T08:00:00+00:00"  # 09:00 in Paris tomorrow


def test_the_list_shows_only_the_viewers_tenant_and_another_tenants_rule_is_404(
    console_as, tenant_admin, tenant, other_tenant, django_assert_max_num_queries
):
    make_rule(tenant, name="Ours")
    theirs = make_rule(other_tenant, name="Theirs")
    client = console_as(tenant_admin)

    with django_assert_max_num_queries(12):
        page = client.get(CHANGELIST).content.decode()

    assert "Ours" in page and "Theirs" not in page
    assert "CPA above $60.00 over 7 days" in page
    assert client.get(reverse("admin:adplatforms_performancerule_change", args=[theirs.pk])).status_code == 404


def test_another_tenants_campaign_is_refused_as_an_unknown_choice(console_as, tenant_admin, other_tenant):
    theirs = CampaignFactory(tenant=other_tenant)

    response = console_as(tenant_admin).post(ADD, form_data(scope="campaign", campaign=str(theirs.pk)))

    assert response.status_code == 200 and not PerformanceRule.objects.exists()
    assert "Select a valid choice" in response.context["adminform"].form.errors["campaign"][0]


def test_a_threshold_out_of_range_is_refused_with_its_reason(console_as, tenant_admin):
    response = console_as(tenant_admin).post(ADD, form_data(metric="ctr", threshold="150", currency=""))

    assert response.context["adminform"].form.errors["threshold"] == [
        "The threshold must be from 0 to 100 for this metric."
    ]


def test_a_colleague_who_is_not_an_admin_has_no_rules_page(console_as, colleague):
    assert console_as(colleague).get(CHANGELIST).status_code in (302, 403)


@pytest.mark.parametrize(
    ("currency", "spend", "threshold", "words"),
    [
        ("USD", "180.43", "60", "CPA $90.22 over the last 7 days, above $60.00; spend $1,263"),
        ("JPY", "18043", "6000", "CPA ¥9,022 over the last 7 days, above ¥6,000; spend ¥126,301"),
    ],
)
def test_the_dry_run_saves_nothing_and_matches_what_the_rule_then_files(
    console_as, tenant_admin, tenant, at_now, currency, spend, threshold, words
):
    brand = CampaignFactory(tenant=tenant, name="Brand Search", currency=currency)
    figures(brand, days=14, spend=spend, conversions=2)  # the same CPA on every 7-day window
    CampaignFactory(tenant=tenant, name="Calm", currency=currency)  # no figures: never fires
    rule = form_data(currency=currency, threshold=threshold, cooldown_hours="72")

    response = console_as(tenant_admin).post(ADD, {**rule, "_dry_run": "1", "dry_run_days": "7"})

    assert response.status_code == 200 and not PerformanceRule.objects.exists()
    result = response.context["adminform"].form.dry_run
    assert [(f.day.day, f.campaign) for f in result.firings] == [
        (20, "Brand Search"),
        (23, "Brand Search"),
        (26, "Brand Search"),
    ]
    page = response.content.decode()
    assert "Would have fired 3 times over the last 7 days:" in page
    assert f"26 Nov, Brand Search: {words}" in page

    console_as(tenant_admin).post(ADD, rule)
    (firing,) = run_rule(PerformanceRule.objects.get().pk, now=NOW).firings
    last = result.firings[-1]
    assert (firing.last_day, firing.campaign.name, firing.figures) == (last.day, last.campaign, last.figures)
    assert firing.last_day == LAST_DAY and HITLApproval.objects.get().action_data["campaign_name"] == "Brand Search"


def test_a_dry_run_of_an_invalid_rule_shows_the_errors_and_of_bad_days_says_why(console_as, tenant_admin):
    client = console_as(tenant_admin)

    invalid = client.post(ADD, form_data(threshold="-5", _dry_run="1", dry_run_days="7"))
    bad_days = client.post(ADD, form_data(_dry_run="1", dry_run_days="400"))

    assert "threshold" in invalid.context["adminform"].form.errors and invalid.context["adminform"].form.dry_run is None
    assert bad_days.context["adminform"].form.non_field_errors() == ["A dry run looks at 1 to 90 days."]
    assert not PerformanceRule.objects.exists()


def test_a_dry_run_on_a_saved_rule_changes_nothing(console_as, tenant_admin, tenant, at_now):
    rule = make_rule(tenant, threshold=Decimal("60"))
    url = reverse("admin:adplatforms_performancerule_change", args=[rule.pk])

    response = console_as(tenant_admin).post(url, form_data(threshold="1", _dry_run="1", dry_run_days="30"))

    assert "Would not have fired over the last 30 days." in response.content.decode()
    rule.refresh_from_db()
    assert rule.threshold == Decimal("60")


def test_the_firings_are_a_read_only_record_of_the_viewers_tenant(console_as, tenant_admin, tenant, other_tenant):
    figures(CampaignFactory(tenant=tenant, name="Brand Search"), spend="180.43", conversions=2)
    figures(CampaignFactory(tenant=other_tenant, name="Their Brand"), spend="180.43", conversions=2)
    run_rule(make_rule(tenant).pk, now=NOW)
    run_rule(make_rule(other_tenant).pk, now=NOW)
    client = console_as(tenant_admin)

    page = client.get(reverse("admin:adplatforms_rulefiring_changelist")).content.decode()

    assert "CPA $90.22 over the last 7 days, above $60.00; spend $1,263" in page
    assert "Brand Search" in page and "Their Brand" not in page
    assert client.get(reverse("admin:adplatforms_rulefiring_add")).status_code == 403
