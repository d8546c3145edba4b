"""The approval queue as an approver's inbox: what waits for the viewer first, the most urgent on top."""

import re
from datetime import timedelta

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from hitl.models import HITLApproval, HITLDecision
from hitl.services.decisions import reject

QUEUE = reverse("admin:hitl_hitlapproval_changelist")


def rows(response):
    return [a.pk for a in response.context["cl"].result_list]


def test_the_queue_opens_on_what_waits_for_the_viewer_most_urgent_first(console_as, staff, ask_as, workflow_for_user):
    later, sooner = ask_as(staff["member"]), ask_as(staff["member"], "800.00", of="Winter Sale")
    HITLApproval.objects.filter(pk=sooner.pk).update(sla_deadline=timezone.now() + timedelta(minutes=5))
    decided = ask_as(staff["member"], "900.00", of="Spring Sale")
    reject(decided.pk, actor=staff["admin"], reason="No")
    workflow_for_user(staff["compliance"])  # from now on requests go to compliance only
    elsewhere = ask_as(staff["member"], "610.00", of="Autumn Sale")
    client = console_as(staff["approver"])

    assert rows(client.get(QUEUE)) == [sooner.pk, later.pk]
    assert set(rows(client.get(QUEUE + "?queue=pending"))) == {sooner.pk, later.pk, elsewhere.pk}
    assert set(rows(client.get(QUEUE + "?queue=all"))) == {sooner.pk, later.pk, elsewhere.pk, decided.pk}
    # An address with its own filters (the dashboard's links) is not narrowed to the inbox.
    assert set(rows(client.get(QUEUE + "?status__exact=rejected"))) == {decided.pk}
    # A search looks through everything: a reference may name a decided approval.
    assert rows(client.get(QUEUE + f"?q={decided.reference}")) == [decided.pk]


def test_reviewers_who_cannot_decide_open_on_everything_pending(console_as, staff, ask_as):
    pending, decided = ask_as(staff["member"]), ask_as(staff["member"], "900.00", of="Winter Sale")
    reject(decided.pk, actor=staff["admin"], reason="No")
    assert rows(console_as(staff["compliance"]).get(QUEUE)) == [pending.pk]


def test_the_queues_are_visible_tabs_and_filter_options(console_as, staff, ask_as):
    ask_as(staff["member"])
    html = console_as(staff["approver"]).get(QUEUE).content.decode()
    for link, title in [
        ("?queue=mine", "Waiting for me"),
        ("?queue=pending", "All pending"),
        ("?queue=all", "Everything"),
    ]:
        assert re.search(rf'href="/admin/hitl/hitlapproval/{re.escape(link)}"[^>]*>\s*{title}', html), title
    assert html.count("Waiting for me") >= 2  # the tab and the filter's option


def test_the_sidebar_counts_what_waits_for_the_viewer(console_as, staff, ask_as):
    ask_as(staff["member"]), ask_as(staff["member"], "650.00", of="Winter Sale")

    def badge(user):
        navigation = console_as(user).get(reverse("admin:index")).context["sidebar_navigation"]
        items = [item for group in navigation for item in group["items"]]
        queue = [item for item in items if item["link"] == QUEUE and item["has_permission"]]
        return queue[0].get("badge") if queue else "no queue"

    assert badge(staff["approver"]) == 2
    assert badge(staff["admin"]) == 2
    assert badge(staff["compliance"]) is None  # sees the queue, decides nothing: no count
    assert badge(staff["support"]) == "no queue"


def test_the_sla_column_carries_its_deadline_for_the_live_countdown(console_as, staff, ask_as):
    approval = ask_as(staff["member"])
    html = console_as(staff["approver"]).get(QUEUE).content.decode()
    assert f'data-sla-deadline="{approval.sla_deadline.isoformat()}"' in html
    assert "/static/admin/walker-sla.js" in html


def test_bulk_approval_asks_to_confirm_and_keeps_the_notes(console_as, staff, ask_as):
    approvals = [ask_as(staff["member"]), ask_as(staff["member"], "610.00", of="Winter Sale")]
    ids = [a.pk for a in approvals]
    client = console_as(staff["approver"])
    page = client.post(QUEUE, {"action": "approve_selected", ACTION_CHECKBOX_NAME: ids})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="approve-confirm"' in html
    assert all(a.reference in html for a in approvals) and "Notes (optional" in html
    assert set(HITLApproval.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"pending"}
    done = client.post(
        QUEUE,
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: ids, "confirm": "1", "notes": "Season budget agreed"},
        follow=True,
    )
    assert "2 approvals approved." in done.content.decode()
    assert set(HITLApproval.objects.filter(pk__in=ids).values_list("status", flat=True)) - {"pending"}
    notes = HITLDecision.objects.filter(approval_id__in=ids).values_list("notes", flat=True)
    assert list(notes) == ["Season budget agreed"] * 2


def test_bulk_approval_without_notes_is_fine(console_as, staff, ask_as):
    approval = ask_as(staff["member"])
    client = console_as(staff["approver"])
    client.post(QUEUE, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [approval.pk], "confirm": "1"})
    assert HITLApproval.objects.get(pk=approval.pk).status != "pending"
    assert HITLDecision.objects.get(approval=approval).notes == ""


def test_empty_states_say_why_and_where_to_go(console_as, staff, ask_as):
    client = console_as(staff["approver"])
    inbox = client.get(QUEUE).content.decode()
    assert "Nothing is waiting for your decision" in inbox and "?queue=pending" in inbox
    assert "yielded" not in inbox
    assert "Nothing is pending" in client.get(QUEUE + "?queue=pending").content.decode()
    assert "Nothing matches “BR-0000”" in client.get(QUEUE + "?q=BR-0000").content.decode()
    filtered = client.get(QUEUE + "?queue=all&risk_level__exact=critical").content.decode()
    assert "No approvals match these filters" in filtered and "Reset filters" in filtered
