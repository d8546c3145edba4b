"""The corpus (issue 31, point 7): at least 95 % routed and understood with the right slots on the held-out
part, in each language, and nothing proposed is ever carried out (no approval exists, no row changes)."""

import pytest

from tests.agents_nlu import scoring, world

pytestmark = pytest.mark.django_db

MINIMUM = 95.0


def _run(user, name):
    results = [scoring.run(user, item) for item in world.load(name)]
    failures = [f"{r.item['text']!r}: {r.agent}/{r.intent} {r.problem}" for r in results if not (r.routed and r.slots)]
    return results, failures


@pytest.mark.slow
@pytest.mark.parametrize("part", ["heldout.yaml", "train.yaml"])
def test_the_corpus_is_routed_and_understood(nlu_world, part):
    results, failures = _run(nlu_world, part)
    table = scoring.figures(results)
    for language in ("en", "es"):
        count, routing, understood, slots, _actions = table[language, "all"]
        assert routing >= MINIMUM and slots >= MINIMUM, (language, table[language, "all"], failures)
