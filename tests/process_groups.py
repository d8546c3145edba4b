"""Under pytest-xdist (`make test`, `--dist loadgroup`) the `processes` tests, which drive a browser or start
Walker's servers and workers, run one after another on one worker while the other workers run the rest.

Two of them at once on two cores starve each other's processes past their deadlines (a production shape beside
`make run`'s failed to stop cleanly), and slow each other down: in two groups, a browser test beside a server
shape, the embedded run took 21 min 41 s, against 14 min 31 s when (pytest-xdist #1386) nothing grouped them.
"""

import os

import pytest


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (`make test`): one worker more than the machine has cores.

    A worker waits much of its time (on PostgreSQL and Redis, and on the servers and browsers the `processes`
    tests start), so one per core left a core idle about 15 % of a run. Measured on 2 cores, in one clone one
    run after another: the services shape 665 s with two workers, 574 s with three (idle 5 %); the embedded
    shape 468 s and 419 s.
    """
    return (os.cpu_count() or 1) + 1


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """First among the hooks: pytest-xdist's own reads the group markers, and a conftest's hook runs after it."""
    for item in items:
        if item.get_closest_marker("processes") is not None:
            item.add_marker(pytest.mark.xdist_group("processes"))
