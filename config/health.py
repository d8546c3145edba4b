"""Liveness and readiness probes for load balancers and orchestrators.

They are answered by `ProbeMiddleware`, first in MIDDLEWARE, not through the URLconf: the kubelet probes a pod by
its IP (`Host: 10.1.2.3:8000`), which a strict ALLOWED_HOSTS refuses with a 400 in CommonMiddleware, and over plain
HTTP, which the HTTPS redirect would answer with a 301.
"""

import asyncio
import contextlib

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction, sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from config.celery import app as celery_app

CHECK_TIMEOUT_SECONDS = 3


@never_cache
def healthz(request):
    """The process is up and serving requests; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _check_channel_layer() -> None:
    """Round-trip one message through the layer, as a consumer would."""
    layer = get_channel_layer()
    channel = await layer.new_channel("readyz.")
    try:
        await layer.send(channel, {"type": "readyz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "readyz.ping":
            raise RuntimeError(f"unexpected message {message!r}")
    finally:
        # The pub/sub layer subscribes a channel on receive and unsubscribes when a receive is
        # cancelled: without this every probe would leave a subscription behind.
        leftover = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0)
        leftover.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await leftover


def _check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)


_CHECKS = {
    "database": sync_to_async(_check_database),
    "channel_layer": _check_channel_layer,
    "celery_broker": sync_to_async(_check_broker, thread_sensitive=False),
}


async def _run(check) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return f"error: no answer within {CHECK_TIMEOUT_SECONDS}s"
    except Exception as exc:  # any failure means "not ready"; the reason is reported, not raised
        return f"error: {type(exc).__name__}: {exc}"[:300]
    return "ok"


@never_cache
async def readyz(request):
    """200 when every dependency answers, else 503 naming what failed."""
    results = dict(zip(_CHECKS, await asyncio.gather(*(_run(check) for check in _CHECKS.values())), strict=True))
    failed = [name for name, result in results.items() if result != "ok"]
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "failed": failed, "checks": results},
        status=503 if failed else 200,
    )


class ProbeMiddleware:
    """Answers `/healthz` and `/readyz` whatever the Host header and scheme, before any other middleware."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        if request.path_info == "/healthz":
            return healthz(request)
        if request.path_info == "/readyz":
            return async_to_sync(readyz)(request)
        return self.get_response(request)

    async def _acall(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        if request.path_info == "/readyz":
            return await readyz(request)
        return await self.get_response(request)
