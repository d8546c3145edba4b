"""The console's Import on the marketing lists: upload, preview, confirm; errors per row; who sees the button."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agents.models import Campaign, CampaignDailyStat
from tenants.roles import Role
from tests.factories import CampaignFactory, UserFactory
from tests.i18n.english import english_on
from tests.imports.conftest import csv_text, export_csv

CAMPAIGNS = "name,platform,status,daily_budget"
STATS = "campaign,date,spend,impressions,clicks,conversions,revenue"
IMPORT = reverse("admin:agents_campaign_import")
CONFIRM = reverse("admin:agents_campaign_process_import")
STATS_IMPORT = reverse("admin:agents_campaigndailystat_import")


def upload(client, url, data: bytes):
    return client.post(url, {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("file.csv", data)})


def confirm_fields(html: str) -> dict:
    """The hidden fields of the preview's "Confirm import" form."""
    form = html[html.index('name="import_file_name"') - 200 :]
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form[: form.index("</form>")]))


def test_preview_stores_nothing_and_confirm_stores_the_file(console_as, tenant_admin):
    client = console_as(tenant_admin)
    CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    preview = upload(client, IMPORT, csv_text(CAMPAIGNS, "Summer Sale,meta,active,650.00", "Brand,google,active,1"))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Confirm import" in html and "Brand" in html
    assert Campaign.objects.count() == 1  # the preview was rolled back
    confirmed = client.post(CONFIRM, confirm_fields(html))
    assert confirmed.status_code == 302
    assert dict(Campaign.objects.values_list("name", "daily_budget")) == {
        "Summer Sale": Decimal("650.00"), "Brand": Decimal("1.00"),
    }  # fmt: skip
    assert set(Campaign.objects.values_list("tenant", flat=True)) == {tenant_admin.tenant_id}
    listing = client.get(confirmed["Location"]).content.decode()
    assert "Import finished: 1 new, 1 updated, 0 deleted and 0 skipped campaigns." in listing


def test_an_invalid_row_shows_its_errors_and_offers_no_confirm(console_as, tenant_admin):
    client = console_as(tenant_admin)
    CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale")
    data = csv_text(
        STATS,
        "Summer Sale,2026-03-01,480.00,60000,900,12,1320.00",
        "Summer Sale,2026-03-02,4x0,60000,900,12,1320.00",
        "Winter Sale,2026-03-03,480.00,60000,900,12,1320.00",
        "Summer Sale,tomorrow,480.00,60000,900,12,1320.00",
    )
    html = upload(client, STATS_IMPORT, data).content.decode()
    assert "Confirm import" not in html
    for error in [
        "Enter a number with a point for decimals, no thousands separator: 1234.50.",
        "No campaign of yours is named “Winter Sale”.",
        "Enter a date as YYYY-MM-DD, such as 2026-03-21.",
    ]:
        assert error in html
    assert not CampaignDailyStat.objects.exists()


def test_a_file_with_unknown_columns_is_refused_on_the_form(console_as, tenant_admin):
    html = upload(console_as(tenant_admin), IMPORT, csv_text("id,name", "1,Summer Sale")).content.decode()
    assert "Unknown columns: id." in html and "Confirm import" not in html
    assert not Campaign.objects.exists()


def test_a_file_over_the_size_limit_is_refused_on_the_form(console_as, tenant_admin, settings):
    settings.IMPORT_MAX_BYTES = 40
    data = csv_text(CAMPAIGNS, "Summer Sale,meta,active,1", "Brand,google,active,1")
    html = upload(console_as(tenant_admin), IMPORT, data).content.decode()
    assert "The file is larger than 40 bytes; split it into smaller files." in html
    assert not Campaign.objects.exists()


def test_a_row_invalid_by_the_time_of_confirming_rolls_the_whole_file_back(console_as, tenant_admin):
    client = console_as(tenant_admin)
    campaign = CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale")
    data = csv_text(STATS, "Summer Sale,2026-03-01,480.00,60000,900,12,1320.00")
    html = upload(client, STATS_IMPORT, data).content.decode()
    campaign.delete()  # between the preview and the confirmation
    CampaignFactory(tenant=tenant_admin.tenant, name="Brand")
    answer = client.post(reverse("admin:agents_campaigndailystat_process_import"), confirm_fields(html))
    assert answer["Location"] == STATS_IMPORT
    assert "Nothing was imported" in client.get(answer["Location"]).content.decode()
    assert not CampaignDailyStat.objects.exists()


@pytest.mark.parametrize("role", [Role.APPROVER, Role.SUPPORT, Role.COMPLIANCE])
def test_other_roles_see_the_lists_but_may_not_import(console_as, tenant, role):
    client = console_as(UserFactory(tenant=tenant, role=role))
    listing = client.get(reverse("admin:agents_campaign_changelist"))
    assert listing.status_code == 200 and IMPORT not in listing.content.decode()
    assert client.get(IMPORT).status_code == 403
    assert upload(client, IMPORT, csv_text(CAMPAIGNS, "Summer Sale,meta,active,1")).status_code == 403
    assert not Campaign.objects.exists()


def test_members_do_not_reach_the_console_import(console_as, colleague):
    client = console_as(colleague)
    assert client.get(IMPORT).status_code == 302  # to the sign-in
    upload(client, IMPORT, csv_text(CAMPAIGNS, "Summer Sale,meta,active,1"))
    assert not Campaign.objects.exists()


@pytest.mark.slow
def test_admins_see_the_import_button(console_as, tenant_admin):
    assert IMPORT in console_as(tenant_admin).get(reverse("admin:agents_campaign_changelist")).content.decode()


@pytest.mark.slow
def test_the_import_page_its_errors_and_preview_read_in_spanish(console_as, tenant_admin):
    tenant_admin.language = "es"
    tenant_admin.save(update_fields=["language"])
    client = console_as(tenant_admin)
    CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale")
    page = client.get(STATS_IMPORT).content.decode()
    assert "Un archivo CSV (UTF-8) con una línea de encabezado." in page
    assert english_on(page) == []
    errors = upload(client, STATS_IMPORT, csv_text(STATS, "Winter Sale,03/01/2026,4x0,1,1,0,0")).content.decode()
    for spanish in ["Ninguna de tus campañas se llama «Winter Sale».", "Escribe una fecha como AAAA-MM-DD",
                    "Escribe un número con punto para los decimales"]:  # fmt: skip
        assert spanish in errors
    assert english_on(errors) == []
    refused = upload(client, STATS_IMPORT, csv_text("id,campaign", "1,Summer Sale")).content.decode()
    assert "Columnas desconocidas: id." in refused
    preview = upload(client, STATS_IMPORT, csv_text(STATS, "Summer Sale,2026-03-01,1.00,1,1,0,0")).content.decode()
    assert english_on(preview) == []


def test_the_columns_a_file_holds_are_shown_as_the_files_own_words(console_as, tenant_admin):
    """A one-column kind too: "keyword" is the column's name in every language, marked as English, not translated."""
    tenant_admin.language = "es"
    tenant_admin.save(update_fields=["language"])
    page = console_as(tenant_admin).get(reverse("admin:agents_targetkeyword_import")).content.decode()
    assert '<code lang="en" translate="no">keyword</code>' in page
    assert english_on(page) == []


def test_an_export_from_the_list_imports_back_unchanged(console_as, tenant_admin, approver):
    for name in ("Summer Sale", "Brand Search"):
        CampaignFactory(tenant=tenant_admin.tenant, name=name)
    CampaignFactory(name="Someone Else's")  # another tenant: not in the export
    export = console_as(approver).get(reverse("admin:agents_campaign_export"))  # whoever sees the list
    assert export.status_code == 200 and export["Content-Disposition"].startswith('attachment; filename="campaigns-')
    data = b"".join(export.streaming_content)
    assert data.decode() == export_csv("campaigns", tenant_admin.tenant)
    html = upload(console_as(tenant_admin), IMPORT, data).content.decode()
    assert html.count('class="skip') == 2 and "Confirm import" in html  # both rows: unchanged


def test_a_campaign_named_like_a_formula_exports_quoted_and_imports_back_unchanged(console_as, tenant_admin):
    """The outside test's campaign names: each the first cell of its row, quoted on the way out (OWASP's rule) and
    read back as it was named, so an export still imports back unchanged."""
    names = ["+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", '=HYPERLINK("x")']
    for name in names:
        CampaignFactory(tenant=tenant_admin.tenant, name=name)
    export = console_as(tenant_admin).get(reverse("admin:agents_campaign_export"))
    data = b"".join(export.streaming_content)
    first_cells = {row[0] for row in list(csv.reader(io.StringIO(data.decode())))[1:]}
    assert first_cells == {"'" + name for name in names}
    html = upload(console_as(tenant_admin), IMPORT, data).content.decode()
    assert html.count('class="skip') == len(names) and "Confirm import" in html
