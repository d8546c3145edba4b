"""Executions whose worker went silent mid-call are read back from the receiver, so none stays "executing".

An attempt of an executor that can read back what it did (an ad platform's: agents.executors.ReadsBack) has a lease
(PLATFORM_CHANGE_LEASE_SECONDS, from its claim): past it the attempt starts no write, so what the receiver holds
then is the attempt's outcome. `read_back_silent`, run by beat every few seconds, finds such executions still
"executing / running" past their lease, claims each with SELECT ... FOR UPDATE SKIP LOCKED (two sweeps never read
one twice; a late answer of the attempt waits for the claim and is then recorded as late), and asks the executor:

- applied: the approval is executed, with the receiver's value as its result;
- not applied: failed, safe to run again (a retry reads the campaign before writing);
- drifted (the receiver holds something else): failed, saying so, for a fresh approval.

Walker's copy of the campaign follows what was read in each case (the executor writes it in the same transaction).
A receiver that cannot be read now (an outage, a quota, another change holding the campaign) is left as it is and
read again at the next run; past its lease a person may also mark it failed (hitl.services.execution).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from agents.executors import ExecutionError, Verdict, get_executor, reads_back
from core.sentence import Sentence
from hitl.models import ApprovalStatus, ExecutionStatus, HITLApproval
from hitl.notifying import told
from hitl.services.execution import lease_of, record_failure, record_success, request_for

logger = logging.getLogger(__name__)


class ReadBackFailure(ExecutionError):
    """What the receiver was read to hold, when that is not the approved change (the approval's error), in words
    told to each reader in their language."""


def read_back_silent(now=None) -> int:
    """Read back every execution silent past its lease; how many it ended (applied, failed or drifted)."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.PLATFORM_CHANGE_LEASE_SECONDS)
    # Every silent one, a webhook's included (few: each waits for a person), so none starves the platforms' changes.
    silent = list(_silent(now - lease).order_by("execution_started_at").values_list("pk", flat=True))
    ended = 0
    for approval_id in silent:
        try:
            ended += _read_back_one(approval_id, now)
        except Exception:  # one approval's surprise never stops the others (healthchecks' sendalerts)
            logger.exception("Reading back a silent execution failed")
    return ended


def _silent(started_before):
    return HITLApproval.objects.filter(
        status=ApprovalStatus.EXECUTING,
        execution_status=ExecutionStatus.RUNNING,
        execution_started_at__lt=started_before,
    )


def _read_back_one(approval_id, now) -> bool:
    """Claim one silent execution and end it as its receiver says; whether it ended."""
    with transaction.atomic():
        claimed = (
            _silent(now)  # re-checked under the lock: another sweep or a late answer may have ended it
            .select_for_update(skip_locked=True, no_key=True, of=("self",))
            .select_related("tenant")
            .filter(pk=approval_id)
            .first()
        )
        if claimed is None:
            return False
        executor = get_executor(request_for(claimed))
        lease = lease_of(executor)
        if not reads_back(executor) or claimed.execution_started_at + lease > now:
            return False  # a webhook's (for a person), or this executor's lease is not over
        with translation.override(told.requesters_language(claimed)):
            try:
                with transaction.atomic():  # a read that fails halfway leaves no partial copy behind
                    seen = executor.read_back(request_for(claimed))
            except ExecutionError as error:  # retryable or not: read again at the next run
                logger.info("A silent execution could not be read back yet: %s", error)
                return False
            if seen.verdict == Verdict.APPLIED:
                record_success(claimed, seen.result, read_back=seen.verdict.value)
            else:
                said = seen.detail
                if seen.verdict != Verdict.NOT_APPLIED:
                    said = Sentence(gettext_noop("%(verdict)s: %(detail)s"), verdict=seen.verdict.label, detail=said)
                record_failure(claimed, ReadBackFailure(said), read_back=seen.verdict.value)
    return True
