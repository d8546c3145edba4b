"""BigQuery's error shapes and what each does: quota retried with backoff, refused rows reported and sent again,
a permission denied stopping the destination until it is saved again."""

from django.utils import timezone

from tests.warehouse.conftest import events, sent_ids
from warehouse import export
from warehouse.models import DestinationStatus, ExportBatch


def insert_calls(fake) -> int:
    return sum(1 for method, path, _ in fake.requests if path.endswith("platform_events/insertAll"))


def test_a_rate_limit_or_quota_answer_is_retried_with_backoff_and_goes_through(bigquery_fake, destination, tenant):
    sent = events(tenant, 2)
    bigquery_fake.fail("POST", "platform_events/insertAll", 403, "rateLimitExceeded")
    bigquery_fake.fail("POST", "platform_events/insertAll", 403, "quotaExceeded")
    target = destination(tenant)
    assert export.export_destination(target) == 2
    assert insert_calls(bigquery_fake) == 3  # two refusals, then the rows
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]
    assert target.status == DestinationStatus.EXPORTING


def test_a_quota_still_exceeded_after_the_backoff_fails_the_run_and_the_next_run_sends_the_batch(
    bigquery_fake, destination, tenant, settings
):
    settings.WAREHOUSE_RETRY_SECONDS = 0.2
    sent = events(tenant, 2)
    bigquery_fake.fail("POST", "platform_events/insertAll", 403, "quotaExceeded", times=1000)
    target = destination(tenant)
    assert export.export_destination(target) == 0
    assert insert_calls(bigquery_fake) > 2  # retried with backoff, then given up for this run
    target.refresh_from_db()
    assert target.status == DestinationStatus.FAILING
    assert "quota was still exceeded after retrying with backoff (quotaExceeded)" in target.status_detail
    batch = ExportBatch.objects.get(cursor__table="platform_events")
    assert batch.state == ExportBatch.State.SENDING and "quota" in batch.error

    bigquery_fake.failures.clear()
    assert export.export_due() == {str(target.pk): 2}
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]
    batch.refresh_from_db()
    assert (batch.state, batch.error) == (ExportBatch.State.SENT, "")
    target.refresh_from_db()
    assert (target.status, target.status_detail) == (DestinationStatus.EXPORTING, "")


def test_rows_refused_for_a_schema_mismatch_are_reported_and_nothing_of_the_batch_is_stored(
    bigquery_fake, destination, tenant
):
    events(tenant, 2)
    target = destination(tenant)
    export.export_destination(target)  # the tables exist
    # Someone added a REQUIRED column in BigQuery that Walker does not send.
    table = bigquery_fake.tables[("acme-data", "walker", "platform_events")]
    table.resource["schema"]["fields"].append({"name": "region", "type": "STRING", "mode": "REQUIRED"})
    more = events(tenant, 2)

    assert export.export_destination(target) == 0
    target.refresh_from_db()
    assert target.status == DestinationStatus.FAILING
    assert "BigQuery refused 2 rows of platform_events" in target.status_detail
    assert "Missing required field: region." in target.status_detail
    assert len(bigquery_fake.rows("acme-data", "walker", "platform_events")) == 2  # only the first run's
    refused = ExportBatch.objects.get(state=ExportBatch.State.SENDING)
    assert refused.rows == len(more) and "Missing required field" in refused.error

    table.resource["schema"]["fields"].pop()  # fixed in BigQuery
    assert export.export_destination(target) == 2
    assert len(bigquery_fake.rows("acme-data", "walker", "platform_events")) == 4


def test_permission_denied_stops_the_destination_until_it_is_saved_again(
    bigquery_fake, destination, tenant, tenant_admin, console_as
):
    events(tenant, 1)
    bigquery_fake.fail("GET", "/datasets/walker", 403, "accessDenied")
    target = destination(tenant)
    assert export.export_due() == {str(target.pk): 0}
    target.refresh_from_db()
    assert target.status == DestinationStatus.STOPPED
    assert "Permission denied by BigQuery" in target.status_detail
    assert "BigQuery Data Editor" in target.status_detail
    calls = len(bigquery_fake.requests)
    assert export.export_due() == {}  # stopped: not tried every run
    assert len(bigquery_fake.requests) == calls

    page = console_as(tenant_admin).get(f"/admin/warehouse/warehousedestination/{target.pk}/change/")
    assert "Stopped: permission denied" in page.content.decode()
    assert "Permission denied by BigQuery" in page.content.decode()
    saved = console_as(tenant_admin).post(
        f"/admin/warehouse/warehousedestination/{target.pk}/change/",
        {
            "project": "acme-data",
            "dataset_name": "walker",
            "location": "US",
            "enabled": "on",
            "service_account_key": "",
            "_save": "Save",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    assert saved["Location"] == "/admin/warehouse/warehousedestination/"
    target.refresh_from_db()
    assert (target.status, target.status_detail) == (DestinationStatus.WAITING, "")
    assert export.export_due() == {str(target.pk): 1}


def test_a_key_google_refuses_stops_the_destination(bigquery_fake, destination, tenant, monkeypatch):
    events(tenant, 1)
    target = destination(tenant)
    monkeypatch.setattr(bigquery_fake, "_token", lambda raw: (400, {"error": "invalid_grant"}))
    export.export_destination(target)
    target.refresh_from_db()
    assert target.status == DestinationStatus.STOPPED
    assert "Google refused the service account key" in target.status_detail
    assert bigquery_fake.requests == []


def test_a_server_error_leaves_the_destination_failing_and_tried_again(bigquery_fake, destination, tenant):
    events(tenant, 1)
    bigquery_fake.fail("POST", "/datasets", 500, "internalError", times=1000)
    target = destination(tenant)
    before = timezone.now()
    export.export_destination(target)
    target.refresh_from_db()
    assert target.status == DestinationStatus.FAILING and target.last_attempt_at >= before
    assert target.last_exported_at is None
