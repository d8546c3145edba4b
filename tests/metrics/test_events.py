"""Each metric moves when its event happens, and only then."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import TestCase

from agents.engines import engine_name
from agents.engines.builtin import BuiltinEngine
from agents.engines.langflow import LangflowEngine
from channels_app.whatsapp import tasks
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.execution import run_execution
from hitl.services.sla import process_due
from tests.email.test_events import event, notification_email  # noqa: F401  (a fixture)
from tests.fixtures.email import basic
from tests.fixtures.whatsapp import inbound_form, new_sid, post_signed, signature_for
from tests.pipeline import exchange
from tests.whatsapp.test_outbound import conversation, say, wrote  # noqa: F401  (a fixture)
from tests.whatsapp.test_status import STATUS, callback, sent  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
WEBHOOK = "/channels/whatsapp/webhook"
FAILURES = "walker_webhook_signature_failures_total"


# --- webhook signatures -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_forged_twilio_signature_is_counted(client, signing, number, member_phone, moves):
    form = inbound_form(member_phone.phone_number)
    forged = signature_for(WEBHOOK, form, token="someone-elses-token")
    assert post_signed(client, WEBHOOK, form, signature=forged).status_code == 403
    assert post_signed(client, WEBHOOK, form, signature="").status_code == 403
    assert moves(FAILURES, webhook="twilio", reason="bad_signature") == 1
    assert moves(FAILURES, webhook="twilio", reason="unsigned") == 1


def test_a_correct_twilio_signature_counts_no_failure(client, twilio, number, member_phone, moves):
    assert post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number)).status_code == 200
    assert moves(FAILURES, webhook="twilio", reason="bad_signature") == 0
    assert moves(FAILURES, webhook="twilio", reason="unsigned") == 0


def test_a_forged_twilio_status_callback_is_counted(client, signing, moves):
    form = {"MessageSid": new_sid(), "MessageStatus": "delivered"}
    response = post_signed(client, STATUS, form, signature=signature_for(STATUS, form, token="nope"))
    assert response.status_code == 403
    assert moves(FAILURES, webhook="twilio", reason="bad_signature") == 1


def test_sendgrid_event_posts_refused_are_counted_by_reason(client, post_events, moves):
    stranger = ec.generate_private_key(ec.SECP256R1())
    assert post_events([{"event": "delivered"}], key=stranger).status_code == 403
    assert client.post("/channels/email/events", data="[]", content_type="application/json").status_code == 401
    assert post_events([{"event": "delivered"}], timestamp=0).status_code == 403
    assert moves(FAILURES, webhook="sendgrid_events", reason="bad_signature") == 1
    assert moves(FAILURES, webhook="sendgrid_events", reason="unsigned") == 1
    assert moves(FAILURES, webhook="sendgrid_events", reason="stale") == 1


def test_inbound_parse_with_wrong_credentials_is_counted(client, email_settings, post_email, moves):
    assert post_email(auth=basic(password="guess"), sender="pat@example.com").status_code == 401
    assert moves(FAILURES, webhook="sendgrid_inbound", reason="unauthorized") == 1


# --- the message path ---------------------------------------------------------------------------------------------


def test_a_whatsapp_message_counts_in_out_answer_time_and_the_engine(client, twilio, number, member_phone, moves):
    assert (
        post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number, "How is my campaign?")).status_code == 200
    )
    assert moves("walker_messages_received_total", channel="whatsapp") == 1
    assert moves("walker_messages_sent_total", channel="whatsapp") == 1
    assert moves("walker_answer_seconds_count", channel="whatsapp") == 1
    assert moves("walker_answer_seconds_sum", channel="whatsapp") > 0
    assert moves("walker_engine_seconds_count", engine="builtin") == 1
    assert moves("walker_engine_errors_total", engine="builtin") == 0


def test_a_retried_delivery_counts_once(client, twilio, number, member_phone, moves):
    form = inbound_form(member_phone.phone_number, "hello", sid=new_sid())
    post_signed(client, WEBHOOK, form)
    post_signed(client, WEBHOOK, form)
    assert moves("walker_messages_received_total", channel="whatsapp") == 1


@pytest.mark.slow
def test_an_engine_failure_is_counted_and_timed(engine, colleague, moves):
    engine.error = RuntimeError("the model is down")
    done = exchange(InboundMessage(channel="api", text="How is my campaign?", user_id=colleague.pk))
    assert done.reply is not None  # the polite fallback
    assert moves("walker_engine_errors_total", engine="other") == 1
    assert moves("walker_engine_seconds_count", engine="other") == 1
    assert moves("walker_answer_seconds_count", channel="api") == 1  # answered all the same, with the apology


def test_engines_are_named_by_their_entry_in_engines():
    assert engine_name(BuiltinEngine()) == "builtin"
    assert engine_name(LangflowEngine()) == "langflow"
    assert engine_name(object()) == "other"


def test_a_rolled_back_message_counts_nothing(colleague, moves, monkeypatch):
    def fails(*args):
        raise OSError("x")

    monkeypatch.setattr("conversations.pipeline.intake._received_event", fails)  # the transaction's last write
    with pytest.raises(OSError), TestCase.captureOnCommitCallbacks(execute=True):
        exchange(InboundMessage(channel="api", text="hello", user_id=colleague.pk))
    assert moves("walker_messages_received_total", channel="api") == 0


# --- approvals ----------------------------------------------------------------------------------------------------

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_an_sla_breach_is_counted_once_by_risk_level(ask, workflow, approver, moves):
    workflow(sla_hours=4, escalation_hours=None, reminder_frequency_hours=None, expire_hours=12)
    with time_machine.travel(START, tick=False):
        approval = ask()
    for hours in (3, 5, 6):
        with (
            time_machine.travel(START + timedelta(hours=hours), tick=False),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            process_due()
    assert moves("walker_sla_breaches_total", risk_level=approval.risk_level) == 1


def test_a_failed_execution_is_counted_by_action_type(ask, approver, moves):
    approval = ask()
    approve(approval.pk, actor=approver)
    gone = {**approval.action_data, "campaign_id": "00000000-0000-4000-8000-000000000000"}
    HITLApproval.objects.filter(pk=approval.pk).update(action_data=gone)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert run_execution(approval.pk, max_attempts=5) == "failed"
    assert moves("walker_executions_failed_total", action_type=approval.action_type) == 1


def test_a_successful_execution_counts_no_failure(ask, approver, moves):
    approval = ask()
    approve(approval.pk, actor=approver)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert run_execution(approval.pk, max_attempts=5) == "executed"
    assert moves("walker_executions_failed_total", action_type=approval.action_type) == 0


# --- email and WhatsApp delivery ------------------------------------------------------------------------------------


def test_email_events_are_counted_by_kind(email_settings, notification_email, post_events, moves):  # noqa: F811
    row, log = notification_email
    with TestCase.captureOnCommitCallbacks(execute=True):
        post_events([event(log, "processed"), event(log, "bounce", type="bounce", reason="550 no such user")])
    assert moves("walker_email_events_total", event="processed") == 1
    assert moves("walker_email_events_total", event="bounce") == 1


def test_an_event_about_an_email_walker_never_sent_counts_nothing(post_events, email_settings, moves):
    stray = {"walker_log": "00000000-0000-4000-8000-000000000000", "event": "bounce", "timestamp": 1}
    with TestCase.captureOnCommitCallbacks(execute=True):
        post_events([stray])
    assert moves("walker_email_events_total", event="bounce") == 0


def test_whatsapp_send_failures_are_counted_by_stage(twilio, conversation, tenant, member_phone, moves):  # noqa: F811
    wrote(member_phone.phone_number, tenant)
    twilio.fail(400, code=63016, message="Failed to send freeform message outside the window")
    assert say(conversation, "Hello").status == "failed"
    assert moves("walker_whatsapp_send_failures_total", stage="refused") == 1
    wrote(member_phone.phone_number, tenant, hours_ago=30)
    assert say(conversation, "Hello again").status == "blocked"
    assert moves("walker_whatsapp_send_failures_total", stage="blocked") == 1


def test_a_failed_status_callback_is_counted_once(client, signing, sent, moves):  # noqa: F811
    _, sid = sent
    callback(client, sid, "undelivered", ErrorCode="63024")
    callback(client, sid, "failed", ErrorCode="63024")  # repeated: nothing moves
    assert moves("walker_whatsapp_send_failures_total", stage="reported") == 1


def test_a_send_out_of_retries_is_counted_as_given_up(twilio, eager_retries, conversation, tenant, member_phone, moves):  # noqa: F811
    wrote(member_phone.phone_number, tenant)
    twilio.fail(500, code=20500, message="boom", times=tasks.SEND_RETRIES + 1)
    assert say(conversation, "Hello").status == "failed"
    assert moves("walker_whatsapp_send_failures_total", stage="gave_up") == 1
    assert moves("walker_whatsapp_send_failures_total", stage="refused") == 0
