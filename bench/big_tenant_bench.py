"""A big tenant (issue 48, point 4): the pages people open, over one tenant of 1,000,000 conversations.

    .venv/bin/python bench/big_tenant_bench.py --scale 0.01          # a quick try: 10,000 conversations
    .venv/bin/python bench/big_tenant_bench.py                       # the full size (fill, then timing)
    .venv/bin/python bench/big_tenant_bench.py --fill-only           # fill (or finish a fill), time nothing
    .venv/bin/python bench/big_tenant_bench.py --time-only -n 20     # time again over the rows present
    .venv/bin/python bench/big_tenant_bench.py --pages-only -n 20    # the pages alone (an A/B: nothing written)

Its own database (--database-url, default postgres://postgres@127.0.0.1:5432/walker_big; created, migrated and
seeded with the demo tenant when missing) and Redis database (--redis-url, default redis://127.0.0.1:6379/9).
bench/big_tenant_fill.py makes the rows (its docstring says which, at --scale 1.0: 1,000,000 conversations,
10,000,000 messages, 1,000,000 approvals with their history, 500 people, a year of campaign figures, and 50 small
tenants beside them) through the ORM, in --jobs processes (default: one a core); a second run adds only what is
missing. Use one scale per database.

Then, as the demo tenant's people (force_login; DEBUG off, as in production), each page is opened once to warm it
and -n times timed through Django's test Client: p50 and p95 of the whole request, the part of it spent in SQL (p50),
the queries of each render (CaptureQueriesContext; "a/b" when they differ between renders). Figures the report
cache keeps (the dashboard, the reports) are timed "cold", with the tenant's cached figures dropped before each render
(reports.cache.figures_changed, what the aggregation jobs do after they write), and warm; the dashboard also "after an
approval change", with only its approval figures dropped, as every approval decided does, and "after the metrics job",
with its figures dropped and its conversation figures computed again as the job does (reports.dashboard.warm). Then,
once each: the CSV export of the last full month, one person's data export and erasure (the API a tenant admin uses),
and the retention job (conversations.retention over every tenant).

Every statement of every render that reads a big table is explained (EXPLAIN, the statement as Django sent it: the
querysets are built inside the views, where QuerySet.explain() cannot reach them), and the plans with a Seq Scan of
a big table are printed. Small scales are planned differently: a table of a few thousand rows is rightly read whole.
"""

import argparse
import contextlib
import io
import json
import os
import shlex
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_big"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"  # never 0: the test suite flushes database 0
GOAL_MS = 300


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the full size (default 1.0)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--renders", "-n", type=int, default=20, help="timed renders per page (default 20)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--fill-only", action="store_true", help="fill what is missing, time nothing")
    only.add_argument("--time-only", action="store_true", help="time over the rows present, fill nothing")
    only.add_argument("--pages-only", action="store_true", help="as --time-only, the pages alone (no once-each jobs)")
    parser.add_argument("--plans", action="store_true", help="print every plan with a seq scan in full")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes writing the big tenant's rows (default: one a core)")  # fmt: skip
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, not {args.jobs}")
    return args


ARGS = arguments() if __name__ == "__main__" else None
if ARGS is not None:
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = ARGS.database_url, ARGS.redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "warning")  # not a line per request between the figures
    from bench.analytics_fill import ensure_database

    ensure_database(ARGS.database_url)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import big_tenant_fill  # noqa: E402
from bench.admin_bench import machine, percentile, template_approval  # noqa: E402
from config import heap  # noqa: E402
from conversations.models import Conversation, Label, Message  # noqa: E402
from conversations.retention import apply_message_retention  # noqa: E402
from hitl.models import HITLApproval, HITLApprovalHistory, HITLDecision  # noqa: E402
from reports import dashboard as report_dashboard  # noqa: E402
from reports.cache import ACTIVITY_ROWS, APPROVAL_ROWS, figures_changed  # noqa: E402
from tenants.demo import DEMO_TENANT  # noqa: E402
from tenants.models import Tenant, User  # noqa: E402

BIG_TABLES = {
    model._meta.db_table
    for model in (Conversation, Message, HITLApproval, HITLApprovalHistory, HITLDecision,
                  Label.conversations.through, HITLApproval.assignees.through)
}  # fmt: skip
EXPLAINED = ("SELECT", "WITH", "UPDATE", "DELETE")


EVERY_KIND = (APPROVAL_ROWS, ACTIVITY_ROWS)  # a report cache left with nothing of the tenant's


class Page:
    """One thing a person opens: as whom, where, and which of the report cache's figures are dropped before each
    render (reports.cache's kinds of rows)."""

    def __init__(self, name, role, path, *, dropped=(), warmed=False):
        self.name, self.role, self.path, self.dropped, self.warmed = name, role, path, dropped, warmed


def pages(tenant) -> list[Page]:
    inbox = reverse("admin:conversations_conversation_changelist")
    queue = reverse("admin:hitl_hitlapproval_changelist")
    order = Label.objects.get(tenant=tenant, name="Order").pk
    named = Conversation.objects.filter(tenant=tenant, user__last_name=big_tenant_fill.LAST_NAMES[0])
    one = named.select_related("user").order_by("-last_message_at").first()  # of a person not erased yet
    person = one.user
    dashboard, conversations_report, approvals_report = reverse("dashboard"), "/api/analytics/conversations/", (
        "/api/analytics/hitl/")  # fmt: skip
    return [
        Page("inbox: all, with the tabs' counts", "support", inbox),
        Page("inbox: waiting for a person", "support", f"{inbox}?box=waiting"),
        Page("inbox: unassigned", "support", f"{inbox}?box=unassigned"),
        Page("inbox: mine", "support", f"{inbox}?box=mine"),
        Page("inbox: labelled Order", "support", f"{inbox}?labels__id__exact={order}"),
        Page(f"inbox: searched by a name ({person.last_name})", "support", f"{inbox}?q={person.last_name}"),
        Page("a conversation's page", "support", reverse("admin:conversations_conversation_change", args=[one.pk])),
        Page("the member's page (/chat/)", person, reverse("chat-home")),
        Page("approval inbox (waiting for me)", "approver", queue),
        Page("approval queue: all pending", "approver", f"{queue}?queue=pending"),
        Page("approval queue: everything", "approver", f"{queue}?queue=all"),
        Page(
            "console conversations: WhatsApp, closed", "admin", f"{inbox}?channel__exact=whatsapp&status__exact=closed"
        ),
        Page(
            "console approvals: executed, high risk",
            "admin",
            f"{queue}?queue=all&status__exact=executed&risk_level__exact=high",
        ),  # fmt: skip
        Page("API conversations", "admin", "/api/conversations/"),
        Page("API conversations: WhatsApp, open", "admin", "/api/conversations/?channel=whatsapp&status=open"),
        Page("API approvals", "admin", "/api/hitl/approvals/"),
        Page("API approvals: pending, high", "admin", "/api/hitl/approvals/?status=pending&risk_level=high"),
        Page("dashboard (cold)", "admin", dashboard, dropped=EVERY_KIND),
        Page("dashboard (after an approval change)", "admin", dashboard, dropped=[APPROVAL_ROWS]),
        Page("dashboard (after the metrics job)", "admin", dashboard, dropped=EVERY_KIND, warmed=True),
        Page("dashboard", "admin", dashboard),
        Page("conversations report (cold)", "admin", conversations_report, dropped=EVERY_KIND),
        Page("conversations report", "admin", conversations_report),
        Page("approvals report (cold)", "admin", approvals_report, dropped=EVERY_KIND),
        Page("approvals report", "admin", approvals_report),
    ]


def clients(tenant) -> dict:
    """One signed-in client per role of the demo tenant (and per person asked for)."""
    made = {}

    def client_for(who):
        user = (
            who
            if isinstance(who, User)
            else User.objects.filter(tenant=tenant, role=who).order_by("date_joined").first()
        )
        if user.pk not in made:
            client = Client(HTTP_HOST="127.0.0.1")  # an allowed host without touching ALLOWED_HOSTS
            client.force_login(user)
            made[user.pk] = client
        return made[user.pk]

    return client_for


def fetch(client, path, *, method="get", data=None):
    """The response with its whole body read (a streamed CSV is read to its end)."""
    response = client.post(path, data, content_type="application/json") if method == "post" else client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code < 300, (path, response.status_code, body[:300])
    return response, body


def plans(captured) -> tuple[int, list[tuple[str, str]]]:
    """How many statements read a big table, and the (table, statement) of each plan with a Seq Scan on one."""
    seen, scans = set(), []
    for query in captured:
        sql = query["sql"]
        if sql in seen or not sql.lstrip("( ").upper().startswith(EXPLAINED):
            continue
        if not any(f'"{table}"' in sql for table in BIG_TABLES):
            continue
        seen.add(sql)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        scans += [(table, sql) for table in _seq_scanned(plan[0]["Plan"])]
    return len(seen), scans


def _seq_scanned(node) -> list[str]:
    found = (
        [node["Relation Name"]]
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG_TABLES
        else []
    )
    for child in node.get("Plans", []):
        found += _seq_scanned(child)
    return found


def time_page(page: Page, client, tenant, renders: int) -> dict:
    fetch(client, page.path)  # warm: templates, permission caches, the plan cache
    times, counts, sql = [], [], []
    for _ in range(renders):
        if page.dropped:
            figures_changed(tenant.pk, page.dropped)
        if page.warmed:
            report_dashboard.warm(tenant)  # in the worker, not timed
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fetch(client, page.path)
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(captured.captured_queries))
        sql.append(_sql_ms(captured.captured_queries))
    explained, scans = plans(captured.captured_queries)
    return {"p50": statistics.median(times), "p95": percentile(times, 95), "queries": _counts(counts),
            "sql": statistics.median(sql), "explained": explained, "scans": scans}  # fmt: skip


def _sql_ms(captured) -> float:
    return sum(float(q["time"]) for q in captured) * 1000


def time_once(action) -> dict:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = action()
        took = (time.perf_counter() - started) * 1000
    explained, scans = plans(captured.captured_queries)
    return {"p50": took, "p95": took, "queries": str(len(captured.captured_queries)), "explained": explained,
            "sql": _sql_ms(captured.captured_queries), "scans": scans, "result": result}  # fmt: skip


def _counts(counts) -> str:
    return "/".join(str(c) for c in sorted(set(counts)))


def one_time_jobs(tenant, client_for) -> list[tuple[str, dict]]:
    """The month's CSV, a person's export and erasure, the retention job: once each."""
    today = timezone.now().date()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    start = last_month_end.replace(day=1)
    csv_path = f"/api/analytics/exports/conversations/?start={start}&end={last_month_end}"
    admin = client_for("admin")
    person = (
        User.objects.filter(tenant=tenant, role="member", is_active=True, last_name__in=big_tenant_fill.LAST_NAMES)
        .order_by("date_joined")
        .first()
    )
    held = Message.objects.filter(conversation__user=person).count()
    subject = "/api/subject-requests/"

    def ask(kind):
        return lambda: fetch(admin, subject, method="post", data={"person": str(person.pk), "kind": kind,
                                                                    "reason": "Benchmark"})[0].status_code  # fmt: skip

    jobs = [
        (f"CSV export of {start:%B %Y}", lambda: f"{len(fetch(admin, csv_path)[1]) / 1e6:.1f} MB"),
        (f"one person's data export ({held:,} messages)", ask("export")),
        (f"one person's erasure ({held:,} messages)", ask("erasure")),
        ("the retention job (every tenant)", apply_message_retention),
    ]
    return [(name, time_once(action)) for name, action in jobs]


def print_row(name, r) -> None:
    over = " **over**" if r["p95"] > GOAL_MS else ""
    scans = ", ".join(sorted({table for table, _ in r["scans"]})) or "none"
    extra = f" ({r['result']})" if "result" in r else ""
    times = f"{r['p50']:.0f} | {r['p95']:.0f}{over} | {r['sql']:.0f}"
    print(f"| {name}{extra} | {times} | {r['queries']} | {r['explained']} | {scans} |", flush=True)


def sizes_present(tenant) -> str:
    count = {
        "conversations": Conversation.objects.filter(tenant=tenant).count(),
        "messages": Message.objects.filter(tenant=tenant).count(),
        "approvals": HITLApproval.objects.filter(tenant=tenant).count(),
        "history": HITLApprovalHistory.objects.filter(tenant=tenant).count(),
        "people": User.objects.filter(tenant=tenant).count(),
        "tenants": Tenant.objects.count(),
    }
    return ", ".join(f"{n:,} {what}" for what, n in count.items())


def main(args):
    print(f"command: {shlex.join(['.venv/bin/python', *sys.argv])}")
    for line in machine():
        print(line)
    print(f"started {timezone.now():%Y-%m-%d %H:%M} UTC, scale {args.scale}")
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (--database-url): the plans and figures are PostgreSQL's")
    call_command("migrate", verbosity=0)
    if not Tenant.objects.filter(slug=DEMO_TENANT["slug"]).exists():
        call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug=DEMO_TENANT["slug"])
    # As in production, and before anything is written or rendered: with DEBUG on, every statement of the fill is
    # also rendered with its values for the query log (a third of the fill's time), and the template engine reads
    # DEBUG when it is built, at the first render.
    settings.DEBUG = False
    if not (args.time_only or args.pages_only):
        with contextlib.redirect_stdout(io.StringIO()):  # the console e-mail provider prints each notification
            template = template_approval(tenant)
        sizes = big_tenant_fill.Sizes.of(args.scale)
        big_tenant_fill.fill(tenant, sizes, template=template, now=timezone.now(), jobs=args.jobs)
    print(f"{tenant.name}: {sizes_present(tenant)}")
    if args.fill_only:
        return
    heap.settle()  # the collector as a server process has it (config.asgi): a full collection took 130 ms a render
    client_for = clients(tenant)
    print(f"\n{args.renders} timed renders a page after one warm-up; goal p95 ≤ {GOAL_MS} ms\n")
    print("| page | p50 ms | p95 ms | SQL ms (p50) | queries/render | statements explained | seq scan of a big table |")
    print("|---|---|---|---|---|---|---|")
    every = []
    for page in pages(tenant):
        r = time_page(page, client_for(page.role), tenant, args.renders)
        print_row(page.name, r)
        every.append((page.name, r))
    if args.pages_only:
        return
    print("\nonce each:\n")
    print("| job | ms | ms | SQL ms | queries | statements explained | seq scan of a big table |")
    print("|---|---|---|---|---|---|---|")
    for name, r in one_time_jobs(tenant, client_for):
        print_row(name, r)
        every.append((name, r))
    scanned = [(name, table, sql) for name, r in every for table, sql in r["scans"]]
    print(f"\nplans with a seq scan of a big table: {len({(n, t) for n, t, _ in scanned})}")
    for name, table, sql in scanned:
        print(f"- {name}: {table}" + (f"\n    {sql}" if args.plans else f": {sql[:200]}…"))


if __name__ == "__main__":
    main(ARGS)
