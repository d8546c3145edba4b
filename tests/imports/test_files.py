"""Importing marketing files (agents.import_files): natural keys, a whole file refused on one bad row, the tenant's
own rows only, one spelling of numbers and dates, and who may import."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from agents.import_files import ImportRefused, import_file, may_import
from agents.imports import KINDS
from agents.models import AudienceSegment, Campaign, CampaignDailyStat, ContentPiece, KeywordRanking, TargetKeyword
from core.errors import WalkerError
from tenants.models import Tenant, User
from tenants.roles import Role
from tests.factories import CampaignDailyStatFactory, CampaignFactory, ContentPieceFactory, UserFactory
from tests.imports.conftest import csv_text, export_csv

CAMPAIGNS = "name,platform,status,daily_budget"
STATS = "campaign,date,spend,impressions,clicks,conversions,revenue"
MODELS = {
    "campaigns": Campaign,
    "campaign-stats": CampaignDailyStat,
    "keyword-rankings": KeywordRanking,
    "target-keywords": TargetKeyword,
    "content": ContentPiece,
    "segments": AudienceSegment,
}


def errors_of(report) -> list[tuple]:
    return [(e.row, e.field) for e in report.errors]


@pytest.mark.slow
def test_the_demo_data_exported_imports_into_a_fresh_tenant_as_it_was(db, admin_of):
    call_command("seed_demo", stdout=io.StringIO())
    demo = Tenant.objects.get(slug="acme-outdoor")
    importer = admin_of("fresh")
    files = {kind: export_csv(kind, demo) for kind in KINDS}  # campaigns first: the stats name them
    for kind, text in files.items():
        report = import_file(importer, kind, text.encode(), dry_run=False)
        count = MODELS[kind].objects.for_tenant(demo).count()
        assert (report.stored, report.new, report.errors) == (True, count, []), kind
        assert count > 0
    for kind, text in files.items():
        assert export_csv(kind, importer.tenant) == text, kind  # the same rows, value for value
        again = import_file(importer, kind, text.encode(), dry_run=False)  # a re-import changes nothing
        assert (again.new, again.updated, again.unchanged, again.invalid) == (0, 0, len(text.splitlines()) - 1, 0)
    assert MODELS["campaigns"].objects.for_tenant(importer.tenant).count() == 6


def test_a_changed_row_updates_the_row_of_that_name(tenant_admin):
    kept = CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    other = CampaignFactory(tenant=tenant_admin.tenant, name="Brand Search", platform="google")
    data = csv_text(CAMPAIGNS, "Summer Sale,meta,paused,650.00", "Brand Search,google,active,500.00")
    report = import_file(tenant_admin, "campaigns", data, dry_run=False)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    kept.refresh_from_db()
    assert (kept.status, kept.daily_budget) == ("paused", Decimal("650.00"))
    assert Campaign.objects.for_tenant(tenant_admin.tenant).count() == 2
    assert Campaign.objects.get(pk=other.pk).status == "active"


def test_spaces_around_a_cell_are_no_part_of_it(tenant_admin):
    kept = CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale", status="active")
    data = csv_text(CAMPAIGNS, " Summer Sale , meta , paused , 500.00 ")
    report = import_file(tenant_admin, "campaigns", data, dry_run=False)
    assert (report.new, report.updated, report.errors) == (0, 1, [])
    kept.refresh_from_db()
    assert (kept.name, kept.platform, kept.status) == ("Summer Sale", "meta", "paused")


def test_stats_are_found_by_campaign_and_date(tenant_admin):
    campaign = CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale")
    stat = CampaignDailyStatFactory(campaign=campaign, date=date(2026, 3, 1), spend=Decimal("480.00"))
    data = csv_text(STATS, "Summer Sale,2026-03-01,490.10,60000,900,12,1320.00", "Summer Sale,2026-03-02,1.00,1,1,0,0")
    report = import_file(tenant_admin, "campaign-stats", data, dry_run=False)
    assert (report.new, report.updated) == (1, 1)
    stat.refresh_from_db()
    assert (stat.spend, stat.clicks, stat.revenue) == (Decimal("490.10"), 900, Decimal("1320.00"))
    assert CampaignDailyStat.objects.filter(campaign=campaign).count() == 2


def test_one_invalid_row_and_nothing_is_stored_each_error_named_by_row_and_column(tenant_admin):
    campaign = CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale")
    data = csv_text(
        STATS,
        "Summer Sale,2026-03-01,480.00,60000,900,12,1320.00",  # valid: not stored either
        "Summer Sale,2026-03-02,4 80,60000,900,12,1320.00",  # a bad number
        "Winter Sale,2026-03-03,480.00,60000,900,12,1320.00",  # no such campaign
        "Summer Sale,03/04/2026,480.00,60000,900,12,1320.00",  # not an ISO date
        "Summer Sale,2026-02-30,480.00,60000,12.5,12,1320.00",  # no such day; a count that is no whole number
    )
    report = import_file(tenant_admin, "campaign-stats", data, dry_run=False)
    assert not report.stored
    assert (report.new, report.invalid) == (1, 4)
    assert errors_of(report) == [(2, "spend"), (3, "campaign"), (4, "date"), (5, "clicks"), (5, "date")]
    assert report.errors[1].message == "No campaign of yours is named “Winter Sale”."
    assert report.errors[2].message == "Enter a date as YYYY-MM-DD, such as 2026-03-21."
    assert not CampaignDailyStat.objects.filter(campaign=campaign).exists()


def test_the_models_own_rules_are_row_errors_too(tenant_admin):
    data = csv_text(CAMPAIGNS, "Summer Sale,tiktok,active,-5", "Brand Search,google,active,100.123", ",meta,active,1")
    report = import_file(tenant_admin, "campaigns", data, dry_run=False)
    assert errors_of(report) == [(1, "daily_budget"), (1, "platform"), (2, "daily_budget"), (3, "name")]
    assert not Campaign.objects.exists()


def test_a_dry_run_checks_everything_and_stores_nothing(tenant_admin):
    data = csv_text(CAMPAIGNS, "Summer Sale,meta,active,500.00", "Brand Search,google,active,200.00")
    report = import_file(tenant_admin, "campaigns", data, dry_run=True)
    assert (report.dry_run, report.stored, report.new, report.errors) == (True, False, 2, [])
    assert not Campaign.objects.exists()


def test_a_file_names_each_row_once(tenant_admin):
    data = csv_text(CAMPAIGNS, "Summer Sale,meta,active,500.00", "Brand,google,active,1", "Summer Sale,meta,paused,1")
    report = import_file(tenant_admin, "campaigns", data, dry_run=False)
    assert errors_of(report) == [(3, "name")]
    assert report.errors[0].message == "Row 1 has the same name; a file names each once."
    assert not Campaign.objects.exists()


def test_a_title_several_pieces_share_cannot_be_updated(tenant_admin):
    for _ in range(2):
        ContentPieceFactory(tenant=tenant_admin.tenant, title="Fall Gear Guide")
    report = import_file(tenant_admin, "content", csv_text("title,views", "Fall Gear Guide,10"), dry_run=False)
    assert errors_of(report) == [(1, "title")]
    assert set(ContentPiece.objects.values_list("views", flat=True)) == {0}


def test_rows_go_into_the_importers_tenant_and_never_touch_another(tenant_admin, outsider):
    theirs = CampaignFactory(tenant=outsider.tenant, name="Summer Sale", daily_budget=Decimal("900.00"))
    report = import_file(tenant_admin, "campaigns", csv_text(CAMPAIGNS, "Summer Sale,meta,paused,1.00"), dry_run=False)
    assert (report.new, report.updated) == (1, 0)
    mine = Campaign.objects.get(tenant=tenant_admin.tenant)
    theirs.refresh_from_db()
    assert (mine.name, mine.daily_budget, theirs.status, theirs.daily_budget) == (
        "Summer Sale", Decimal("1.00"), "active", Decimal("900.00"),
    )  # fmt: skip


def test_a_stat_naming_another_tenants_campaign_is_refused_not_attached(tenant_admin, outsider):
    theirs = CampaignFactory(tenant=outsider.tenant, name="Globex Launch")
    data = csv_text(STATS, "Globex Launch,2026-03-01,1.00,1,1,0,0", f"{theirs.pk},2026-03-01,1.00,1,1,0,0")
    report = import_file(tenant_admin, "campaign-stats", data, dry_run=False)
    assert errors_of(report) == [(1, "campaign"), (2, "campaign")]
    assert not CampaignDailyStat.objects.exists()


@pytest.mark.parametrize(
    "data, code",
    [
        (csv_text("id,name,platform,status,daily_budget", "1,Summer Sale,meta,active,1"), "bad_columns"),
        (csv_text("platform,status,daily_budget", "meta,active,1"), "bad_columns"),
        (csv_text("name,name,platform", "a,b,meta"), "bad_columns"),
        ("name,platform\r\nCafé,meta\r\n".encode("latin-1"), "not_utf8"),
        (csv_text("name,platform", "Sum\x00mer,meta"), "unreadable"),
        (csv_text("name,platform"), "empty"),
        (b"", "empty"),
        (csv_text("name,platform", "a,meta,extra"), "unreadable"),
    ],
    ids=["another-column", "no-key-column", "a-column-twice", "latin-1", "nul", "header-only", "empty", "ragged"],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_the_reason(tenant_admin, data, code):
    with pytest.raises(ImportRefused) as refused:
        import_file(tenant_admin, "campaigns", data, dry_run=False)
    assert refused.value.code == code
    assert not Campaign.objects.exists()


def test_the_refusal_names_the_columns(tenant_admin):
    with pytest.raises(ImportRefused) as refused:
        import_file(tenant_admin, "campaigns", csv_text("id,platform", "1,meta"), dry_run=False)
    assert refused.value.detail == (
        "Unknown columns: id. Missing key columns: name. The columns are: name, platform, status, daily_budget."
    )


def test_files_over_the_limits_are_refused(tenant_admin, settings):
    rows = [f"Campaign {n},meta,active,1" for n in range(4)]
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(ImportRefused) as refused:
        import_file(tenant_admin, "campaigns", csv_text(CAMPAIGNS, *rows), dry_run=False)
    assert (refused.value.code, refused.value.detail) == (
        "too_large", "The file has more than 3 rows; split it into smaller files.",
    )  # fmt: skip
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_BYTES = 10, 100
    with pytest.raises(ImportRefused) as refused:
        import_file(tenant_admin, "campaigns", csv_text(CAMPAIGNS, *rows), dry_run=False)
    assert refused.value.code == "too_large"
    assert not Campaign.objects.exists()


def test_numbers_read_the_same_in_every_language(tenant_admin):
    """In Spanish "1.234" is a thousand and "1234,50" a decimal for Django's localised input: never in a file."""
    with translation.override("es"):
        data = csv_text(CAMPAIGNS, "Brand,google,active,1.234", 'Summer Sale,meta,active,"1234,50"')
        report = import_file(tenant_admin, "campaigns", data, dry_run=True)
        assert errors_of(report) == [(1, "daily_budget"), (2, "daily_budget")]
        assert "decimal" in report.errors[0].message  # too many decimal places, in Spanish: not read as 1234
        assert report.errors[1].message.startswith("Escribe un número")
        data = csv_text(CAMPAIGNS, "Summer Sale,meta,active,1234.50")
        assert import_file(tenant_admin, "campaigns", data, dry_run=False).stored
    assert Campaign.objects.get().daily_budget == Decimal("1234.50")


def test_moments_without_an_offset_are_the_tenants_and_money_is_exact(tenant_admin):
    tenant_admin.tenant.timezone = "America/Los_Angeles"
    tenant_admin.tenant.save()
    data = csv_text(
        "title,channel,status,scheduled_for,published_at",
        "Launch,blog,scheduled,2026-03-21T10:00:00,",
        "Recap,blog,published,,2026-03-21T10:00:00+01:00",
    )
    assert import_file(tenant_admin, "content", data, dry_run=False).stored
    pieces = dict(ContentPiece.objects.values_list("title", "scheduled_for"))
    assert pieces["Launch"] == datetime(2026, 3, 21, 17, 0, tzinfo=UTC)  # 10:00 in Los Angeles (PDT)
    assert ContentPiece.objects.get(title="Recap").published_at == datetime(2026, 3, 21, 9, 0, tzinfo=UTC)
    segments = csv_text("name,size,weekly_growth", "Trail Runners,48200,0.10", "Lapsed,9700,-3.20")
    assert import_file(tenant_admin, "segments", segments, dry_run=False).stored
    growth = dict(AudienceSegment.objects.values_list("name", "weekly_growth"))
    assert growth == {"Trail Runners": Decimal("0.10"), "Lapsed": Decimal("-3.20")}


@pytest.mark.parametrize(
    "role, allowed",
    [(Role.ADMIN, True), (Role.APPROVER, False), (Role.SUPPORT, False), (Role.COMPLIANCE, False), (Role.MEMBER, False)],
)
def test_only_tenant_admins_import(tenant, role, allowed):
    user = UserFactory(tenant=tenant, role=role)
    assert all(may_import(user, model) is allowed for model in MODELS.values())
    if not allowed:
        with pytest.raises(WalkerError) as refused:
            import_file(user, "campaigns", csv_text(CAMPAIGNS, "Summer Sale,meta,active,1"), dry_run=False)
        assert refused.value.code == "forbidden"
        assert not Campaign.objects.exists()


def test_a_platform_account_has_no_tenant_to_import_into(superuser):
    assert not may_import(superuser, Campaign)
    assert not may_import(User(is_active=True), Campaign)  # signed out: AnonymousUser-like, no tenant
