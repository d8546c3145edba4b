"""`/metrics`: Prometheus' scrape of the web process, behind a bearer token (docs/metrics.md).

What it shows: every Walker process's metrics (core.metrics, django-prometheus' requests and queries), added up
over the files of PROMETHEUS_MULTIPROC_DIR when it is set, else this process's own; plus what is read at scrape
time: the approval queue (hitl.metrics) and the length of each Celery queue, in the Redis broker or the embedded
broker's folder.

Without METRICS_TOKEN the path answers 404, as if it did not exist; a request without the token, or with another,
is refused with 401. Either way nothing is read.
"""

import os
from collections import Counter
from functools import cache
from pathlib import Path

import redis
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

from core.metrics import process_registry, queue_names
from hitl.metrics import ApprovalsWaiting


@cache
def _broker() -> redis.Redis:
    """One client (and its connection pool) per process."""
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)


class QueueLengths:
    """Tasks waiting in each Celery queue: the list kombu keeps per queue in the Redis broker, or the message files in
    the embedded broker's folder (kombu's filesystem transport); nothing on another broker."""

    def collect(self):
        names = queue_names()
        if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
            lengths = _redis_lengths(names)
        elif folder := getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("data_folder_in"):
            lengths = _folder_lengths(Path(folder), names)
        else:
            return
        family = GaugeMetricFamily("walker_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"])
        for name, length in zip(names, lengths, strict=True):
            family.add_metric([name], length)
        yield family

    def describe(self):
        return []


def _redis_lengths(names: list[str]) -> list[int]:
    pipe = _broker().pipeline(transaction=False)
    for name in names:
        pipe.llen(name)
    return pipe.execute()


def _folder_lengths(folder: Path, names: list[str]) -> list[int]:
    """The files kombu's filesystem reader would take, per queue: `<time>_<uuid>.<queue>.msg`, matched as it matches
    them (everything after the first dot), so a file still being written under another name is not counted."""
    try:
        files = os.listdir(folder)
    except FileNotFoundError:  # nothing was ever sent
        files = []
    waiting = Counter(name.partition(".")[2] for name in files)
    return [waiting[f"{name}.msg"] for name in names]


def scrape(accept: str = "") -> tuple[bytes, str]:
    """The web's scrape (process metrics, the approval queue, queue lengths) in the format the scraper accepts
    (Prometheus' text format, or OpenMetrics when asked for), and its content type."""
    scraped = CollectorRegistry()
    scraped.register(_Registry(process_registry()))
    scraped.register(ApprovalsWaiting())
    scraped.register(QueueLengths())
    encode, content_type = choose_encoder(accept)
    return encode(scraped), content_type


class _Registry:
    """A registry collected as one collector of another (the default one cannot take scrape-time collectors: it
    lives as long as the process and they would pile up)."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()

    def describe(self):
        return []


def _authorized(request) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and constant_time_compare(token.strip(), settings.METRICS_TOKEN)


@never_cache
def metrics(request):
    if not settings.METRICS_TOKEN:
        return HttpResponseNotFound()
    if not _authorized(request):
        response = HttpResponse("A bearer token is needed.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = scrape(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
