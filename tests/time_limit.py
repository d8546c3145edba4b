"""The quick loop stays quick: a test not marked `slow` should take under a second of its own setup and call.

Over 1 s of wall time it is listed at the end of the run. It fails past 4 s of processor time, or past 10 s of
wall time. Processor time is what the test costs, and the machine's load does not change it: two xdist workers
share two cores, and a test of 0.01 s was once stalled for 2.1 s of wall time while the other worker started a
browser. The line is 4 s, not 1, for what a worker pays once on first use, whichever test comes first (measured
up to 2.6 s in CI: the first message through the pipeline, the first workflow form; the console's first page is
rendered before any test, tests/conftest.py): a nearer line failed CI runs on tests that pass alone in 0.7 s.
Wall time catches what processor time cannot see, a test that waits (a sleep, a timeout, another process), with
room enough for a stall; the time the test's thread sat ready to run while other processes had both cores (Linux's
schedstat) is not its own: a scrape of 0.04 s once took 16.6 s of wall time while the production-shape test started
eight processes beside it.

Its own: the time of fixtures shared with other tests (session, package, module and class scope, the test
database's creation among them) is not counted against the test that happened to set them up first. Tests that
start processes or a browser are `slow` and run apart (pytest-xdist's `processes` group, tests/conftest.py).
"""

import time
from pathlib import Path

import pytest

LIMIT_SECONDS = 1.0
FAIL_PROCESSOR_SECONDS = 4.0
FAIL_WALL_SECONDS = 10.0

_shared_fixture_seconds = {"wall": 0.0, "processor": 0.0}
_phase_started: dict[str, float] = {}
_over_the_limit: list[tuple[str, str]] = []


SCHEDSTAT = Path("/proc/thread-self/schedstat")  # "<on a core> <ready, waiting for one> <slices>", in nanoseconds


def _ready_seconds() -> float:
    """How long this thread has waited for a core while ready to run (0 where the kernel does not say)."""
    try:
        return int(SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def _clocks() -> dict[str, float]:
    """Wall time less the waits for a core, and processor time."""
    return {"wall": time.perf_counter() - _ready_seconds(), "processor": time.process_time()}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    _shared_fixture_seconds.update(wall=0.0, processor=0.0)
    _phase_started.update(_clocks())
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    _phase_started.update(_clocks())
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.scope == "function":
        return (yield)
    started = _clocks()
    try:
        return (yield)
    finally:
        for clock, now in _clocks().items():
            _shared_fixture_seconds[clock] += now - started[clock]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when not in ("setup", "call") or not report.passed or item.get_closest_marker("slow"):
        return report
    shared = _shared_fixture_seconds if call.when == "setup" else {"wall": 0.0, "processor": 0.0}
    now = _clocks()
    wall = now["wall"] - _phase_started["wall"] - shared["wall"]
    processor = now["processor"] - _phase_started["processor"] - shared["processor"]
    if processor > FAIL_PROCESSOR_SECONDS or wall > FAIL_WALL_SECONDS:
        report.outcome = "failed"
        report.longrepr = (
            f"its {call.when} took {wall:.2f} s ({processor:.2f} s of processor); a test not marked `slow` takes "
            f"under {LIMIT_SECONDS:.0f} s and fails past {FAIL_PROCESSOR_SECONDS} s of processor or "
            f"{FAIL_WALL_SECONDS:.0f} s of wall time (tests/time_limit.py): make it cheaper, or mark it `slow` if "
            "it must start processes, crawl every page or wait out a timeout"
        )
    elif wall > LIMIT_SECONDS:
        report.user_properties.append(("over_the_limit", f"{call.when} {wall:.2f} s ({processor:.2f} s processor)"))
    return report


def pytest_runtest_logreport(report):
    """On the controller too (xdist sends each report back with its properties): what went over the second."""
    for name, value in report.user_properties:
        if name == "over_the_limit" and report.when != "teardown":
            _over_the_limit.append((report.nodeid, value))


def pytest_terminal_summary(terminalreporter):
    if _over_the_limit and not hasattr(terminalreporter.config, "workerinput"):
        terminalreporter.section(
            f"not marked slow and over {LIMIT_SECONDS:.0f} s (fails past {FAIL_PROCESSOR_SECONDS} s of processor "
            f"or {FAIL_WALL_SECONDS:.0f} s)"
        )
        for nodeid, value in sorted(set(_over_the_limit)):
            terminalreporter.write_line(f"{value}  {nodeid}")
