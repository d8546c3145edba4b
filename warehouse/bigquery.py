"""Walker's side of BigQuery: a client for a destination, its dataset and tables made to match `tables`, rows
loaded by load jobs whose ids the caller derives from its batch; BigQuery's errors turned into what the export does
about them (docs/warehouse.md)."""

import json
import time
from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext as _
from google.api_core import exceptions, retry
from google.auth.exceptions import GoogleAuthError
from google.cloud import bigquery
from google.oauth2 import service_account
from requests import RequestException

from warehouse.tables import Table

SCOPES = ["https://www.googleapis.com/auth/bigquery"]
KEY_FIELDS = ("type", "client_email", "private_key")
# BigQuery answers the same type by either name; the API returns the legacy one.
_LEGACY_TYPES = {"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN", "STRUCT": "RECORD"}
# Documented as retryable with exponential backoff: the quotas, and BigQuery's own hiccups.
_RETRYABLE_REASONS = {"rateLimitExceeded", "quotaExceeded", "backendError", "internalError", "badGateway"}


class ExportError(Exception):
    """An export that did not go through; `detail` says why in words for the console."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class PermissionRefused(ExportError):
    """The key is refused or lacks a permission: the destination stops until an admin saves it again."""


class SchemaMismatch(ExportError):
    """A column in BigQuery has another type than Walker's: nothing is sent until someone fixes the table."""


class RowsRefused(ExportError):
    """BigQuery refused rows of a batch (the load job failed on them); none of the batch was stored, it is sent
    again next run."""


class Unavailable(ExportError):
    """Quota still exceeded after the backoff, a server error or the network: tried again next run."""


# What the client raises about BigQuery, Google's sign-in or the network; anything else is Walker's own bug.
CLIENT_ERRORS = (ExportError, exceptions.GoogleAPIError, GoogleAuthError, RequestException)


def parse_key(text: str) -> dict:
    """The service account's JSON key as a dict, or ValueError saying what is wrong with it."""
    try:
        info = json.loads(text)
    except (TypeError, ValueError):
        raise ValueError(_("The key is not JSON: paste the whole JSON key file of the service account.")) from None
    if not isinstance(info, dict) or any(not info.get(name) for name in KEY_FIELDS):
        raise ValueError(_("The key must be a service account's JSON key, with client_email and private_key."))
    if info["type"] != "service_account":
        raise ValueError(_("The key must be a service account's key (its type is “service_account”)."))
    try:
        _credentials(info)
    except ValueError:
        raise ValueError(_("The key's private_key is not a valid private key.")) from None
    return info


def _credentials(info: dict):
    # The token address is Walker's setting, never the key's own: a pasted key cannot make Walker post elsewhere.
    return service_account.Credentials.from_service_account_info(
        {**info, "token_uri": settings.WAREHOUSE_TOKEN_URI}, scopes=SCOPES
    )


def client_for(destination) -> bigquery.Client:
    endpoint = settings.WAREHOUSE_BIGQUERY_API_ENDPOINT
    return bigquery.Client(
        project=destination.project,
        credentials=_credentials(parse_key(destination.service_account_key)),
        location=destination.location or None,
        client_options={"api_endpoint": endpoint} if endpoint else None,
    )


def _should_retry(exc) -> bool:
    errors = getattr(exc, "errors", None) or []
    if errors:
        return errors[0].get("reason") in _RETRYABLE_REASONS
    return isinstance(exc, exceptions.TooManyRequests | exceptions.ServerError | RequestException)


def _retry() -> retry.Retry:
    return retry.Retry(
        predicate=_should_retry,
        initial=settings.WAREHOUSE_RETRY_INITIAL_SECONDS,
        maximum=settings.WAREHOUSE_RETRY_INITIAL_SECONDS * 32,
        multiplier=2.0,
        timeout=settings.WAREHOUSE_RETRY_SECONDS,
    )


def _calls() -> dict:
    return {"retry": _retry(), "timeout": settings.WAREHOUSE_TIMEOUT}


def _reason(exc) -> str:
    errors = getattr(exc, "errors", None) or []
    return errors[0].get("reason", "") if errors else ""


def _message(exc) -> str:
    """BigQuery's own words (the exception's message starts with the request's method and address)."""
    errors = getattr(exc, "errors", None) or []
    return (errors[0].get("message") if errors else None) or getattr(exc, "message", None) or str(exc)


def refused(exc: Exception) -> ExportError:
    """What an exception of the client means for the export."""
    if isinstance(exc, ExportError):
        return exc
    if isinstance(exc, exceptions.RetryError):
        cause = exc.cause
        if _reason(cause) in {"rateLimitExceeded", "quotaExceeded"}:
            return Unavailable(
                _("BigQuery's quota was still exceeded after retrying with backoff (%(reason)s): tried again next run.")
                % {"reason": _reason(cause)}
            )
        return Unavailable(
            _("BigQuery did not answer in time: tried again next run (%(error)s).") % {"error": _message(cause)}
        )
    if isinstance(exc, exceptions.Forbidden | exceptions.Unauthorized):
        if _reason(exc) in {"rateLimitExceeded", "quotaExceeded"}:
            return Unavailable(_("BigQuery's quota was exceeded: tried again next run."))
        return PermissionRefused(
            _("Permission denied by BigQuery: %(message)s. Give the service account the BigQuery Data Editor role "
              "on the dataset (and Job User on the project), then save the destination again.")
            % {"message": _message(exc)}
        )  # fmt: skip
    if isinstance(exc, GoogleAuthError):
        return PermissionRefused(
            _("Google refused the service account key (%(error)s): paste a valid key and save the destination again.")
            % {"error": exc}
        )
    return Unavailable(_("BigQuery failed: %(error)s. Tried again next run.") % {"error": _message(exc)})


def ensure_dataset(client: bigquery.Client, destination) -> None:
    reference = bigquery.DatasetReference(destination.project, destination.dataset_name)
    try:
        client.get_dataset(reference, **_calls())
    except exceptions.NotFound:
        dataset = bigquery.Dataset(reference)
        dataset.location = destination.location or None
        client.create_dataset(dataset, exists_ok=True, **_calls())


def _same_type(ours: bigquery.SchemaField, theirs: bigquery.SchemaField) -> bool:
    def name(field):
        return _LEGACY_TYPES.get(field.field_type.upper(), field.field_type.upper())

    return name(ours) == name(theirs) and (ours.mode == "REPEATED") == (theirs.mode == "REPEATED")


def ensure_table(client: bigquery.Client, destination, table: Table) -> str:
    """The table made to hold `table`'s rows: "created", "migrated" (columns added) or "current"."""
    reference = f"{destination.project}.{destination.dataset_name}.{table.name}"
    try:
        existing = client.get_table(reference, **_calls())
    except exceptions.NotFound:
        created = bigquery.Table(reference, schema=list(table.schema))
        created.time_partitioning = bigquery.TimePartitioning(
            type_=bigquery.TimePartitioningType.DAY, field=table.partition_field
        )
        created.clustering_fields = ["tenant_id"]
        client.create_table(created, exists_ok=True, **_calls())
        return "created"
    theirs = {field.name: field for field in existing.schema}
    conflicts = [f"{f.name} ({theirs[f.name].field_type}, not {f.field_type})" for f in table.schema
                 if f.name in theirs and not _same_type(f, theirs[f.name])]  # fmt: skip
    if conflicts:
        raise SchemaMismatch(
            _("The BigQuery table %(table)s has columns of another type than Walker sends: %(columns)s. Rename or "
              "drop the table in BigQuery; the next export creates it again.")
            % {"table": reference, "columns": ", ".join(conflicts)}
        )  # fmt: skip
    missing = [field for field in table.schema if field.name not in theirs]
    if not missing:
        return "current"
    existing.schema = [*existing.schema, *(_added(field) for field in missing)]
    client.update_table(existing, ["schema"], **_calls())
    return "migrated"


def _added(field: bigquery.SchemaField) -> bigquery.SchemaField:
    """BigQuery adds a column to a table only as NULLABLE (or REPEATED)."""
    mode = "REPEATED" if field.mode == "REPEATED" else "NULLABLE"
    return bigquery.SchemaField(field.name, field.field_type, mode=mode, description=field.description)


def load(client: bigquery.Client, destination, table: Table, rows: Sequence[dict], job_id: str):
    """The batch's load job: started with its deterministic id, or (409, the id is taken: an earlier attempt
    started it and its answer was lost, or the run died before recording it) the job already there, looked up.
    BigQuery runs one job per id, so the rows are appended once however often this is called."""
    reference = f"{destination.project}.{destination.dataset_name}.{table.name}"
    config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
        write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        create_disposition=bigquery.CreateDisposition.CREATE_NEVER,  # ensure_table made it, partitioned
        autodetect=False,  # the table's own schema (ensure_table added the code's columns)
        max_bad_records=0,  # all or nothing: a row that does not fit fails the job, nothing stored
    )

    def start():
        return client.load_table_from_json(
            rows, reference, job_id=job_id, job_config=config, num_retries=0, timeout=settings.WAREHOUSE_TIMEOUT
        )

    try:
        return _retry()(start)()  # quota and server errors with backoff: the same id, so never two jobs
    except exceptions.Conflict:
        return client.get_job(job_id, **_calls())


def finished(job, wait: float) -> bool:
    """Whether the job is DONE, polling it for up to `wait` seconds; False: still pending or running (the
    batch stays sending and the next run finds the job by its id)."""
    deadline = time.monotonic() + wait
    pause = 0.5
    while job.state != "DONE":
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, 5.0)
        job.reload(**_calls())
    return True


def job_failure(table: Table, job) -> ExportError | None:
    """What a DONE job's errorResult means for the export (None: it succeeded, its rows are in the table)."""
    result = job.error_result
    if not result:
        return None
    reason = result.get("reason", "")
    if reason in {"accessDenied", "permissionDenied"}:
        return PermissionRefused(
            _("Permission denied by BigQuery: %(message)s. Give the service account the BigQuery Data Editor role "
              "on the dataset (and Job User on the project), then save the destination again.")
            % {"message": result.get("message", reason)}
        )  # fmt: skip
    if reason == "invalid":
        return RowsRefused(_rows_refused(table, job.job_id, job.errors or [result]))
    return Unavailable(
        _("BigQuery's load job %(job)s failed (%(reason)s: %(message)s): nothing of the batch was stored; it is "
          "sent again next run.")
        % {"job": job.job_id, "reason": reason, "message": result.get("message", "")}
    )  # fmt: skip


def _rows_refused(table: Table, job_id: str, errors: list[dict]) -> str:
    """A failed load job's errors in words: the first ones naming a row (the first error only sums them up)."""
    rows = [error for error in errors if error.get("location")] or errors
    said = "; ".join(error.get("message") or error.get("reason", "") for error in rows[:3])
    return _(
        "BigQuery refused rows of %(table)s (the schema does not match; load job %(job)s): %(errors)s. Nothing of "
        "the batch was stored; it is sent again next run."
    ) % {"table": table.name, "job": job_id, "errors": said}
