"""The analytics API's and the dashboard's figures, read through the shared cache (Redis).

An entry's key names its scope (the viewer's tenant; "all" for a superuser), the generation of the rows it reads,
the report and a digest of its parameters. Figures read one of two kinds of rows, each with its own generation per
scope, a token replaced whenever those rows may have changed:
- APPROVAL_ROWS (approvals and their decisions): by every approval history row once committed (the rows the consoles'
  live feed reads, so a dashboard re-fetched on an event gets fresh figures), and by the aggregation jobs;
- ACTIVITY_ROWS (conversations, messages, the event log, conversation metrics): by the aggregation jobs after they write
  (`reports.tasks`, every minute while conversations change; `backfill_analytics`).
So an approval decided drops the approval figures only: at a big tenant's rate (several a minute) the dashboard's
fortnight of agent replies would otherwise be read again after each one (bench/RESULTS.md, "A big tenant").
A new token makes every older entry unreachable, so nothing stale is served after a write and nothing is scanned or
deleted; old entries expire after REPORT_CACHE_SECONDS, which also bounds how stale a figure can be when its rows
changed without either (a conversation started since the last job run).

A miss is computed once: the first reader takes a short lock (`cache.add`) and computes; the others wait for its
entry, so a hundred viewers re-fetching the dashboard together cost the database one read. While the cache does
not answer, every reader computes its own figures (logged), as the throttles let calls through.

Only tenant-wide figures are cached: what each viewer may open (the dashboard's links) and the top approvers'
addresses (personal data, masked per viewer) are added per request by the callers.
"""

import hashlib
import json
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

ALL = "all"  # a superuser's scope: every tenant
APPROVAL_ROWS, ACTIVITY_ROWS = "approvals", "activity"  # the kinds of rows figures read, each with its own generation
LOCK_SECONDS = 30  # a computing reader that died frees its lock after this long
WAIT_SECONDS = 10  # a reader waits this long for another's entry before computing its own
POLL_SECONDS = 0.05
CACHE_ERRORS = (ConnectionInterrupted, RedisError)  # django-redis wraps redis-py's connection errors
MISSING = object()


def scope_of(user) -> str | None:
    """Whose figures `user` reads (as `for_user` scopes them); None when they read none."""
    if user.is_superuser:
        return ALL
    return str(user.tenant_id) if user.tenant_id else None


def cached(user, report: str, parameters: dict, compute, *, reads: str):
    """`compute()`'s figures for `user`'s scope from the cache; computed once per generation of the rows it `reads`
    (APPROVAL_ROWS or ACTIVITY_ROWS) and parameters.

    `parameters`: everything besides the scope that the figures depend on (JSON-serialisable; days as strings).
    """
    return cached_in(scope_of(user), report, parameters, compute, reads=reads)


def cached_in(scope: str | None, report: str, parameters: dict, compute, *, reads: str):
    """As `cached`, for a scope named directly (a tenant's id, or ALL): a job computing figures before anyone reads
    them has no viewer."""
    if scope is None or not settings.REPORT_CACHE_SECONDS:
        return compute()
    try:
        key = _key(scope, reads, report, parameters)
        found = _fetch(key, compute)
    except CACHE_ERRORS as error:
        log.warning("Report %s read from the database: the cache did not answer (%s)", report, error)
        return compute()
    return compute() if found is MISSING else found


def figures_changed(tenant_id, kinds=(APPROVAL_ROWS, ACTIVITY_ROWS)) -> None:
    """The tenant's rows of `kinds` changed: entries read from them before are never served again (its scope's and
    superusers')."""
    if not settings.REPORT_CACHE_SECONDS:
        return
    token = uuid.uuid4().hex
    try:
        cache.set_many(
            {_generation_key(scope, kind): token for scope in (str(tenant_id), ALL) for kind in kinds}, timeout=None
        )
    except CACHE_ERRORS as error:  # entries then live out REPORT_CACHE_SECONDS
        log.warning("Report cache of tenant %s not refreshed: the cache did not answer (%s)", tenant_id, error)


def approval_history_written(sender, instance, created, **kwargs) -> None:
    """post_save of HITLApprovalHistory: every approval change writes one row, before the consoles hear of it. Told
    once the change commits: a reader before then would cache the old rows under the new generation."""
    if created:
        transaction.on_commit(lambda: figures_changed(instance.tenant_id, [APPROVAL_ROWS]), robust=True)


def _fetch(key: str, compute):
    """The entry under `key`, computed by whoever takes the lock first; MISSING when waiting for it took too long
    (the caller computes its own)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = cache.get(key, MISSING)
        if found is not MISSING:
            return found
        if cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS):
            try:
                # Stored by the holder this reader waited on, between the look above and the lock: not again.
                if (found := cache.get(key, MISSING)) is not MISSING:
                    return found
                figures = compute()
                _quietly(cache.set, key, figures, timeout=settings.REPORT_CACHE_SECONDS)
            finally:
                _quietly(cache.delete, f"{key}:lock")  # stored first: a waiter never finds neither
            return figures
        if time.monotonic() >= deadline:
            return MISSING
        time.sleep(POLL_SECONDS)


def _quietly(call, *args, **kwargs) -> None:
    """A write the figures in hand do not depend on: when the cache fails it, the next reader computes again."""
    try:
        call(*args, **kwargs)
    except CACHE_ERRORS as error:
        log.warning("Report cache not written: the cache did not answer (%s)", error)


def _key(scope: str, kind: str, report: str, parameters: dict) -> str:
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f"reports:{scope}:{kind}:{_generation(scope, kind)}:{report}:{digest}"


def _generation(scope: str, kind: str) -> str:
    """The current token of the scope's rows of `kind`; a new one when there is none (never stored, or evicted: what
    was cached under the previous one must not come back)."""
    key = _generation_key(scope, kind)
    token = cache.get(key)
    if token is None:
        fresh = uuid.uuid4().hex
        cache.add(key, fresh, timeout=None)
        token = cache.get(key) or fresh
    return token


def _generation_key(scope: str, kind: str) -> str:
    return f"reports:generation:{kind}:{scope}"
