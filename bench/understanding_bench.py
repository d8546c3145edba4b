"""How well the built-in agents understand people (issue 31, point 7): routing, understood and slot accuracy
over the corpus (tests/agents_nlu/corpus), per language and per agent, on a fresh test database.

    DATABASE_POOL=0 .venv/bin/python bench/understanding_bench.py [--part heldout|train|all] [--failures]

Each utterance goes the way a message goes: routed with the tenant and the conversation, answered by the
built-in engine (its `before` messages first). Nothing is carried out: proposals are only read.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["heldout", "train", "all"], default="all")
    parser.add_argument("--failures", action="store_true", help="list the utterances that missed")
    args = parser.parse_args()

    import django

    django.setup()
    import time_machine
    from django.db import connection
    from django.test.utils import setup_test_environment

    from hitl.models import HITLApproval
    from tests.agents_nlu import scoring, world
    from tests.factories import UserFactory

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        user = UserFactory(role="admin")
        world.build(user.tenant)
        parts = ["heldout", "train"] if args.part == "all" else [args.part]
        with time_machine.travel(world.now(), tick=False):
            for part in parts:
                results = [scoring.run(user, item) for item in world.load(f"{part}.yaml")]
                _print(part, results, args.failures)
        print(f"approvals filed: {HITLApproval.objects.count()} (the engine only proposes)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _print(part, results, failures):
    from tests.agents_nlu import scoring

    print(f"\n{part}: {len(results)} utterances")
    print(f"{'language':<9}{'agent':<10}{'n':>5}{'routing':>9}{'understood':>12}{'slots':>8}{'actions':>9}")
    for (language, agent), (count, routing, understood, slots, actions) in scoring.figures(results).items():
        row = f"{routing:>8.1f}%{understood:>11.1f}%{slots:>7.1f}%{actions:>8.1f}%"
        print(f"{language:<9}{agent:<10}{count:>5}{row}")
    if failures:
        for r in results:
            if not (r.routed and r.understood and r.slots):
                print(f"  MISS {r.item['text']!r} -> {r.agent}/{r.intent} {r.problem} | {r.reply[:90]!r}")


if __name__ == "__main__":
    main()
