"""Where a worker's time goes in one answer: the pipeline's answer() run in this process, timed and profiled.

    .venv/bin/python bench/answer_profile.py --answers 300
    .venv/bin/python bench/answer_profile.py --answers 300 --text "raise Summer Sale budget to 450" --profile

The chat benchmark measures the worker's CPU an answer from outside (Celery included); this one runs the same
pipeline without Celery, so what it prints is Walker's own work. Each round stores a chat message through the
pipeline's accept() (as the socket does: one of --users bench members of the demo tenant, the broker in memory so
no task leaves), then answers it with answer(), holding the lease the intake took, as the worker's task would.
The first --warmup answers are not counted. It prints the CPU (this process's user + system time) and the wall
time an answer, with their spread, and the statements an answer runs.

With --profile a second pass runs under cProfile (wall time: waits on the database included) and prints the
share of the answer's time in each of its stages (the cumulative time of the function that does it; the stages nest
in the answer's transaction, so they do not add up to 100 %), then the functions that cost the most in themselves.
cProfile slows what it measures: read its shares, not its milliseconds. For the processor's time alone, sample
this process with `py-spy record --gil` while it runs.

The database is the A/B helper's (walker_ab_head by default: migrated and seeded with the demo tenant); the
channel layer publishes to --redis-url as the worker would, and the answers' sockets are nobody's.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chat_bench import bench_env, setup_django  # noqa: E402

QUESTION = "How is my Summer Sale campaign doing?"  # the chat benchmark's message

# Stage: the function whose cumulative time is that stage's (module path as cProfile names the file, function).
STAGES = [
    ("read the conversation and its messages", "conversations/pipeline/answering.py", "_read"),
    ("read the conversation and its messages", "conversations/pipeline/answering.py", "_latest_messages"),
    ("choose the agent (routing)", "conversations/pipeline/answering.py", "_choose_agent"),
    ("the engine (read tools, reply)", "conversations/pipeline/answering.py", "_run_engine"),
    ("the decisions since the last answer", "conversations/pipeline/feedback.py", "decisions_since_last_answer"),
    ("the answer's transaction", "conversations/pipeline/answering.py", "_store"),
    ("  proposals (request_approval)", "conversations/pipeline/proposals.py", "propose"),
    ("  the outbound message's insert", "conversations/outbound.py", "outbound_message"),
    ("  the response event", "conversations/pipeline/answering.py", "_response_event"),
    ("after commit: events to the sockets", "conversations/events.py", "broadcast"),
    ("after commit: delivery", "conversations/delivery.py", "deliver"),
    ("metrics", "prometheus_client/metrics.py", "observe"),
    ("metrics", "prometheus_client/metrics.py", "inc"),
    ("logging", "structlog/_base.py", "_process_event"),
    ("logging", "logging/__init__.py", "handle"),
    ("all SQL (execute)", "django/db/backends/utils.py", "_execute"),
    ("  of it, the driver", "psycopg/cursor.py", "execute"),
    ("translation (override)", "django/utils/translation/__init__.py", "__enter__"),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=300, help="answers timed (after the warm-up)")
    parser.add_argument("--warmup", type=int, default=30, help="answers first, not counted")
    parser.add_argument("--users", type=int, default=20, help="bench members whose conversations take turns")
    parser.add_argument("--text", default=QUESTION, help="what each member writes")
    parser.add_argument("--profile", action="store_true", help="then a pass under cProfile, with its stages")
    parser.add_argument("--top", type=int, default=25, help="functions listed by their own time")
    parser.add_argument("--save", metavar="PATH", help="keep the profile for pstats or snakeviz")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/walker_ab_head")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--settings", default="config.settings")
    return parser.parse_args(argv)


def one_answer(user, text: str, n: int):
    """Store a message as the socket does, then answer it as the worker's task does; returns (cpu s, wall s)."""
    from channels_app.chat.route import accept_message
    from conversations.models import Conversation
    from conversations.pipeline import answer

    accepted = accept_message(user, text, f"profile-{time.time_ns()}-{n}", None)
    lease = Conversation.objects.filter(pk=accepted.conversation.pk).values_list("answer_lease", flat=True).get()
    cpu, wall = time.process_time(), time.perf_counter()
    answer(accepted.conversation.pk, accepted.message.pk, lease=lease)
    return time.process_time() - cpu, time.perf_counter() - wall


def statements_an_answer(user, text: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from channels_app.chat.route import accept_message
    from conversations.models import Conversation
    from conversations.pipeline import answer

    accepted = accept_message(user, text, f"profile-count-{time.time_ns()}", None)
    lease = Conversation.objects.filter(pk=accepted.conversation.pk).values_list("answer_lease", flat=True).get()
    with CaptureQueriesContext(connection) as queries:
        answer(accepted.conversation.pk, accepted.message.pk, lease=lease)
    return len(queries)


def spread(values_s: list[float]) -> str:
    ms = sorted(v * 1000 for v in values_s)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"mean {statistics.fmean(ms):.2f}, p50 {statistics.median(ms):.2f}, p95 {p95:.2f} ms"


def stage_table(stats: pstats.Stats, total: float) -> list[str]:
    by_stage: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        for stage, path, function in STAGES:
            if name == function and filename.endswith(path):
                by_stage[stage] = by_stage.get(stage, 0.0) + cumulative
    lines = ["| stage | share of the answer |", "|---|---:|"]
    for stage in dict.fromkeys(s for s, _p, _f in STAGES):
        lines.append(f"| {stage} | {100 * by_stage.get(stage, 0.0) / total:.1f} % |")
    return lines


def main(argv=None):
    args = parse_args(argv)
    env = bench_env(SimpleNamespace(settings=args.settings, redis_url=args.redis_url, database_url=args.database_url))
    env["CELERY_BROKER_URL"] = "memory://"  # accept() enqueues; nothing consumes: this process answers
    env["LOG_LEVEL"] = "warning"  # as the chat benchmark's worker logs: each answer's info line still formatted
    setup_django(env)
    os.environ["CELERY_BROKER_URL"] = "memory://"

    from bench.chat_bench import machine_line, prepare_users
    from tenants.models import User

    prepare_users(args.users)
    users = list(User.objects.filter(email__in=[f"bench-{i}@acme.test" for i in range(args.users)]))
    print(machine_line(), flush=True)
    print(f"database {args.database_url}; {args.users} members; message {args.text!r}", flush=True)
    for n in range(args.warmup):
        one_answer(users[n % len(users)], args.text, n)
    cpu, wall = [], []
    for n in range(args.answers):
        c, w = one_answer(users[n % len(users)], args.text, n)
        cpu.append(c)
        wall.append(w)
    print(f"\n{args.answers} answers in this process (no Celery), load average {os.getloadavg()[0]:.2f} after:")
    print(f"| CPU an answer | {spread(cpu)} |")
    print(f"| wall an answer | {spread(wall)} |")
    print(f"| statements an answer | {statements_an_answer(users[0], args.text)} |")
    if not args.profile:
        return
    profiler = cProfile.Profile()
    total = 0.0
    for n in range(args.answers):
        user = users[n % len(users)]
        profiler.enable()
        started = time.perf_counter()
        one_answer(user, args.text, n)
        total += time.perf_counter() - started
        profiler.disable()
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler)
    # the intake (accept_message) is in the profile too: the stages are shares of the answer alone
    answering = [
        cumulative
        for (filename, _l, name), (_c, _n, _t, cumulative, _callers) in stats.stats.items()
        if name == "answer" and filename.endswith("conversations/pipeline/answering.py")
    ]
    print(f"\nUnder cProfile: {1000 * total / args.answers:.2f} ms an intake and answer; stages of the answer:")
    print("\n".join(stage_table(stats, answering[0] if answering else total)))
    print(f"\nThe {args.top} functions that cost the most in themselves (intake and answer):")
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
