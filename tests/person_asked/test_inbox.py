"""The inbox's "Waiting for a person" tab: its count, its rows and their first-reply SLA, for those who see the
tenant's conversations; a takeover moves the conversation out of it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conversations import inbox, takeover
from tests.factories import ConversationFactory, UserFactory
from tests.inbox.test_inbox_list import count, shown
from tests.person_asked.conftest import say

LIST = reverse("admin:conversations_conversation_changelist")
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def rows(member, tenant, other_tenant, staff):
    """Three conversations: one waiting for a person, one the agents answer, another tenant's waiting one."""
    asked = TUESDAY_MORNING  # within the team's hours (Monday to Friday, 09:00 to 17:00 in the tenant's zone, UTC)
    with time_machine.travel(asked, tick=False):
        waiting = say(member, "I want to talk to a human").conversation
    theirs = ConversationFactory(user=UserFactory(tenant=other_tenant), person_requested_at=asked)
    return {"waiting": waiting, "agents": ConversationFactory(user=UserFactory(tenant=tenant)), "theirs": theirs}


@pytest.mark.parametrize("role", ["support", "admin", "compliance"])
def test_the_waiting_tab_counts_and_lists_who_waits(console_as, staff, rows, role):
    client = console_as(staff[role])
    html = client.get(LIST).content.decode()
    assert count(html, "waiting") == 1
    assert "Waiting for a person" in html
    listed = client.get(LIST, {"box": "waiting"}).content.decode()
    assert shown(listed, rows) == {"waiting"}
    assert 'data-testid="inbox-tab-waiting" aria-current="page"' in listed


def test_the_first_reply_sla_runs_from_the_ask(console_as, staff, rows, settings):
    settings.INBOX_REPLY_SLA_MINUTES = 15
    asked = rows["waiting"].person_requested_at
    with time_machine.travel(asked + timedelta(minutes=5), tick=False):
        html = console_as(staff["support"]).get(LIST, {"box": "waiting"}).content.decode()
    assert f'data-sla-deadline="{inbox.reply_due(asked).isoformat()}" data-testid="inbox-sla">in 10\xa0minutes<' in html


def test_the_sla_keeps_running_from_the_ask_after_a_takeover_until_the_reply(console_as, staff, rows, settings):
    settings.INBOX_REPLY_SLA_MINUTES = 15
    support = staff["support"]
    takeover.assign(rows["waiting"].pk, actor=support)
    client = console_as(support)
    assert count(client.get(LIST).content.decode(), "waiting") == 0
    mine = client.get(LIST, {"box": "mine"}).content.decode()
    assert f'data-sla-deadline="{inbox.reply_due(rows["waiting"].person_requested_at).isoformat()}"' in mine


def test_those_who_see_no_conversations_get_no_tab(console_as, staff, rows):
    response = console_as(staff["approver"]).get(LIST, {"box": "waiting"})
    assert response.status_code == 403


def test_an_ask_out_of_hours_is_due_once_the_team_is_back(console_as, staff, member, tenant, settings):
    settings.INBOX_REPLY_SLA_MINUTES = 15
    tenant.timezone = "Europe/Madrid"
    tenant.save(update_fields=["timezone"])
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    with time_machine.travel(saturday, tick=False):
        say(member, "talk to a person")
        html = console_as(staff["support"]).get(LIST, {"box": "waiting"}).content.decode()
    monday = datetime(2026, 11, 30, 9, 15, tzinfo=ZoneInfo("Europe/Madrid"))
    assert f'data-sla-deadline="{monday.isoformat()}" data-testid="inbox-sla">in 1\xa0day<' in html
