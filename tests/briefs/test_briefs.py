"""Daily briefs: due on each reader's own clock, exactly once, stale ones skipped, figures from the rows."""

import threading
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from agents.models import Campaign, CampaignDailyStat
from analytics.models import EmailDeliveryLog
from briefs.asked import ask as ask_for_brief
from briefs.models import DailyBrief
from briefs.services import send_brief_now, send_due_briefs
from briefs.unsubscribe import unsubscribe_url, user_id_of
from channels_app.email.providers import ProviderUnavailable
from hitl.models import HITLApproval
from hitl.services.decisions import reject
from tenants.models import UndeliverableAddress, UserEmailPreference
from tests.concurrency import at_once
from tests.factories import (
    AudienceSegmentFactory,
    CampaignFactory,
    ContentPieceFactory,
    ConversationFactory,
    EmailPreferenceFactory,
    KeywordRankingFactory,
    UserFactory,
    spend_history,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def reader(tenant, zone="UTC", at_time=time(8, 0), sections=None, **fields):
    user = UserFactory(tenant=tenant, **fields)
    preference = EmailPreferenceFactory(user=user, timezone=zone, delivery_time=at_time)
    if sections is not None:
        UserEmailPreference.objects.filter(pk=preference.pk).update(include_sections=sections)
        preference.include_sections = sections
    return preference


def test_each_reader_is_due_at_their_own_local_time(tenant, sent_emails):
    tokyo = reader(tenant, "Asia/Tokyo")  # 08:00 in Tokyo is 23:00 UTC the day before
    paris = reader(tenant, "Europe/Paris")  # 07:00 UTC in November
    los_angeles = reader(tenant, "America/Los_Angeles")  # 16:00 UTC

    def sent_at(moment):
        return [o.user_email for o in send_due_briefs(at(moment)) if o.status == "sent"]

    assert sent_at("2026-11-23T22:59") == []
    assert sent_at("2026-11-23T23:00") == [tokyo.user.email]  # 08:00 on the 24th in Tokyo
    assert sent_at("2026-11-24T07:00") == [paris.user.email]
    assert sent_at("2026-11-24T15:59") == []
    assert sent_at("2026-11-24T16:00") == [los_angeles.user.email]
    assert DailyBrief.objects.get(user=tokyo.user).local_date.isoformat() == "2026-11-24"
    assert len(sent_emails) == 3
    assert DailyBrief.objects.filter(status="skipped").count() == 2  # Paris and LA on the 23rd: first seen too late


def test_a_time_skipped_by_spring_forward_still_comes_once(tenant, sent_emails):
    new_york = reader(tenant, "America/New_York", time(2, 30))  # 2026-03-08: 02:00 jumps to 03:00
    assert send_due_briefs(at("2026-03-08T07:29")) == []  # before 02:30 EST read as 07:30 UTC
    assert [o.status for o in send_due_briefs(at("2026-03-08T07:30"))] == ["sent"]
    assert send_due_briefs(at("2026-03-08T09:00")) == []
    assert DailyBrief.objects.filter(user=new_york.user).count() == 1


def test_a_time_repeated_by_fall_back_comes_once_at_its_first_occurrence(tenant, sent_emails):
    reader(tenant, "America/New_York", time(1, 30))  # 2026-11-01: 01:30 happens at 05:30 and 06:30 UTC
    assert [o.status for o in send_due_briefs(at("2026-11-01T05:30"))] == ["sent"]
    assert send_due_briefs(at("2026-11-01T06:30")) == []
    assert len(sent_emails) == 1


def test_a_brief_missed_by_more_than_six_hours_is_skipped_not_sent_late(tenant, sent_emails):
    late = reader(tenant)
    [outcome] = send_due_briefs(at("2026-11-24T14:01"))  # 6 h 1 min after 08:00
    assert outcome.status == "skipped" and sent_emails == []
    assert DailyBrief.objects.get(user=late.user).status == "skipped"
    assert send_due_briefs(at("2026-11-24T20:00")) == []  # the day is counted
    assert [o.status for o in send_due_briefs(at("2026-11-25T08:05"))] == ["sent"]  # the next day comes


def test_disabled_inactive_and_tenantless_readers_get_nothing(tenant, sent_emails):
    UserEmailPreference.objects.filter(pk=reader(tenant).pk).update(enabled=False)
    gone = reader(tenant)
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    assert send_due_briefs(at("2026-11-24T09:00")) == []


def test_the_brief_holds_one_click_links_and_unsubscribe_headers(client, tenant, sent_emails, ask, approver):
    waiting = ask("700.00")
    EmailPreferenceFactory(user=approver, timezone="UTC", delivery_time=time(8, 0))
    [outcome] = send_due_briefs(datetime.now(UTC).replace(hour=8, minute=10))
    assert outcome.status == "sent"
    [email] = sent_emails
    assert f"{waiting.reference}: {waiting.action_summary}" in email.text
    approve_link = next(line.split(": ", 1)[1] for line in email.text.splitlines() if "Approve: " in line)
    assert client.get(urlsplit(approve_link).path).status_code == 200  # the signed one-click page opens
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = email.headers["List-Unsubscribe"]  # signed at sending time: compare whom it names, not the stamp
    assert header.startswith("<") and header.endswith(">")
    assert user_id_of(header[1:-1].rstrip("/").rsplit("/", 1)[1]) == str(approver.pk)
    assert 'width="600"' in email.html and "prefers-color-scheme: dark" in email.html
    log = EmailDeliveryLog.objects.get()
    assert (log.email_type, log.user, log.to_address) == ("daily_brief", approver, approver.email)
    assert client.post(urlsplit(approve_link).path).status_code == 200  # approving from the brief decides
    waiting.refresh_from_db()
    assert waiting.approved_by == approver and waiting.approved_at is not None


def test_figures_come_from_the_tenants_rows(tenant, sent_emails):
    summer = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    winter = CampaignFactory(tenant=tenant, name="Winter Boots", daily_budget=Decimal("200.00"))
    moment = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    spend_history(summer, days=14, spend="100.00")
    spend_history(winter, days=7, spend="400.00")
    reader(tenant)
    send_due_briefs(moment)
    [email] = sent_emails
    # 7 days: summer $700 + winter $2,800 = $3,500 spend; 560 conversions: CPA $6.25; revenue 26,600: ROAS 7.6x
    assert "Spend $3,500" in email.text and "CPA $6.25" in email.text and "ROAS 7.6x" in email.text
    assert "Top: Summer Sale (19.0x ROAS). Bottom: Winter Boots (4.8x)." in email.text
    assert "Recommendation: Move budget from Winter Boots towards Summer Sale." in email.text


def test_the_conversations_section_counts_this_week_against_last(tenant, other_tenant, sent_emails):
    moment = at("2026-11-24T09:00")
    person = UserFactory(tenant=tenant)
    started = {"chat": [1, 2, 6], "whatsapp": [3], "email": [8, 12]}  # days before the brief
    for channel, days in started.items():
        for days_ago in days:
            ConversationFactory(user=person, channel=channel, started_at=moment - timedelta(days=days_ago))
    ConversationFactory(user=person, status="waiting_approval", started_at=moment - timedelta(hours=1))
    ConversationFactory(user=UserFactory(tenant=other_tenant))
    reader(tenant, sections=["conversations"])
    send_due_briefs(moment)
    [email] = sent_emails  # this week: 3 chat + 1 WhatsApp + the waiting one; last week: 2 emails
    assert "5 new in the last 7 days (+150%): 1 whatsapp, 4 chat." in email.text
    assert "1 waiting for an approval." in email.text and "Clear the approval queue" in email.text
    assert "Spend" not in email.text  # only the chosen section


def test_another_tenants_approvals_are_not_in_a_brief(tenant, other_tenant, sent_emails, ask, approver):
    ask("700.00")
    stranger = UserFactory(tenant=other_tenant, role="approver")
    EmailPreferenceFactory(user=stranger, timezone="UTC", delivery_time=time(8, 0))
    send_due_briefs(datetime.now(UTC).replace(hour=9, minute=0))
    [email] = sent_emails
    assert "WAITING FOR YOU" not in email.text and "BR-" not in email.text


def test_unsubscribe_by_signed_link_forged_and_expired_refused(client, tenant):
    preference = reader(tenant)
    path = urlsplit(unsubscribe_url(preference.user)).path
    assert "Stop the daily brief" in client.get(path).content.decode()
    assert UserEmailPreference.objects.get(pk=preference.pk).enabled  # a GET changes nothing
    assert client.post(path[:-3] + "xx/").status_code == 400
    with time_machine.travel(datetime.now(UTC) + timedelta(days=91)):
        assert client.post(path).status_code == 410
    assert client.post(path).status_code == 200  # RFC 8058 one-click: no sign-in, no CSRF token
    assert not UserEmailPreference.objects.get(pk=preference.pk).enabled


def test_the_command_sends_or_lists_what_is_due(tenant, sent_emails):
    preference = reader(tenant)
    out = StringIO()
    call_command("send_due_briefs", "--now", "2026-11-24T09:00:00+00:00", "--dry-run", stdout=out)
    assert f"would_send {preference.user.email} 2026-11-24" in out.getvalue() and sent_emails == []
    call_command("send_due_briefs", "--now", "2026-11-24T09:00:00+00:00", stdout=out)
    assert f"sent       {preference.user.email} 2026-11-24" in out.getvalue() and len(sent_emails) == 1
    with pytest.raises(CommandError, match="offset"):
        call_command("send_due_briefs", "--now", "2026-11-24T09:00:00")


def test_two_workers_at_once_send_each_brief_exactly_once(postgres_only, tenant, sent_emails, monkeypatch):
    monkeypatch.setattr("briefs.services.CHUNK", 2)  # several chunks each, claimed in turn by both workers
    readers = [reader(tenant) for _ in range(7)]
    barrier = threading.Barrier(2)  # both workers scan the same due readers at the same moment

    def worker():
        try:
            barrier.wait()
            send_due_briefs(at("2026-11-24T09:00"))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert DailyBrief.objects.filter(status="sent").count() == len(readers)
    assert sorted(e.to for e in sent_emails) == sorted(r.user.email for r in readers)
    assert EmailDeliveryLog.objects.count() == len(readers)


@pytest.mark.slow
def test_two_workers_retrying_at_once_send_each_failed_brief_once(postgres_only, tenant, sent_emails, monkeypatch):
    """The retry pass claims rows with SKIP LOCKED: two beat runs at once share the failed briefs out."""
    monkeypatch.setattr("briefs.services.CHUNK", 2)  # each run takes two, so both runs find work
    readers = [reader(tenant) for _ in range(5)]
    for preference in readers:
        DailyBrief.objects.create(
            tenant=tenant, user=preference.user, local_date=at("2026-11-24T00:00").date(),
            due_at=at("2026-11-24T08:00"), status="failed", retry_after=at("2026-11-24T08:05"),
        )  # fmt: skip
    moments = ["2026-11-24T08:10", "2026-11-24T08:15", "2026-11-24T08:20"]
    for moment in moments:
        at_once(lambda moment=moment: send_due_briefs(at(moment)), lambda moment=moment: send_due_briefs(at(moment)))
    assert sorted(e.to for e in sent_emails) == sorted(r.user.email for r in readers)  # each once
    assert set(DailyBrief.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failing_address_fails_alone_in_its_batch(tenant, sent_emails):
    bounced, fine = reader(tenant), reader(tenant)
    UndeliverableAddress.objects.create(email=bounced.user.email, reason="bounce")
    outcomes = {o.user_email: o for o in send_due_briefs(at("2026-11-24T08:05"))}
    assert outcomes[bounced.user.email].status == "failed" and "undeliverable" in outcomes[bounced.user.email].detail
    assert outcomes[fine.user.email].status == "sent" and [e.to for e in sent_emails] == [fine.user.email]
    failed = DailyBrief.objects.get(user=bounced.user)
    assert failed.status == "failed" and failed.email is None
    log = EmailDeliveryLog.objects.get(reference=f"brief:{bounced.user.pk}:2026-11-24")
    assert log.status == "failed" and "undeliverable" in log.failure_reason
    assert EmailDeliveryLog.objects.get(reference=f"brief:{fine.user.pk}:2026-11-24").status == "sent"


def test_a_provider_outage_is_retried_by_the_next_runs_while_the_brief_is_fresh(tenant, monkeypatch):
    sent, down = [], {"until": at("2026-11-24T08:12")}

    def provider(email):
        if now["at"] < down["until"]:
            raise ProviderUnavailable("SendGrid answered 503")
        sent.append(email)
        return "sendgrid", f"msg-{len(sent)}"

    now = {"at": at("2026-11-24T08:05")}
    monkeypatch.setattr("channels_app.email.send.provider_send", provider)
    unlucky = reader(tenant)
    [first] = send_due_briefs(now["at"])
    brief = DailyBrief.objects.get(user=unlucky.user)
    assert first.status == "failed" and brief.retry_after == at("2026-11-24T08:10") and brief.attempts == 1
    now["at"] = at("2026-11-24T08:10")  # the next beat run: still down
    assert [o.status for o in send_due_briefs(now["at"])] == ["failed"]
    now["at"] = at("2026-11-24T08:15")  # back up
    assert [o.status for o in send_due_briefs(now["at"])] == ["sent"] and len(sent) == 1
    brief.refresh_from_db()
    assert (brief.status, brief.attempts, brief.retry_after) == ("sent", 3, None)
    assert send_due_briefs(at("2026-11-24T08:20")) == [] and len(sent) == 1


def test_retries_stop_after_the_last_attempt_and_when_the_brief_is_stale(tenant, monkeypatch):
    def provider(email):
        raise ProviderUnavailable("SendGrid answered 503")

    monkeypatch.setattr("channels_app.email.send.provider_send", provider)
    always_down, late = reader(tenant), reader(tenant, at_time=time(2, 0))
    send_due_briefs(at("2026-11-24T08:05"))  # late's 02:00 was 6 h 5 min ago: skipped, not retried
    for minute in (10, 15, 20, 25):
        send_due_briefs(at(f"2026-11-24T08:{minute}"))
    brief = DailyBrief.objects.get(user=always_down.user)
    assert (brief.status, brief.attempts, brief.retry_after) == ("failed", 3, None)
    assert DailyBrief.objects.get(user=late.user).status == "skipped"
    stale = reader(tenant, at_time=time(8, 0))
    DailyBrief.objects.create(
        tenant=tenant, user=stale.user, local_date=at("2026-11-24T00:00").date(), due_at=at("2026-11-24T08:00"),
        status="failed", retry_after=at("2026-11-24T08:05"),
    )  # fmt: skip
    assert send_due_briefs(at("2026-11-24T14:30")) == []  # six and a half hours late: not sent in the evening


def test_a_brief_that_failed_is_sent_when_asked_for(tenant, sent_emails):
    failing = reader(tenant)
    UndeliverableAddress.objects.create(email=failing.user.email, reason="bounce")
    send_due_briefs(at("2026-11-24T08:05"))
    UndeliverableAddress.objects.all().delete()  # the person fixed their mailbox, then replies "brief"
    outcome = send_brief_now(failing.user, at("2026-11-24T09:00"))
    assert outcome.status == "sent" and [e.to for e in sent_emails] == [failing.user.email]
    brief = DailyBrief.objects.get(user=failing.user)
    assert brief.status == "sent" and brief.email.reference.startswith(f"brief:{failing.user.pk}:2026-11-24:again-")
    assert send_brief_now(failing.user, at("2026-11-24T09:30")).status == "already_sent"
    assert len(sent_emails) == 1


def test_a_brief_asked_for_before_the_delivery_time_is_the_days_brief(tenant, sent_emails):
    early = reader(tenant, "Asia/Tokyo", time(9, 0))  # 00:00 UTC
    assert send_brief_now(early.user, at("2026-11-23T22:00")).status == "sent"  # 07:00 on the 24th in Tokyo
    assert send_due_briefs(at("2026-11-24T00:05")) == [] and len(sent_emails) == 1
    assert DailyBrief.objects.get(user=early.user).local_date.isoformat() == "2026-11-24"


def test_seo_lists_each_keywords_net_move_over_the_week(tenant, sent_emails):
    today = datetime.now(UTC).date()
    daily = {  # positions day by day, oldest first; the first day's previous position is where the week began
        "tents": (10, [7, 9]),  # up 3 then down 2: gained 1, not "gained 3" and "lost 2"
        "boots": (5, [8, 5]),  # back where it was: not listed
        "socks": (4, [6, 9]),  # lost 5
    }
    for keyword, (before, positions) in daily.items():
        previous = before
        for days_ago, position in zip(range(len(positions), 0, -1), positions, strict=True):
            KeywordRankingFactory(
                tenant=tenant,
                keyword=keyword,
                position=position,
                previous_position=previous,
                date=today - timedelta(days=days_ago),
            )
            previous = position
    reader(tenant, sections=["seo"])
    send_due_briefs(datetime.combine(today, time(9, 0), tzinfo=UTC))
    [email] = sent_emails
    assert "Gained: tents (+1)." in email.text and "Lost: socks (-5)." in email.text and "boots" not in email.text


def test_readers_see_only_the_decided_approvals_the_access_layer_shows_them(
    tenant, other_tenant, sent_emails, ask, approver, requester
):
    """Approvers see the tenant's decisions since yesterday; a member only those on their own requests."""

    def elsewhere():  # requests waiting together: one per campaign (a newer one supersedes the waiting one)
        return CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00"))

    mine, theirs, old = (
        ask("700.00"),
        ask("800.00", by=UserFactory(tenant=tenant), of=elsewhere()),
        ask("900.00", of=elsewhere()),
    )
    reject(mine.pk, actor=approver, reason="Too much for now")
    reject(theirs.pk, actor=approver, reason="Not this month")
    reject(old.pk, actor=approver, reason="Old")
    HITLApproval.objects.filter(pk=old.pk).update(resolved_at=datetime.now(UTC) - timedelta(days=2))
    HITLApproval.objects.filter(pk=old.pk).update(updated_at=datetime.now(UTC))  # touched later, decided long ago
    for person in (approver, requester):
        EmailPreferenceFactory(user=person, timezone="UTC", delivery_time=time(8, 0))
    send_due_briefs(datetime.now(UTC).replace(hour=9, minute=0))
    by_reader = {email.to: email.text for email in sent_emails}
    assert theirs.reference in by_reader[approver.email] and mine.reference in by_reader[approver.email]
    assert mine.reference in by_reader[requester.email]
    assert theirs.reference not in by_reader[requester.email]  # someone else's request
    assert all(old.reference not in text for text in by_reader.values())  # decided two days ago


def test_asking_while_the_days_brief_is_still_being_sent_does_not_say_it_went_out(tenant, sent_emails):
    waiting = reader(tenant)
    DailyBrief.objects.create(
        tenant=tenant, user=waiting.user, local_date=at("2026-11-24T00:00").date(), due_at=at("2026-11-24T08:00")
    )  # claimed by a run that has not handed it over (status "sending")
    answer = ask_for_brief(waiting.user, at("2026-11-24T08:30"))
    assert "on its way" in answer and "went out" not in answer and sent_emails == []


def test_a_runs_statements_do_not_grow_with_the_tenants_data_or_its_readers(tenant, sent_emails, ask, approver):
    """Statements per run: fixed per tenant and per chunk, whatever the rows behind the figures."""

    def grow(n):
        for _ in range(n):
            spend_history(CampaignFactory(tenant=tenant), days=14, spend="50.00")
            KeywordRankingFactory(tenant=tenant)
            ContentPieceFactory(tenant=tenant)
            AudienceSegmentFactory(tenant=tenant)
            ask(f"{700 + Campaign.objects.count()}.00")

    def run(day, readers):
        for person in readers:
            EmailPreferenceFactory(user=person, timezone="UTC", delivery_time=time(8, 0))
        with CaptureQueriesContext(connection) as queries:
            outcomes = send_due_briefs(at(f"2026-11-{day}T08:05"))
        assert [o.status for o in outcomes] == ["sent"] * len(readers)
        return len(queries)

    grow(1)
    few = run(24, [approver, UserFactory(tenant=tenant, role="member")])
    UserEmailPreference.objects.all().delete()
    grow(10)
    many = run(25, [UserFactory(tenant=tenant, role="approver"), UserFactory(tenant=tenant, role="member")])
    assert many == few


def test_paid_ads_changes_are_this_week_against_last_from_the_rows(tenant, sent_emails):
    summer, winter = CampaignFactory(tenant=tenant), CampaignFactory(tenant=tenant)
    spend_history(summer, days=14, spend="100.00")  # both weeks
    spend_history(winter, days=7, spend="400.00")  # this week only
    reader(tenant, sections=["campaigns"])
    send_due_briefs(datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0))
    [email] = sent_emails
    stat = CampaignDailyStat.objects.filter(campaign=summer).first()  # every day's stats but spend are alike
    conversions, revenue = stat.conversions, stat.revenue
    now_spend, then_spend = Decimal(7 * 100 + 7 * 400), Decimal(7 * 100)
    now_cpa, then_cpa = now_spend / (14 * conversions), then_spend / (7 * conversions)
    now_roas, then_roas = 14 * revenue / now_spend, 7 * revenue / then_spend
    spend_change = round((now_spend - then_spend) / then_spend * 100)
    cpa_change = round((now_cpa - then_cpa) / then_cpa * 100)
    line = (
        f"Spend ${now_spend:,.0f} (+{spend_change}%), CPA ${now_cpa:.2f} (+{cpa_change}%), "
        f"ROAS {now_roas:.1f}x ({now_roas - then_roas:+.1f}x) over the last 7 days."
    )
    assert line in email.text


def test_content_and_audiences_from_the_rows(tenant, sent_emails):
    now = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    views = {"Trail guide": 3000, "Tent care": 1200, "Boot fit": 900, "Sock myths": 300}
    for title, count in views.items():
        ContentPieceFactory(
            tenant=tenant, title=title, status="published", views=count, published_at=now - timedelta(days=3)
        )
    ContentPieceFactory(
        tenant=tenant, title="Old hit", status="published", views=99_000, published_at=now - timedelta(days=40)
    )
    for title in ("Winter layering", "Camp cooking"):
        ContentPieceFactory(tenant=tenant, title=title)  # drafts
    growth = {"Tent buyers": ("5.20", 12_500), "Runners": ("3.10", 8_000), "Lapsed": ("0.00", 4_000)}
    for name, (weekly, size) in growth.items():
        AudienceSegmentFactory(tenant=tenant, name=name, weekly_growth=Decimal(weekly), size=size)
    reader(tenant, sections=["content", "audiences"])
    send_due_briefs(now)
    [email] = sent_emails
    best = sorted((t for t in views), key=lambda t: -views[t])[:3]  # published in the last 30 days, most viewed
    assert "Best: " + ", ".join(f"{t} ({views[t]:,} views)" for t in best) + "." in email.text
    assert "Drafts waiting: 2." in email.text and "Publish “Camp cooking”." in email.text
    growing = [name for name, (weekly, _) in growth.items() if Decimal(weekly) > 0]
    for name in growing:
        weekly, size = growth[name]
        assert f"{name}: {size:,} people, +{weekly}% this week" in email.text
    assert "Lapsed" not in email.text and "Build a lookalike of Tent buyers." in email.text


def test_a_figure_with_nothing_to_compare_says_so_in_words(tenant, sent_emails):
    """Issue 30, point 7: a first week of spend reads "no earlier figure", never "(n/a)"."""
    summer = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    spend_history(summer, days=7, spend="100.00")  # nothing the week before
    reader(tenant)
    send_due_briefs(datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0))
    [email] = sent_emails
    assert "Spend $700.00 (no earlier figure)" in email.text
    assert "n/a" not in email.text and "n/a" not in email.html
