"""Daily brief benchmark: select, compose and hand to the console provider every brief due, for 10,000 readers.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE walker_brief_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/walker_brief_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/walker_brief_bench .venv/bin/python manage.py seed_demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/walker_brief_bench REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/brief_bench.py --readers 10000

It makes sure the demo tenant has --readers people (bench-<n>@brief.bench, added with bulk_create,
their addresses encrypted like any other) with an email preference at 08:00 in one of 24 time zones,
forgets the briefs (and their emails) around a day two days ahead, and times `send_due_briefs` at the 24 moments (in
order) when each zone's 08:00 comes that day. Each run also sends or skips what is due elsewhere at that
moment, as the beat task would (the zones east of the date line reach their next day). It prints the
briefs sent, the total and per-brief time, and the SQL statements per brief (an execute wrapper,
transaction control apart), which should not grow with the tenant's data. The provider is the console
one; its files go to a temporary folder.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/walker_brief_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")  # never 0: the test suite flushes database 0
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from analytics.models import EmailDeliveryLog  # noqa: E402
from briefs.models import DailyBrief  # noqa: E402
from briefs.services import send_due_briefs  # noqa: E402
from tenants.demo import DEMO_TENANT  # noqa: E402
from tenants.models import Tenant, User, UserEmailPreference  # noqa: E402

ZONES = [  # 24 zones around the world
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Chicago",
    "America/New_York", "America/Halifax", "America/Sao_Paulo", "Atlantic/South_Georgia", "Atlantic/Azores",
    "Europe/London", "Europe/Paris", "Europe/Athens", "Europe/Moscow", "Asia/Dubai", "Asia/Karachi",
    "Asia/Dhaka", "Asia/Bangkok", "Asia/Shanghai", "Asia/Tokyo", "Australia/Brisbane", "Pacific/Noumea",
    "Pacific/Auckland", "Pacific/Kiritimati",
]  # fmt: skip
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
BATCH = 2000


def ensure_readers(tenant, count: int) -> None:
    have = UserEmailPreference.objects.filter(tenant=tenant, user__first_name="Bench").count()
    if have >= count:
        return
    print(f"adding {count - have:,} readers…", flush=True)
    for start in range(have, count, BATCH):
        users = [
            User(email=f"bench-{n}@brief.bench", first_name="Bench", last_name=str(n), tenant=tenant, role="approver")
            for n in range(start, min(start + BATCH, count))
        ]
        for user in users:
            user.set_unusable_password()
            user.is_staff = True
        User.objects.bulk_create(users)
        UserEmailPreference.objects.bulk_create(
            UserEmailPreference(user=u, tenant=tenant, timezone=ZONES[i % len(ZONES)], delivery_time="08:00")
            for i, u in enumerate(users, start=start)
        )
        print(f"  {min(start + BATCH, count):,}", flush=True)


def count_into(counted: list):
    """An execute wrapper counting the statements that read or write rows (every one, unlike queries_log); an
    executemany counts once per row, though psycopg sends them in one pipeline."""

    def wrapper(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(CONTROL):
            counted.append(len(params) if many else 1)
        return execute(sql, params, many, context)

    return wrapper


def moment_for(zone: str, day) -> datetime:
    """A minute after 08:00 on `day` in `zone`, in UTC."""
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(zone)).replace(hour=8, minute=1).astimezone(UTC)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=10_000)
    args = parser.parse_args()
    settings.EMAIL_PROVIDER = "console"
    settings.EMAIL_CONSOLE_DIR = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    tenant = Tenant.objects.get(slug=DEMO_TENANT["slug"])
    ensure_readers(tenant, args.readers)
    day = datetime.now(UTC).date() + timedelta(days=2)
    days = [day + timedelta(days=shift) for shift in (-1, 0, 1)]
    DailyBrief.objects.filter(local_date__in=days).delete()
    # and their emails, else the log's reference says "sent already" and nothing is sent
    for forgotten in days:
        EmailDeliveryLog.objects.filter(email_type="daily_brief", reference__endswith=f":{forgotten}").delete()
    sent, per_moment, statements = 0, [], 0
    started = time.perf_counter()
    for zone, moment in sorted(((z, moment_for(z, day)) for z in ZONES), key=lambda pair: pair[1]):
        counted = []
        with connection.execute_wrapper(count_into(counted)):
            begun = time.perf_counter()
            outcomes = send_due_briefs(moment)
            per_moment.append(time.perf_counter() - begun)
        done = sum(o.status == "sent" for o in outcomes)
        sent += done
        statements += sum(counted)
        print(f"{zone:<24} {done:>6,} sent in {per_moment[-1]:6.2f} s", flush=True)
    total = time.perf_counter() - started
    print(f"\nbriefs sent: {sent:,} in {total:.1f} s ({total / max(sent, 1) * 1000:.2f} ms a brief)")
    print(f"SQL statements: {statements:,} ({statements / max(sent, 1):.1f} a brief, selection included)")
    print(f"slowest zone: {max(per_moment):.2f} s; median zone: {statistics.median(per_moment):.2f} s")


if __name__ == "__main__":
    main()
