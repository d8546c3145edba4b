"""Ad platform sync benchmark: one tenant's Google Ads account of N campaigns × 90 days, synced into Walker.

    .venv/bin/python bench/ad_sync_bench.py --sizes 500,5000 \\
        --database-url postgres://postgres@127.0.0.1:5432/walker_ad_sync_bench

The account is the fake Google Ads API (adplatforms.simulator.google) on 127.0.0.1, reached over HTTP by Walker's
own client (OAuth token, googleAds:search, googleAds:searchStream) through `adplatforms.sync.sync_connection`, the
code path of the beat task and `sync_ad_platforms`. The fake makes each campaign's days on demand, the same
figures on every call (`day_source`), so it never holds 450,000 rows.

For each size: a tenant of its own (made again on every run), a connection, a first sync of the 90 days (the
`--since` of `sync_ad_platforms`) and a second one over the same days, which must change nothing (a digest of every
figure before and after). It prints the wall time of each step (the account, the campaigns, the days, and the
fake's part of the days: the same listing without saving), the rows written, the SQL statements (an execute
wrapper, transaction control apart) and the statements per campaign-day, which must not grow with the size: the
campaigns, links and figures are upserted in batches (adplatforms.sync.BATCH), not a statement a row.

The database (PostgreSQL; --database-url, else DATABASE_URL) is created and migrated when missing.
"""

import argparse
import hashlib
import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_ad_sync_bench"
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
ACCOUNT = "5550009999"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,5000", type=sizes, help="campaign counts, comma-separated")
    parser.add_argument("--days", default=90, type=int, help="days of figures per campaign (at most 90)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""), help="the cache (default locmem)")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 90:
        parser.error("--days must be between 1 and 90 (the sync reads at most 90 days back)")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must name a PostgreSQL database")
    return args


def sizes(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"campaign counts as 500,5000, not {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("at least one campaign count, each 1 or more")
    return values


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


def figures(campaign, first: date, last: date):
    """The campaign's days from `first` to `last`: the same figures for the same campaign and day on every call."""
    from adplatforms.simulator.google import Day

    day = first
    while day <= last:
        seed = int.from_bytes(hashlib.blake2b(f"{campaign.id}:{day}".encode(), digest_size=8).digest(), "big")
        impressions = 500 + seed % 20_000
        clicks = impressions * (1 + seed % 7) // 100
        conversions = Decimal(clicks * (seed % 5)) / 100
        yield Day(
            campaign.id,
            day,
            impressions,
            clicks,
            (clicks * (300_000 + seed % 900_000)) // 10_000 * 10_000,
            conversions.quantize(Decimal("0.01")),
            (conversions * 95).quantize(Decimal("0.01")),
        )
        day += timedelta(days=1)


class Statements:
    """Counts the statements sent on Django's connection (transaction control apart)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(CONTROL):
            self.count += 1
        return execute(sql, params, many, context)


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The fake renders a 450,000-row answer in Python, on a shared machine: far slower than Google's stream.
    os.environ.setdefault("AD_PLATFORM_TIMEOUT", "900")
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"$ {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}, code {commit()}, "
        f"AD_PLATFORM_TIMEOUT {os.environ['AD_PLATFORM_TIMEOUT']} s"
    )
    for size in args.sizes:
        bench(size, args.days)


def commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return found.stdout.strip() or "unknown"


def bench(size: int, days: int) -> None:
    from django.conf import settings
    from django.db import connection as db
    from django.test.utils import override_settings
    from django.utils import timezone

    from adplatforms import clients, sync
    from adplatforms.models import AdConnection
    from adplatforms.simulator.google import FakeGoogleAds
    from agents.models import Campaign, CampaignDailyStat
    from tenants.models import Tenant

    slug = f"ad-sync-bench-{size}"
    Campaign.objects.filter(tenant__slug=slug).delete()
    Tenant.objects.filter(slug=slug).delete()
    tenant = Tenant.objects.create(slug=slug, name=f"Ad sync bench {size}", timezone="UTC")

    fake = FakeGoogleAds(version=settings.GOOGLE_ADS_API_VERSION).start()
    customer = fake.add_customer(ACCOUNT, f"Bench {size}", currency="USD", time_zone="UTC")
    for index in range(size):
        external = str(100_000 + index)
        fake.add_budget(ACCOUNT, external, 10_000_000 * (1 + index % 50))
        fake.add_campaign(
            ACCOUNT, external, f"Campaign {index:05d}", external, status=("ENABLED", "PAUSED")[index % 7 == 0]
        )
    customer.day_source = figures
    connection = AdConnection.objects.create(
        tenant=tenant,
        platform="google",
        account_id=ACCOUNT,
        developer_token=fake.developer_token,
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        refresh_token=fake.refresh_token,
    )
    today = timezone.now().date()
    since = today - timedelta(days=days - 1)
    try:
        with override_settings(GOOGLE_ADS_API_URL=fake.url, GOOGLE_OAUTH_TOKEN_URL=fake.token_url):
            listing = time.perf_counter()
            listed = sum(1 for _ in clients.client_for(connection).campaign_days(since, today))
            listing = time.perf_counter() - listing
            print(f"\n{size:,} campaigns × {days} days: the fake and the client alone list {listed:,} days", end="")
            print(f" in {listing:.1f} s")
            for label in ("first sync", "second sync (the same figures)"):
                before = digest(tenant)
                steps, counter = {}, Statements()
                started = time.perf_counter()
                with db.execute_wrapper(counter):
                    run = sync.sync_connection(
                        connection,
                        since=since,
                        progress=lambda step, steps=steps, counter=counter: steps.setdefault(
                            step, (time.perf_counter(), counter.count)
                        ),
                    )
                wall = time.perf_counter() - started
                assert run.status == "succeeded", run.error
                after = digest(tenant)
                report(label, run, wall, steps, started, counter.count, listing)
                if label.startswith("second"):
                    print(
                        f"  changed nothing: {'yes' if before == after else 'NO'} (digest of every campaign and figure)"
                    )
            rows = CampaignDailyStat.objects.filter(tenant=tenant).count()
            print(f"  rows held: {Campaign.objects.filter(tenant=tenant).count():,} campaigns, {rows:,} campaign days")
    finally:
        fake.stop()


def report(label, run, wall, steps, started, statements, listing) -> None:
    campaign_days = run.campaign_days
    marks = [("account", "account"), ("campaigns", "campaigns"), ("days", "days")]
    previous, parts = (started, 0), []
    for step, name in marks:
        at, count = steps[step]
        parts.append(f"{name} {at - previous[0]:.1f} s / {count - previous[1]} statements")
        previous = (at, count)
    print(
        f"  {label}: {wall:.1f} s wall; {run.campaigns:,} campaigns, {campaign_days:,} campaign days; "
        f"{statements} statements, {statements / campaign_days:.5f} a campaign-day "
        f"({campaign_days / statements:,.0f} campaign-days a statement)"
    )
    print(f"    steps: {'; '.join(parts)}; of the days, the fake and client's listing about {listing:.1f} s")


def digest(tenant) -> str:
    """A digest of every campaign and figure of `tenant`: equal before and after a sync that changed nothing."""
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute(
            """
            SELECT md5(coalesce(string_agg(
                s.campaign_id::text || s.date || s.spend || s.impressions || s.clicks || s.conversions || s.revenue,
                ',' ORDER BY s.campaign_id, s.date), ''))
              || md5(coalesce((SELECT string_agg(c.id::text || c.name || c.status || c.daily_budget, ',' ORDER BY c.id)
                              FROM agents_campaign c WHERE c.tenant_id = %s), ''))
            FROM agents_campaigndailystat s WHERE s.tenant_id = %s
            """,
            [tenant.pk, tenant.pk],
        )
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
