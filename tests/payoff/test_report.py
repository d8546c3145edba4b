"""The report: per agent, rule, approver and action type, in the API and its CSV export."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from hitl.models import HITLApproval, HITLApprovalHistory, HITLDecision
from tests.factories import HITLApprovalFactory
from tests.payoff.conftest import NOW, executed, figures, outside, paris, synced

NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def decided(row, person, verdict="approve"):
    HITLDecision.objects.create(
        tenant_id=row.tenant_id, approval=row, level=1, approver=person, decision=verdict, via="admin"
    )


def asked(tenant, at, *, status, action_type="pause_campaign", **fields):
    row = HITLApprovalFactory(tenant=tenant, action_type=action_type, **fields)
    updates = {"status": status, "requested_at": at}
    if status == "rejected":
        updates |= {"rejected_at": at + timedelta(minutes=5), "resolved_at": at + timedelta(minutes=5)}
    HITLApproval.objects.filter(pk=row.pk).update(**updates)
    return row


@pytest.fixture
def month(tenant, approver, second_approver):
    """A dollar change that held and a yen one, edited, reverted outside Walker; a rule's pause rejected, another
    expired; one waiting."""
    dollars = synced(tenant, "Brand Search")
    figures(dollars, date(2026, 10, 29), date(2026, 11, 4), spend="100.00", conversions=4, revenue="400.00")
    figures(dollars, date(2026, 11, 6), date(2026, 11, 12), spend="150.00", conversions=6, revenue="500.00")
    held = executed(dollars, paris(2026, 11, 5, 10))
    decided(held, approver)
    yen = synced(tenant, "Tokyo Launch", currency="JPY", platform="meta", budget="5000")
    figures(yen, date(2026, 10, 29), date(2026, 11, 4), spend="10000", conversions=3, revenue="45000")
    figures(yen, date(2026, 11, 6), date(2026, 11, 12), spend="12000", conversions=3, revenue="40000")
    reverted = executed(yen, paris(2026, 11, 5, 11), before="5000", after="6000")
    HITLApprovalHistory.objects.create(
        tenant=tenant, approval=reverted, event_type="edited", description="Daily budget ¥7,000 → ¥6,000"
    )
    decided(reverted, second_approver)
    outside(yen, paris(2026, 11, 7, 9), before="6000", after="5000")
    rejected = asked(tenant, paris(2026, 11, 10, 9), status="rejected", requested_by_rule="High CPA")
    decided(rejected, approver, "reject")
    asked(tenant, paris(2026, 11, 11, 9), status="expired", requested_by_rule="High CPA")
    asked(tenant, paris(2026, 11, 12, 9), status="pending", agent_type="seo", action_type="add_keyword")
    asked(tenant, paris(2026, 10, 12, 9), status="rejected")  # before the range
    return {"held": held, "reverted": reverted}


def report(client, **query):
    response = client.get("/api/analytics/payoff/", {**NOVEMBER, **query})
    assert response.status_code == 200, response.content
    return response.json()


def groups(body) -> dict:
    return {g["key"]: g for g in body["groups"]}


def test_counts_and_results_per_action_type_never_adding_yen_to_dollars(api_as, approver, month):
    body = report(api_as(approver), group_by="action_type")
    totals = body["totals"]
    counts = ("requests", "approved_unedited", "approved_edited", "rejected", "expired", "executed", "held",
              "reverted", "changed_again", "holding", "measuring")  # fmt: skip
    assert [totals[k] for k in counts] == [5, 1, 1, 1, 1, 2, 1, 1, 0, 0, 0]
    assert totals["results"]["USD"] == {
        "changes_compared": 1,
        "spend_moved": "350.00",
        "before": {"spend": "700.00", "conversions": 28, "value": "2800.00", "cpa": "25.00", "roas": "4.0000"},
        "after": {"spend": "1050.00", "conversions": 42, "value": "3500.00", "cpa": "25.00", "roas": "3.3333"},
    }
    assert totals["results"]["JPY"]["spend_moved"] == "14000"
    assert totals["results"]["JPY"]["before"] == {
        "spend": "70000", "conversions": 21, "value": "315000", "cpa": "3333", "roas": "4.5000"
    }  # fmt: skip
    by_type = groups(body)
    assert (by_type["set_budget"]["requests"], by_type["set_budget"]["name"]) == (2, "Set a campaign's daily budget")
    assert [by_type["pause_campaign"][k] for k in ("requests", "rejected", "expired", "executed")] == [2, 1, 1, 0]
    assert by_type["pause_campaign"]["results"] == {}
    assert (body["count"], body["page"], body["pages"], body["days"]) == (3, 1, 1, 7)


def test_per_approver_rule_and_agent(api_as, approver, second_approver, month):
    client = api_as(approver)
    people = groups(report(client, group_by="approver"))
    mine = people[str(approver.pk)]
    assert (mine["requests"], mine["approved_unedited"], mine["rejected"], mine["held"]) == (2, 1, 1, 1)
    assert mine["name"] == f"{approver.first_name} {approver.last_name}".strip() and mine["name"]
    theirs = people[str(second_approver.pk)]
    assert (theirs["approved_edited"], theirs["reverted"], list(theirs["results"])) == (1, 1, ["JPY"])
    assert people[""]["requests"] == 2  # expired and waiting: nobody decided them
    rules = groups(report(client, group_by="rule"))
    assert (rules["High CPA"]["requests"], rules["High CPA"]["rejected"], rules["High CPA"]["expired"]) == (2, 1, 1)
    assert rules[""]["requests"] == 3
    agents = groups(report(client, group_by="agent"))
    assert (agents["paid_ads"]["requests"], agents["seo"]["requests"]) == (4, 1)


def test_the_platform_filter_and_a_running_change(api_as, approver, month, tenant):
    running = synced(tenant, "Search Late", platform="meta")
    executed(running, paris(2026, 11, 16, 10))
    body = report(api_as(approver), platform="meta", group_by="action_type")
    totals = body["totals"]
    assert (totals["requests"], totals["executed"], totals["measuring"], totals["holding"]) == (2, 2, 1, 1)
    assert list(totals["results"]) == ["JPY"]  # the running one is not compared yet


def test_pages(api_as, approver, month):
    body = report(api_as(approver), group_by="action_type", page_size=2, page=2)
    assert (body["count"], body["pages"], len(body["groups"])) == (3, 2, 1)


@pytest.mark.parametrize(
    "query, field",
    [({"group_by": "campaign"}, "group_by"), ({"days": "0"}, "days"), ({"platform": "tiktok"}, "platform"),
     ({"page_size": "500"}, "page_size"), ({"start": "2026-11-30", "end": "2026-11-01"}, "end")],
)  # fmt: skip
def test_bad_queries_say_why(api_as, approver, query, field):
    response = api_as(approver).get("/api/analytics/payoff/", query)
    assert response.status_code == 400 and response.json()["code"] == "invalid_query"
    assert field in response.json()["fields"]


def test_another_tenant_sees_none_of_it_and_members_are_refused(api_as, outsider, colleague, month):
    body = report(api_as(outsider), group_by="approver")
    assert body["totals"]["requests"] == 0 and body["groups"] == []
    exported = api_as(outsider).get("/api/analytics/payoff/export/", NOVEMBER)
    assert exported.status_code == 200 and len(list(csv.reader(io.StringIO(_text(exported))))) == 1  # the header
    for path in ("/api/analytics/payoff/", "/api/analytics/payoff/export/"):
        response = api_as(colleague).get(path, NOVEMBER)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_an_approvals_payoff_in_the_api_and_another_tenants_refused(api_as, approver, outsider, month):
    path = f"/api/hitl/approvals/{month['reverted'].pk}/"
    payoff = api_as(approver).get(path).json()["payoff"]
    assert (payoff["currency"], payoff["executed_on"], payoff["days"]) == ("JPY", "2026-11-05", 7)
    assert payoff["before"]["spend"] == "70000" and payoff["after"]["complete"] is True
    assert payoff["held"]["state"] == "reverted" and payoff["held"]["change"]["by"] == "outside"
    assert api_as(outsider).get(path).status_code == 404


def _text(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_csv_export(api_as, approver, month, tenant):
    asked(tenant, paris(2026, 11, 13, 9), status="rejected", requested_by_rule='=HYPERLINK("http://x.test")')
    response = api_as(approver).get("/api/analytics/payoff/export/", {**NOVEMBER, "group_by": "rule"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="payoff-2026-11-20.csv"'
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(_text(response)))}
    assert rows['\'=HYPERLINK("http://x.test")']["rejected"] == "1"  # never run as a formula
    mixed = rows[""]
    assert (mixed["group_by"], mixed["requests"], mixed["held"], mixed["reverted"]) == ("rule", "3", "1", "1")
    assert mixed["spend_moved"] == "JPY 14000; USD 350.00"
    assert mixed["cpa_before"] == "JPY 3333; USD 25.00" and mixed["roas_after"] == "JPY 3.3333; USD 3.3333"


def test_queries_do_not_grow_with_the_approvals(api_as, approver, tenant):
    client = api_as(approver)

    def counted(n: int) -> int:
        for i in range(n):
            campaign = synced(tenant, f"Campaign {n}-{i}")
            change = executed(campaign, paris(2026, 11, 3, 10) + timedelta(minutes=i))
            decided(change, approver)
            figures(campaign, date(2026, 11, 4), date(2026, 11, 4))
            outside(campaign, paris(2026, 11, 4, 10), before="600.00", after="500.00")
        with CaptureQueriesContext(db) as queries:
            body = report(client, group_by="approver")
        assert body["totals"]["reverted"] == body["totals"]["executed"]
        return len(queries)

    report(client)  # the caller's permissions cached, as in any later request
    one = counted(1)
    assert counted(19) == one  # twenty approvals then


def test_the_changes_export_one_row_per_executed_change(api_as, approver, outsider, month):
    response = api_as(approver).get("/api/analytics/payoff/changes/export/", NOVEMBER)
    assert response["Content-Disposition"] == 'attachment; filename="payoff-changes-2026-11-20.csv"'
    rows = list(csv.DictReader(io.StringIO(_text(response))))
    assert [row["reference"] for row in rows] == [month["held"].reference, month["reverted"].reference]
    dollars, yen = rows
    assert (dollars["currency"], dollars["before_spend"], dollars["after_spend"], dollars["held"]) == (
        "USD", "700.00", "1050.00", "held"
    )  # fmt: skip
    assert (yen["before_cpa"], yen["after_roas"], yen["held"], yen["changed_by"]) == (
        "3333",
        "3.3333",
        "reverted",
        "outside",
    )
    assert "pat@acme.test" not in _text(api_as(approver).get("/api/analytics/payoff/changes/export/", NOVEMBER))
    assert yen["action_type"] == "Set a campaign's daily budget" and yen["after_complete"] == "True"
    theirs = _text(api_as(outsider).get("/api/analytics/payoff/changes/export/", NOVEMBER))
    assert theirs.count("\n") == 1  # the header alone
