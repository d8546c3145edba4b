"""Under pytest-xdist (`make test`, `--dist loadgroup`) the `processes` tests, which drive a browser or start
Walker's servers and workers, run one after another on one worker while the other workers run the rest.

Two of them at once on two cores starve each other's processes past their deadlines (a production shape beside
`make run`'s failed to stop cleanly), and slow each other down: in two groups, a browser test beside a server
shape, the embedded run took 21 min 41 s, against 14 min 31 s when (pytest-xdist #1386) nothing grouped them.
"""

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """First among the hooks: pytest-xdist's own reads the group markers, and a conftest's hook runs after it."""
    for item in items:
        if item.get_closest_marker("processes") is not None:
            item.add_marker(pytest.mark.xdist_group("processes"))
