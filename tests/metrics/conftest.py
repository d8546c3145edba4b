"""Reading Walker's metrics in the test process (no PROMETHEUS_MULTIPROC_DIR here: the default registry)."""

import pytest
from prometheus_client import REGISTRY

TOKEN = "metrics-test-token-" + "m" * 24


def value(name: str, **labels) -> float:
    """The sample's current value, 0 when it was never touched."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Moves:
    """`moves = Moves(); ...; moves("walker_x_total", channel="chat")`: how much a sample grew since `Moves()`."""

    def __init__(self):
        self.before = {
            (s.name, tuple(sorted(s.labels.items()))): s.value for m in REGISTRY.collect() for s in m.samples
        }

    def __call__(self, name: str, **labels) -> float:
        return value(name, **labels) - self.before.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def moves():
    return Moves()


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN
