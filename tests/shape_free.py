"""The tests .ci/run runs in its embedded shape only, their outcome being the same in both shapes:

- `shape_free` tests start what they test with an environment of their own (`make run`'s processes on a SQLite file
  of their own, a settings module read in a fresh interpreter, the deployment's files) and never touch the run's
  database, cache or broker. One so marked that asks for the run's database or broker is refused at collection.
- `shape_neutral(why)` tests use the run's database, but what they check does not depend on which one it is (the
  words of every page in Spanish, a form driven in a browser): each says why. What does depend on it stays in both
  runs: every console page and record rendered on PostgreSQL (tests/console/test_plain_words.py), the live path over
  Redis (tests/browser/test_live_shapes.py, the production shape), the schema fuzz (PostgreSQL only).
"""

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
    unexplained = [item.nodeid for item in items if _neutral_without_reason(item)]
    if unexplained:
        raise pytest.UsageError("marked shape_neutral without saying why: " + ", ".join(unexplained))
    never_run = [item.nodeid for item in items if _embedded_only(item) and _postgres_only(item)]
    if never_run:
        raise pytest.UsageError(
            "needs PostgreSQL but marked to run in the embedded shape only: " + ", ".join(never_run)
        )


def _neutral_without_reason(item) -> bool:
    marker = item.get_closest_marker("shape_neutral")
    return marker is not None and not (marker.args and isinstance(marker.args[0], str) and marker.args[0].strip())


def _embedded_only(item) -> bool:
    return item.get_closest_marker("shape_free") is not None or item.get_closest_marker("shape_neutral") is not None


def _postgres_only(item) -> bool:
    """Skipped on SQLite (tests/conftest.py): marked so, or row locks and concurrent connections."""
    return item.get_closest_marker("postgres") is not None or "postgres_only" in getattr(item, "fixturenames", ())
