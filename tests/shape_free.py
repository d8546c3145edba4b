"""`shape_free` tests start what they test with an environment of their own (`make run`'s processes on a SQLite file
of their own, a settings module read in a fresh interpreter, the deployment's files) and never touch the run's
database, cache or broker: their outcome is the same in both of CI's shapes, so .ci/run runs them in the embedded
shape only. A test so marked that asks for the run's database or broker is refused at collection."""

import pytest

RUNS_SHAPE = {"db", "transactional_db", "live_db", "postgres_only", "broker", "live_server", "start_worker"}


def pytest_collection_modifyitems(config, items):
    wrong = [
        item.nodeid
        for item in items
        if item.get_closest_marker("shape_free") is not None
        and (RUNS_SHAPE & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("django_db") is not None)
    ]
    if wrong:
        raise pytest.UsageError("marked shape_free but uses the run's database or broker: " + ", ".join(wrong))
