"""POST /api/imports/<kind>/: counts, errors per row and column, dry runs, limits, roles, tenants, the schema."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agents.models import Campaign, CampaignDailyStat
from tenants.roles import Role
from tests.factories import CampaignFactory, UserFactory
from tests.imports.conftest import csv_text

CAMPAIGNS = "name,platform,status,daily_budget"
STATS = "campaign,date,spend,impressions,clicks,conversions,revenue"


def post(client, kind: str, data: bytes, **fields):
    body = {"file": SimpleUploadedFile(f"{kind}.csv", data, content_type="text/csv"), **fields}
    return client.post(reverse("agents:import", args=[kind]), body, format="multipart")


def test_an_import_answers_what_each_row_did(api_as, tenant_admin):
    CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    CampaignFactory(tenant=tenant_admin.tenant, name="Brand Search", platform="google", daily_budget=Decimal("200"))
    data = csv_text(CAMPAIGNS, "Summer Sale,meta,paused,500", "Brand Search,google,active,200.00", "New,meta,active,1")
    answer = post(api_as(tenant_admin), "campaigns", data)
    assert answer.status_code == 200
    assert answer.json() == {
        "kind": "campaigns", "dry_run": False, "stored": True, "new": 1, "updated": 1, "unchanged": 1, "invalid": 0,
        "errors": [],
    }  # fmt: skip
    assert Campaign.objects.get(name="Summer Sale").status == "paused"


def test_a_dry_run_stores_nothing(api_as, tenant_admin):
    answer = post(api_as(tenant_admin), "campaigns", csv_text(CAMPAIGNS, "Summer Sale,meta,active,1"), dry_run="true")
    assert answer.status_code == 200
    assert (answer.json()["dry_run"], answer.json()["stored"], answer.json()["new"]) == (True, False, 1)
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("dry_run", ["false", "true"])
def test_invalid_rows_are_a_400_naming_row_column_and_message_and_nothing_is_stored(api_as, tenant_admin, dry_run):
    CampaignFactory(tenant=tenant_admin.tenant, name="Summer Sale")
    data = csv_text(
        STATS,
        "Summer Sale,2026-03-01,480.00,60000,900,12,1320.00",
        "Summer Sale,2026-03-02,480.00,6e4,900,12,1320.00",
        "Winter Sale,2026-03-03,480.00,60000,900,12,1320.00",
        "Summer Sale,2026-3-4,480.00,60000,900,12,1320.00",
    )
    answer = post(api_as(tenant_admin), "campaign-stats", data, dry_run=dry_run)
    assert answer.status_code == 400
    body = answer.json()
    assert (body["code"], body["detail"]) == ("invalid_rows", "3 rows are invalid; nothing was stored.")
    assert (body["new"], body["invalid"], body["stored"]) == (1, 3, False)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "impressions"), (3, "campaign"), (4, "date")]
    assert body["errors"][1]["message"] == "No campaign of yours is named “Winter Sale”."
    assert not CampaignDailyStat.objects.exists()


def test_errors_read_in_english_like_the_rest_of_the_api(api_as, tenant_admin):
    tenant_admin.language = "es"
    tenant_admin.save(update_fields=["language"])
    answer = post(api_as(tenant_admin), "campaign-stats", csv_text(STATS, "Winter Sale,2026-03-01,1,1,1,0,0"),
                  HTTP_ACCEPT_LANGUAGE="es")  # fmt: skip
    assert answer.json()["errors"][0]["message"] == "No campaign of yours is named “Winter Sale”."


def test_a_file_over_the_size_limit_is_a_413(api_as, tenant_admin, settings):
    settings.IMPORT_MAX_BYTES = 64
    data = csv_text(CAMPAIGNS, *[f"Campaign {n},meta,active,1" for n in range(5)])
    answer = post(api_as(tenant_admin), "campaigns", data)
    assert answer.status_code == 413
    assert answer.json() == {
        "code": "too_large", "detail": "The file is larger than 64 bytes; split it into smaller files.",
    }  # fmt: skip
    assert not Campaign.objects.exists()


def test_a_file_with_too_many_rows_is_a_413(api_as, tenant_admin, settings):
    settings.IMPORT_MAX_ROWS = 2
    answer = post(api_as(tenant_admin), "campaigns", csv_text(CAMPAIGNS, *[f"C{n},meta,active,1" for n in range(3)]))
    assert (answer.status_code, answer.json()["code"]) == (413, "too_large")


@pytest.mark.parametrize(
    "data, code",
    [(csv_text("id,name", "1,Summer Sale"), "bad_columns"), (b"\xff\xfe", "not_utf8"), (csv_text(CAMPAIGNS), "empty")],
)
def test_a_file_refused_whole_is_a_400_with_its_code(api_as, tenant_admin, data, code):
    answer = post(api_as(tenant_admin), "campaigns", data)
    assert (answer.status_code, answer.json()["code"]) == (400, code)


def test_a_request_without_a_file_is_a_field_error(api_as, tenant_admin):
    answer = api_as(tenant_admin).post(reverse("agents:import", args=["campaigns"]), {}, format="multipart")
    assert answer.status_code == 400 and "file" in answer.json()


def test_json_is_not_an_upload(api_as, tenant_admin):
    answer = api_as(tenant_admin).post(reverse("agents:import", args=["campaigns"]), {"file": "x"}, format="json")
    assert answer.status_code == 415


def test_an_unknown_kind_is_a_404(api_as, tenant_admin):
    assert post(api_as(tenant_admin), "invoices", csv_text(CAMPAIGNS)).status_code == 404


@pytest.mark.parametrize("role", [Role.APPROVER, Role.SUPPORT, Role.COMPLIANCE, Role.MEMBER])
def test_only_tenant_admins_import(api_as, tenant, role):
    answer = post(api_as(UserFactory(tenant=tenant, role=role)), "campaigns", csv_text(CAMPAIGNS, "A,meta,active,1"))
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert not Campaign.objects.exists()


def test_signed_out_callers_are_refused(db, api_client):
    assert post(api_client, "campaigns", csv_text(CAMPAIGNS, "A,meta,active,1")).status_code in (401, 403)
    assert not Campaign.objects.exists()


def test_rows_land_in_the_callers_tenant_only(api_as, tenant_admin, outsider):
    theirs = CampaignFactory(tenant=outsider.tenant, name="Globex Launch", daily_budget=Decimal("900.00"))
    client = api_as(tenant_admin)
    stats = post(client, "campaign-stats", csv_text(STATS, f"{theirs.pk},2026-03-01,1,1,1,0,0"))
    assert (stats.status_code, stats.json()["errors"][0]["field"]) == (400, "campaign")
    same_name = post(client, "campaigns", csv_text(CAMPAIGNS, "Globex Launch,meta,paused,1"))
    assert same_name.json()["new"] == 1
    theirs.refresh_from_db()
    assert (theirs.status, theirs.daily_budget) == ("active", Decimal("900.00"))
    assert not CampaignDailyStat.objects.exists()


@pytest.mark.slow
def test_the_schema_documents_the_upload_and_its_answers(api_client, settings):
    settings.API_SCHEMA_PUBLIC = True
    schema = api_client.get(reverse("schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/imports/{kind}/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"multipart/form-data"}
    assert {"200", "400", "403", "404", "413"} <= set(operation["responses"])
    kind = next(p for p in operation["parameters"] if p["name"] == "kind")
    assert sorted(kind["schema"]["enum"]) == sorted(
        ["campaigns", "campaign-stats", "keyword-rankings", "target-keywords", "content", "segments"]
    )
