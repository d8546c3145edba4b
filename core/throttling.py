"""DRF's throttles, open when their counter cannot be read.

A throttle keeps its counter in the cache (Redis). When Redis stalls or is down, the read fails after the
cache's short timeout (REDIS_CACHE_TIMEOUT) and the call goes on, logged, instead of answering 500: the
throttles guard capacity, and refusing every call guards nothing. Password guessing on the token login is
still stopped by django-axes, which counts in the database.
"""

import logging

from django.conf import settings
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError
from rest_framework import throttling

log = logging.getLogger(__name__)


class FailOpen:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (ConnectionInterrupted, RedisError) as error:  # django-redis wraps redis-py's connection errors
            log.warning("Throttle %s not checked: the cache did not answer (%s)", type(self).__name__, error)
            return True


class AnonRateThrottle(FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FailOpen, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(FailOpen, throttling.ScopedRateThrottle):
    pass


class CredentialRateThrottle(FailOpen, throttling.SimpleRateThrottle):
    """Counted per credential (an integration token, which is one agent), not per person: the owner of several
    tokens has a budget for each. The view names the setting holding its rate (`throttle_rate_setting`), read on
    each call."""

    scope = "credential"

    def get_rate(self):
        return None  # read in allow_request, from the view

    def allow_request(self, request, view):
        self.rate = getattr(settings, view.throttle_rate_setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        credential = getattr(request.auth, "pk", None) or getattr(request.user, "pk", None)
        return self.cache_format % {"scope": view.throttle_rate_setting, "ident": credential} if credential else None
