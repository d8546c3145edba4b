"""Two imports of one tenant at the same moment (PostgreSQL, each on its own connection): one runs after the
other, so the same new rows are made once, also where no unique key would stop twins (content titles)."""

from agents.import_files import import_file
from agents.models import Campaign, ContentPiece
from tests.concurrency import at_once
from tests.imports.conftest import csv_text

TITLES = [f"Trail Notes {n}" for n in range(20)]


def test_two_imports_of_the_same_new_content_make_each_piece_once(postgres_only, tenant_admin):
    data = csv_text("title,channel,status,views", *[f"{title},blog,draft,10" for title in TITLES])
    reports = at_once(*[lambda: import_file(tenant_admin, "content", data, dry_run=False)] * 2)
    assert sorted((r.new, r.unchanged, r.stored) for r in reports) == [(0, 20, True), (20, 0, True)]
    assert ContentPiece.objects.filter(tenant=tenant_admin.tenant).count() == 20


def test_two_imports_of_the_same_new_campaigns_both_succeed(postgres_only, tenant_admin):
    data = csv_text("name,platform,status,daily_budget", *[f"Campaign {n},meta,active,10" for n in range(20)])
    reports = at_once(*[lambda: import_file(tenant_admin, "campaigns", data, dry_run=False)] * 2)
    assert sorted((r.new, r.unchanged, r.invalid) for r in reports) == [(0, 20, 0), (20, 0, 0)]
    assert Campaign.objects.filter(tenant=tenant_admin.tenant).count() == 20


def test_imports_of_two_tenants_do_not_wait_for_each_other(postgres_only, tenant_admin, outsider):
    data = csv_text("name,platform,status,daily_budget", "Summer Sale,meta,active,10")
    reports = at_once(
        lambda: import_file(tenant_admin, "campaigns", data, dry_run=False),
        lambda: import_file(outsider, "campaigns", data, dry_run=False),
    )
    assert [r.new for r in reports] == [1, 1]
    assert Campaign.objects.filter(name="Summer Sale").count() == 2
