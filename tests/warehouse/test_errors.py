"""BigQuery's error shapes and what each does: quota retried with backoff (the same job id, so never two jobs), a
load job failing on rows that do not fit reported and sent again, a permission denied (an answer or a job's
errorResult) stopping the destination until it is saved again."""

import pytest
from django.utils import timezone

from tests.warehouse.conftest import events, sent_ids
from warehouse import export
from warehouse.models import DestinationStatus, ExportBatch

UPLOAD = "/upload/bigquery/v2/projects/acme-data/jobs"


def test_a_rate_limit_or_quota_answer_is_retried_with_backoff_and_goes_through(bigquery_fake, destination, tenant):
    sent = events(tenant, 2)
    bigquery_fake.fail("POST", UPLOAD, 403, "rateLimitExceeded")
    bigquery_fake.fail("POST", UPLOAD, 403, "quotaExceeded")
    target = destination(tenant)
    assert export.export_destination(target) == 2
    batch = ExportBatch.objects.get(cursor__table="platform_events")
    assert bigquery_fake.loads("platform_events") == [batch.job_id] * 3  # two refusals, then the job
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]
    assert target.status == DestinationStatus.EXPORTING


def test_a_quota_still_exceeded_after_the_backoff_fails_the_run_and_the_next_run_sends_the_batch(
    bigquery_fake, destination, tenant, settings
):
    settings.WAREHOUSE_RETRY_SECONDS = 0.2
    sent = events(tenant, 2)
    bigquery_fake.fail("POST", UPLOAD, 403, "quotaExceeded", times=1000)
    target = destination(tenant)
    assert export.export_destination(target) == 0
    assert len(bigquery_fake.loads("platform_events")) > 2  # retried with backoff, then given up for this run
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
    refused = ExportBatch.objects.get(state=ExportBatch.State.SENDING)
    failed = bigquery_fake.job(f"walker_{refused.pk.hex}_0")["status"]
    assert failed["state"] == "DONE" and failed["errorResult"]["reason"] == "invalid"
    assert f"BigQuery refused rows of platform_events (the schema does not match; load job walker_{refused.pk.hex}_0)"\
        in target.status_detail  # fmt: skip
    assert "Missing required field: region." in target.status_detail
    assert len(bigquery_fake.rows("acme-data", "walker", "platform_events")) == 2  # only the first run's
    assert refused.rows == len(more) and "Missing required field" in refused.error and refused.failed_jobs == 1

    table.resource["schema"]["fields"].pop()  # fixed in BigQuery
    assert export.export_destination(target) == 2
    assert len(bigquery_fake.rows("acme-data", "walker", "platform_events")) == 4
    refused.refresh_from_db()
    assert bigquery_fake.loads("platform_events")[-2:] == [f"walker_{refused.pk.hex}_0", refused.job_id]


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


def test_a_load_job_denied_the_table_stops_the_destination(bigquery_fake, destination, tenant):
    events(tenant, 1)
    target = destination(tenant)
    bigquery_fake.fail_job("accessDenied", "Access Denied: Table acme-data:walker.platform_events: Permission "
                           "bigquery.tables.updateData denied")  # fmt: skip
    assert export.export_destination(target) == 0
    target.refresh_from_db()
    assert target.status == DestinationStatus.STOPPED
    assert "Permission denied by BigQuery: Access Denied: Table acme-data:walker" in target.status_detail
    batch = ExportBatch.objects.get(cursor__table="platform_events")
    assert (batch.state, batch.failed_jobs) == (ExportBatch.State.SENDING, 1)
    assert bigquery_fake.rows("acme-data", "walker", "platform_events") == []


def test_a_key_google_refuses_stops_the_destination(bigquery_fake, destination, tenant, monkeypatch):
    events(tenant, 1)
    target = destination(tenant)
    monkeypatch.setattr(bigquery_fake, "_token", lambda raw: (400, {"error": "invalid_grant"}))
    export.export_destination(target)
    target.refresh_from_db()
    assert target.status == DestinationStatus.STOPPED
    assert "Google refused the service account key" in target.status_detail
    assert bigquery_fake.requests == []


@pytest.mark.slow
def test_a_server_error_leaves_the_destination_failing_and_tried_again(bigquery_fake, destination, tenant):
    events(tenant, 1)
    bigquery_fake.fail("POST", "/datasets", 500, "internalError", times=1000)
    target = destination(tenant)
    before = timezone.now()
    export.export_destination(target)
    target.refresh_from_db()
    assert target.status == DestinationStatus.FAILING and target.last_attempt_at >= before
    assert target.last_exported_at is None


def test_a_server_error_on_the_load_is_retried_with_the_same_job_id_then_left_for_the_next_run(
    bigquery_fake, destination, tenant, settings
):
    settings.WAREHOUSE_RETRY_SECONDS = 0.2
    sent = events(tenant, 2)
    bigquery_fake.fail("POST", UPLOAD, 500, "backendError", times=1000)
    target = destination(tenant)
    assert export.export_destination(target) == 0
    batch = ExportBatch.objects.get(cursor__table="platform_events")
    tried = bigquery_fake.loads("platform_events")
    assert len(tried) > 1 and set(tried) == {batch.job_id}  # backoff, one id: never two jobs
    target.refresh_from_db()
    assert target.status == DestinationStatus.FAILING and "did not answer in time" in target.status_detail

    bigquery_fake.failures.clear()
    assert export.export_destination(target) == 2
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]
