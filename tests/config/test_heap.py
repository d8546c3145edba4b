"""A server process freezes what it loaded and collects its young objects less often (config.heap)."""

import gc
import json
import weakref

import pytest

from config import heap
from tests.config.test_settings_shapes import run_python


@pytest.fixture
def collector_as_it_was():
    """The test process's heap frozen first, as importing config.asgi freezes it: settling then collects only what
    the test made, not the whole suite's heap (1.6 s otherwise; the session's end collects the frozen, conftest).
    The thresholds are put back after."""
    gc.freeze()
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)


def test_settle_freezes_what_is_loaded_and_raises_the_young_threshold(collector_as_it_was):
    gc.set_threshold(700, 10, 10)
    frozen_before = gc.get_freeze_count()
    loaded = [[n] for n in range(1000)]  # lists, which the collector tracks (not dicts of plain values), alive
    heap.settle()
    assert gc.get_freeze_count() >= frozen_before + len(loaded)
    assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, 10, 10)


def test_garbage_of_loading_is_collected_not_frozen(collector_as_it_was):
    class Cycle:
        pass

    cycle = Cycle()
    cycle.me = cycle
    watched = weakref.ref(cycle)
    del cycle  # unreachable, but only the cyclic collector frees it: frozen, it would be kept for good
    heap.settle()
    assert watched() is None


SHOW = """
import gc, json, sys
if sys.argv[1] == "asgi":
    import config.asgi
else:  # a worker's parent: Celery's Django fixup sets Django up at worker_init, before Walker's receivers
    import django
    django.setup()
    from celery.signals import worker_init
    from config.celery import app
    worker_init.send(sender=None)
print(json.dumps({"frozen": gc.get_freeze_count(), "young": gc.get_threshold()[0]}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("process", ["asgi", "celery"])
def test_daphne_and_the_celery_parent_settle_once_loaded(process):
    result = run_python(["-c", SHOW, process])
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["frozen"] > 100_000  # Django, the apps and the URLconf
    assert shown["young"] == heap.YOUNG_THRESHOLD
