"""Queue isolation benchmark: chat answers keep their latency while a 10,000-reader brief run is in progress.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE walker_queue_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/walker_queue_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/walker_queue_bench .venv/bin/python manage.py seed_demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/walker_queue_bench \\
        .venv/bin/python bench/queue_isolation_bench.py --redis-url redis://127.0.0.1:6379/3

Each shape starts its own Celery workers (prefork, two pool processes in all, on the same settings), then:

    quiet      the split workers (below), no brief run: the answers' own latency
    one-queue  the old shape: every task on one queue (`celery`, bench/one_queue_settings.py), one worker
    make-run   the three queues, one worker consuming all of them (`-Q answers,notifications,bulk`, make run)
    split      the three queues, one worker for `answers` and one for `notifications,bulk` (production's shape)
    split-nice split, the `notifications,bulk` worker under `nice -n 19` (both workers on one machine)

A brief run is --readers `briefs.tasks.send_brief_now` tasks published at once (each one reader's brief,
composed and handed to the console provider): the run's briefs wait in the broker as one fan-out of bulk work
does. Once they are published, --answers chat messages (one every --interval seconds, from ten people in turn)
are accepted by the pipeline as daphne accepts them, and each answer's latency is the time from the message's
row to its answer's row (both stored by Walker, so the broker's wait and the worker's run are in it). The
shape's briefs sent by the last answer show the run was still going. Before it all, each person's first
message is answered unmeasured, so every pool process has run the engine once. The rest of the run is purged, and the
next shape starts from an empty broker (the briefs are forgotten first, so each run sends them again).

Goal (issue 34): answer p99 during a brief run within 1.5x of the quiet p99. Use a Redis database nobody else
uses: each shape deletes its queues there. Needs a quiet machine; it prints the load average.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHAPES = {
    # shape: (settings module, [(queues, pool processes[, niceness])], brief run)
    "quiet": ("config.settings", [("answers", 1), ("notifications,bulk", 1)], False),
    "one-queue": ("bench.one_queue_settings", [("celery", 2)], True),
    "make-run": ("config.settings", [("answers,notifications,bulk", 2)], True),
    "split": ("config.settings", [("answers", 1), ("notifications,bulk", 1)], True),
    # split, the notifications and bulk worker at the lowest CPU priority (`nice -n 19`): one machine for both
    "split-nice": ("config.settings", [("answers", 1), ("notifications,bulk", 1, 19)], True),
}
QUEUE_KEYS = ("celery", "answers", "notifications", "bulk", "unacked", "unacked_index")
CHAT_PEOPLE = 10


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_shape(shape: str, args) -> dict:
    """One shape in a child process, on its own settings module (the routes are read once per process)."""
    settings_module = SHAPES[shape][0]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "REDIS_URL": args.redis_url}
    env.pop("CELERY_BROKER_URL", None)
    child = [sys.executable, __file__, "--shape", shape, "--readers", str(args.readers), "--answers",
             str(args.answers), "--interval", str(args.interval), "--timeout", str(args.timeout),
             "--redis-url", args.redis_url]  # fmt: skip
    done = subprocess.run(child, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--shape", help=argparse.SUPPRESS)  # one shape, in the child process
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.3, help="seconds between two chat messages")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the last answer")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"), required="REDIS_URL" not in os.environ)
    args = parser.parse_args()
    if args.shape:
        print(json.dumps(measure(args.shape, args)), flush=True)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"{'shape':<10} {'answered':>9} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'briefs during':>22} load")
    for shape in args.shapes.split(","):
        got = run_shape(shape, args)
        briefs = f"{got['briefs_at_first']:,}→{got['briefs_at_last']:,} of {got['run']:,}" if got["run"] else "-"
        print(
            f"{shape:<10} {got['answered']:>4}/{got['asked']:<4} {got['p50']:>9,.0f} {got['p99']:>9,.0f} "
            f"{got['max']:>9,.0f} {briefs:>22} {got['load']:.2f}",
            flush=True,
        )


# --- one shape, in its own process --------------------------------------------------------------


def measure(shape: str, args) -> dict:
    import django

    os.environ.setdefault("EMAIL_CONSOLE_DIR", tempfile.mkdtemp(prefix="queue-bench-mail-"))
    django.setup()
    import redis
    from django.conf import settings
    from django.utils import timezone

    from analytics.models import EmailDeliveryLog
    from bench.brief_bench import ensure_readers
    from briefs.models import DailyBrief
    from config.celery import app as celery_app
    from conversations import pipeline
    from conversations.models import Message
    from conversations.normalized import InboundMessage
    from tenants.demo import DEMO_TENANT
    from tenants.models import Tenant, User

    _, workers, brief_run = SHAPES[shape]
    tenant = Tenant.objects.get(slug=DEMO_TENANT["slug"])
    ensure_readers(tenant, args.readers)
    readers = list(User.objects.filter(tenant=tenant, first_name="Bench").order_by("email")[: args.readers])
    people = chat_people(tenant, User)
    today = timezone.now().date()
    days = [today + timedelta(days=shift) for shift in (-1, 0, 1)]
    DailyBrief.objects.filter(user__in=readers, local_date__in=days).delete()
    for day in days:  # the log's reference would say "sent already"
        EmailDeliveryLog.objects.filter(email_type="daily_brief", reference__endswith=f":{day}").delete()
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(*QUEUE_KEYS)
    started = [start_worker(shape, n, *worker) for n, worker in enumerate(workers)]
    try:
        # Not measured: each person's first answer, so every pool process has run the engine once (imports, caches).
        warm_up = [pipeline.accept(InboundMessage(channel="chat", text="hello", user_id=p.pk), user=p) for p in people]
        wait_for_answers(Message, [accepted.message.pk for accepted in warm_up], args.timeout)
        if brief_run:
            for user in readers:
                celery_app.send_task("briefs.tasks.send_brief_now", [str(user.pk)])
        sent = DailyBrief.objects.filter(user__in=readers, local_date__in=days, status="sent")
        briefs_at_first = sent.count()
        asked = []
        for n in range(args.answers):
            person = people[n % len(people)]
            inbound = InboundMessage(channel="chat", text=f"How are my campaigns doing? ({n})", user_id=person.pk)
            asked.append(pipeline.accept(inbound, user=person).message.pk)
            time.sleep(args.interval)
        latencies = wait_for_answers(Message, asked, args.timeout)
        briefs_at_last = sent.count()
    finally:
        for process, log in started:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            log.close()
        broker.delete(*QUEUE_KEYS)
    ms = [seconds * 1000 for seconds in latencies]
    return {
        "shape": shape,
        "asked": len(asked),
        "answered": len(ms),
        "p50": statistics.median(ms) if ms else 0,
        "p99": percentile(ms, 0.99) if ms else 0,
        "max": max(ms, default=0),
        "run": len(readers) if brief_run else 0,
        "briefs_at_first": briefs_at_first,
        "briefs_at_last": briefs_at_last,
        "load": os.getloadavg()[0],
    }


def chat_people(tenant, User) -> list:
    people = []
    for n in range(CHAT_PEOPLE):
        person, created = User.objects.get_or_create(
            email=f"chat-{n}@queue.bench", defaults={"tenant": tenant, "role": "member", "first_name": "Chat"}
        )
        if created:
            person.set_unusable_password()
            person.save()
        people.append(person)
    return people


def start_worker(shape: str, n: int, queues: str, processes: int, niceness: int = 0):
    log = open(Path(tempfile.gettempdir()) / f"queue-bench-{shape}-{n}.log", "w")  # noqa: SIM115  (closed by the caller)
    process = subprocess.Popen(
        ["nice", "-n", str(niceness), sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
         f"--concurrency={processes}",
         "-Q", queues, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
         "-n", f"bench-{shape}-{n}@%h"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    time.sleep(5)  # the pool processes start
    if process.poll() is not None:
        raise RuntimeError(f"worker {n} of {shape} exited with {process.returncode}; see {log.name}")
    return process, log


def wait_for_answers(Message, asked: list, timeout: float) -> list[float]:
    """Seconds from each message's row to its answer's row, for those answered within `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        replies = dict(
            Message.objects.filter(in_reply_to_id__in=asked, direction="outbound").values_list(
                "in_reply_to_id", "created_at"
            )
        )
        if len(replies) == len(asked) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    sent_at = dict(Message.objects.filter(pk__in=asked).values_list("pk", "created_at"))
    return [(replies[pk] - sent_at[pk]).total_seconds() for pk in asked if pk in replies]


if __name__ == "__main__":
    main()
