"""The cyclic garbage collector, set for a long-running server process (daphne, a Celery worker).

With CPython's defaults, daphne under the approval desk bench spent a third of its CPU in the collector, and a
full collection stopped every request for up to 1.3 s: the tail of a decision's answer (bench/RESULTS.md,
"Garbage collection"). Each full collection walked the ~300,000 objects loaded at start (Django, the apps, the
URLconf), and a request's objects, alive across an await, were promoted after 700 allocations and piled up as
garbage that only a full collection frees. So, once a process is loaded:

- what it loaded is frozen (`gc.freeze`): no collection walks it again; in a Celery parent, before the pool forks,
  which also spares the children copying those pages when the collector would have touched them;
- the youngest generation is collected every YOUNG_THRESHOLD allocations instead of 700, so most of a request's
  objects die before their first collection instead of being promoted.
"""

import gc
from importlib import import_module

from django.conf import settings

YOUNG_THRESHOLD = 20_000  # measured against 700 (default), 20,000 and 50,000: bench/RESULTS.md


def settle() -> None:
    """Freeze what this process has loaded, its URLconf included, and collect the young less often. Called once a
    server process is loaded (config.asgi, config.celery)."""
    import_module(settings.ROOT_URLCONF)  # the views, serializers and forms a first request would import
    gc.collect()  # the garbage of loading is freed, not frozen
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
