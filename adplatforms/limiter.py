"""One limiter for every tenant's calls to the ad platforms, kept in Django's cache (Redis in production, so every
worker shares it; locmem on the embedded default, one process).

A platform's quota is shared by whatever it counts against, so the limiter keys its state the same way:
Google Ads counts against the developer token (every tenant using Walker's token shares it; the key is a keyed hash
of the token, never the token) and the customer account; Meta counts against the app (or, without one, the ad
account) and the ad account. For each key it keeps:

- a park: after the platform refused a call for quota (`RateLimited`), or reported ≥ 95 % of a quota used, the
  key is parked until the time it asked for; every call on that key is refused locally, before anything is sent;
- a pace: reported ≥ 75 % used, calls on the key are spaced (`PACE_SECONDS`) until a report below that (or
  `PACE_FOR` seconds without one);
- a budget: at most `AD_PLATFORM_CALLS_PER_MINUTE` calls per minute per shared key (developer token or app), counted
  with the cache's atomic increment, so all the workers together never exceed it.

A listing (campaigns, days) is limited when it starts; the pages it reads after that are one call to the limiter.
"""

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from adplatforms import errors
from adplatforms.google import credentials
from adplatforms.platform import AdPlatformClient, Usage, UsageObserver
from tenants.crypto import keyed_hash

PACE_AT, PARK_AT = 75, 95  # percent of a quota used
PACE_SECONDS = 1.0  # between calls on a key whose quota is ≥ PACE_AT used
PACE_FOR = 300  # seconds a pace lasts after the usage report that set it
DEFAULT_PARK_SECONDS = 300  # when the platform did not say how long to wait
PREFIX = "adplatforms:limit"

# The contract's methods (adplatforms.platform.AdPlatformClient); the listings are iterators.
CALLS = (
    "account", "campaign", "set_daily_budget", "set_status",
    "recommendation", "validate_recommendation", "apply_recommendation", "dismiss_recommendation",
)  # fmt: skip
LISTINGS = ("campaigns", "campaign_days", "account_days", "changes", "recommendations")


@dataclass(frozen=True)
class Keys:
    """The cache keys one connection's calls count against, by the scope names the platforms use."""

    shared: str  # "developer" (Google) or "app" (Meta): every tenant on it
    shared_scope: str
    account: str

    def for_scope(self, scope: str) -> str:
        return self.account if scope == "account" else self.shared

    @property
    def all(self) -> tuple[tuple[str, str], ...]:
        return ((self.shared_scope, self.shared), ("account", self.account))


def keys_for(connection) -> Keys:
    account = f"{connection.platform}:account:{connection.account_id}"
    if connection.platform == "google":
        token = credentials.developer_token(connection)
        return Keys(f"google:developer:{keyed_hash(token or '')}", "developer", account)
    app = connection.app_id or f"account:{connection.account_id}"  # without an app id, the account stands for it
    return Keys(f"{connection.platform}:app:{app}", "app", account)


def _key(kind: str, key: str) -> str:
    return f"{PREFIX}:{kind}:{key}"


def parked_for(key: str) -> float:
    """Seconds left of `key`'s park (0: not parked)."""
    until = cache.get(_key("park", key))
    return max(0.0, until - time.time()) if until else 0.0


def park(key: str, seconds: float | None) -> None:
    """Park `key` for `seconds` (the default backoff when None); a longer park already set stays."""
    seconds = max(1.0, seconds if seconds is not None else DEFAULT_PARK_SECONDS)
    until = time.time() + seconds
    if (cache.get(_key("park", key)) or 0) < until:
        cache.set(_key("park", key), until, timeout=math.ceil(seconds))


def pace(key: str) -> None:
    cache.set(_key("pace", key), PACE_SECONDS, timeout=PACE_FOR)


def acquire(keys: Keys, *, sleep: Callable[[float], None] = time.sleep) -> None:
    """Let one call through, or raise `RateLimited` without calling: a parked key, or a spent minute's budget."""
    for scope, key in keys.all:
        left = parked_for(key)
        if left:
            raise errors.RateLimited(
                _("Walker is waiting %(seconds)s s before calling again (quota)") % {"seconds": math.ceil(left)},
                code="parked",
                retry_after=left,
                scope=scope,
            )
    spacing = max(cache.get(_key("pace", key)) or 0 for _scope, key in keys.all)
    if spacing:
        sleep(spacing)
    take_budget(keys.shared, keys.shared_scope)


def take_budget(key: str, scope: str, *, per_minute: int | None = None, now: float | None = None) -> None:
    """Count one call against `key`'s budget for this minute; refused (RateLimited) once the budget is spent."""
    per_minute = per_minute or settings.AD_PLATFORM_CALLS_PER_MINUTE
    now = time.time() if now is None else now
    minute = int(now // 60)
    counter = _key("calls", f"{key}:{minute}")
    cache.add(counter, 0, timeout=120)
    try:
        used = cache.incr(counter)
    except ValueError:  # expired between add and incr: this call opens the minute
        cache.add(counter, 1, timeout=120)
        used = 1
    if used > per_minute:
        raise errors.RateLimited(
            _("Walker's own limit of %(count)s calls a minute is reached") % {"count": per_minute},
            code="budget",
            retry_after=60 - now % 60,
            scope=scope,
        )


def observer(keys: Keys, then: UsageObserver | None = None) -> UsageObserver:
    """What hears each usage report: paces the key above PACE_AT, parks it above PARK_AT (before the platform
    throttles), then passes the report on."""

    def heard(usage: Usage) -> None:
        key = keys.for_scope(usage.scope)
        if usage.percent_used >= PARK_AT or usage.regain_seconds:
            park(key, usage.regain_seconds)
        elif usage.percent_used >= PACE_AT:
            pace(key)
        else:
            cache.delete(_key("pace", key))
        if then is not None:
            then(usage)

    return heard


class LimitedClient:
    """A client of the contract whose every call goes through the limiter, and whose quota refusals park the
    scope the platform named."""

    def __init__(self, client: AdPlatformClient, keys: Keys, sleep: Callable[[float], None] = time.sleep):
        self._client, self._keys, self._sleep = client, keys, sleep
        self.platform = client.platform
        self.inner = client  # the platform's own client, for the rare caller that must tell which it is

    def __getattr__(self, name):
        method = getattr(self._client, name)
        if name in CALLS:
            return self._limited(method)
        if name in LISTINGS:
            return self._limited_listing(method)
        return method

    def _refused(self, err: errors.RateLimited) -> None:
        if err.code not in ("parked", "budget"):
            park(self._keys.for_scope(err.scope), err.retry_after)

    def _limited(self, method):
        @wraps(method)
        def call(*args, **kwargs):
            acquire(self._keys, sleep=self._sleep)
            try:
                return method(*args, **kwargs)
            except errors.RateLimited as err:
                self._refused(err)
                raise

        return call

    def _limited_listing(self, method):
        @wraps(method)
        def listing(*args, **kwargs) -> Iterator:
            acquire(self._keys, sleep=self._sleep)
            try:
                yield from method(*args, **kwargs)
            except errors.RateLimited as err:
                self._refused(err)
                raise

        return listing
