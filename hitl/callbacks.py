"""Telling an agent outside Walker of each decision on its request, at the `callback_url` it gave when it asked.

Each decision (a history entry of a deciding event, whatever door or clock wrote it) queues one `DecisionCallback`
in the decision's transaction, sent once it commits. The POST is signed as the action webhook is
(`agents.executors.webhook`: `X-Walker-Timestamp`, `X-Walker-Signature` over "<timestamp>.<body>" with the tenant's
action webhook secret) and carries the decision's id as `Idempotency-Key`, the same on every retry:

    {"decision":{"type":"edit","args":{...},"args_sha256":"...","note":"...","decided_by":"...","decided_at":"..."},
     "decision_id":"<uuid>","id":"<approval id>","reference":"BR-123456","status":"approved"}

Any 2xx is delivered; 408, 429, 5xx, timeouts and network failures are tried again after 30 s, doubling up to an
hour, eight attempts in all (counted on the row, so a task sent again does not start the count over); any other
answer, or an address Walker may not send to, fails the callback for good. A task the broker lost is sent again by
the sweep (`requeue_lost`, a beat job): each row says when its next attempt is due. A request has one decision (a
note to the agent ends it too: the agent asks again with a new request), so one callback at most.
"""

import json
import time
from datetime import timedelta

import httpx
from celery import current_app
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from agents.executors import sign
from core.commit import after_commit
from core.sending import TransientSendError
from hitl.models import DecisionCallback, HITLApprovalHistory
from hitl.outside_decisions import decision_of
from hitl.outside_waiting import announce_decided
from tenants import outbound

Event = HITLApprovalHistory.Event
DECIDING = frozenset({
    Event.APPROVED, Event.REJECTED, Event.RESPONDED, Event.EXPIRED, Event.CANCELLED, Event.SUPERSEDED,
})  # fmt: skip

# By name: hitl.tasks imports this module to deliver.
DELIVER_TASK = "hitl.tasks.send_decision_callback"
ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600
# An attempt this late past its time had its task lost (a broker restarted): the sweep sends it again.
LOST_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 100


class RetryLater(TransientSendError):
    """The receiver should be asked again in `seconds` (the attempt is recorded on the row)."""

    def __init__(self, reason: TransientSendError, seconds: int):
        super().__init__(str(reason))
        self.seconds = seconds


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt, after `attempts` of them: 30, 60, 120, … up to an hour."""
    return min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def on_history_saved(sender, instance: HITLApprovalHistory, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of a history entry (connected in hitl.apps), whatever wrote it."""
    if created and not raw:
        decision_recorded(instance)


def decision_recorded(entry: HITLApprovalHistory) -> None:
    """After a history entry: a decision on a request from outside wakes its waits in every web process
    (hitl.outside_waiting) and, when the request gave a callback URL, queues its callback. No query for an approval
    of Walker's own agents (`HITLApproval.outside`)."""
    if entry.event_type not in DECIDING:
        return
    asked = entry.approval.outside
    if asked is None:
        return
    announce_decided(asked)
    if not asked.callback_url:
        return
    callback = DecisionCallback.objects.create(tenant_id=entry.tenant_id, request=asked, decision_id=entry.pk)
    after_commit(current_app.tasks[DELIVER_TASK], str(callback.pk), robust=True)


def deliver(callback_id: str) -> str:
    """Send the callback once; its status after. Raises RetryLater, once the attempt is recorded, when the receiver
    should be asked again. The row is locked while it is sent: a duplicated task waits, then finds it delivered."""
    retry = None
    with transaction.atomic():
        callback = (
            DecisionCallback.objects.select_for_update(of=("self",))
            .select_related("request__approval__tenant")
            .filter(pk=callback_id)
            .first()
        )
        if callback is None or callback.status != DecisionCallback.Status.PENDING:
            return callback.status if callback else "gone"
        callback.attempts += 1
        try:
            _post(callback)
        except TransientSendError as exc:
            if callback.attempts >= ATTEMPTS:
                _record(callback, DecisionCallback.Status.FAILED, exc)
            else:
                retry = RetryLater(exc, retry_delay(callback.attempts))
                callback.due_at = timezone.now() + timedelta(seconds=retry.seconds)
                _record(callback, DecisionCallback.Status.PENDING, exc)
        except _Final as exc:
            _record(callback, DecisionCallback.Status.FAILED, exc)
        else:
            callback.delivered_at = timezone.now()
            _record(callback, DecisionCallback.Status.DELIVERED, None)
    if retry is not None:
        raise retry
    return callback.status


def requeue_lost(now=None) -> int:
    """Send a task again for every waiting callback whose attempt is overdue past LOST_AFTER; how many. Rows being
    sent (locked) are passed over, and each one sent is due again only a sweep later."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            overdue = DecisionCallback.objects.filter(
                status=DecisionCallback.Status.PENDING, due_at__lt=now - LOST_AFTER
            ).select_for_update(skip_locked=True)
            batch = list(overdue.order_by("due_at").values_list("pk", flat=True)[:SWEEP_BATCH])
            DecisionCallback.objects.filter(pk__in=batch).update(due_at=now)
            for pk in batch:
                after_commit(current_app.tasks[DELIVER_TASK], str(pk), robust=True)
        sent += len(batch)
        if len(batch) < SWEEP_BATCH:
            return sent


def body_of(callback: DecisionCallback) -> bytes:
    """The compact, sorted JSON POSTed: the request's decision as `GET /api/v1/approval-requests/{id}/` shows it."""
    asked = callback.request
    approval = asked.approval
    payload = {
        "decision_id": str(callback.decision_id),
        "id": str(approval.pk),
        "reference": approval.reference,
        "status": approval.status,
        "decision": decision_of(asked),
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()


class _Final(Exception):
    """The callback cannot be delivered, now or later."""


def _post(callback: DecisionCallback) -> None:
    approval = callback.request.approval
    secret = approval.tenant.action_webhook_secret
    if not secret:
        raise _Final("The tenant has no action webhook secret to sign callbacks with.")
    body = body_of(callback)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": str(callback.decision_id),
        "X-Walker-Event": "approval_request.decided",
        "X-Walker-Timestamp": timestamp,
        "X-Walker-Signature": sign(secret, timestamp, body),
    }
    url = callback.request.callback_url
    timeout = settings.ACTION_WEBHOOK_TIMEOUT
    try:
        response = outbound.post(url, content=body, headers=headers, timeout=timeout)
    except outbound.OutboundURLRefused as exc:
        raise _Final(f"Walker may not send to the callback URL: {exc}") from exc
    except httpx.TimeoutException as exc:
        raise TransientSendError(f"No answer within {timeout}s") from exc
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise TransientSendError(f"Could not reach the callback URL: {type(exc).__name__}") from exc
    except httpx.HTTPError as exc:
        raise _Final(f"Could not send to the callback URL: {type(exc).__name__}") from exc
    callback.answered = response.status_code
    if response.is_success:
        return
    if response.status_code in (408, 429) or response.status_code >= 500:
        raise TransientSendError(f"The callback URL answered HTTP {response.status_code}")
    raise _Final(f"The callback URL answered HTTP {response.status_code}")


def _record(callback: DecisionCallback, status: str, error: Exception | None) -> None:
    callback.status = status
    callback.last_error = str(error)[:300] if error is not None else ""
    callback.save(update_fields=["status", "attempts", "answered", "last_error", "delivered_at", "due_at"])
