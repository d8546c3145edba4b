"""Importing a marketing file into the importer's tenant: who may, what a file must look like, what each row did.

The console (agents.import_admin) and the API (agents.import_api) both ask here. A file is refused whole, before any
row is read, when it is too large, not UTF-8 CSV, empty, or has columns its kind does not know or lacks the key
columns (`ImportRefused`). Otherwise every row is checked and, unless it is a dry run and only when no row is
invalid, the file is stored in one transaction: one invalid row and nothing is stored.

Importing changes rows without an approval, so only people who may add and change the kind's rows import them:
the model's `add_` and `change_` permissions, which tenant admins hold (tenants.roles). A platform account has no
tenant to import into.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext
from import_export.formats.base_formats import CSV
from import_export.results import RowResult

from agents.imports import KINDS, MarketingResource
from core.errors import WalkerError

logger = logging.getLogger(__name__)


class ImportRefused(WalkerError):
    """The file, as a whole, cannot be imported; nothing was read into the tenant's data."""


def may_import(user, model) -> bool:
    """Whether `user` may import rows of `model` into their own tenant."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.tenant_id):
        return False
    app, name = model._meta.app_label, model._meta.model_name
    return user.has_perm(f"{app}.add_{name}") and user.has_perm(f"{app}.change_{name}")


def resource_for(kind: str) -> type[MarketingResource]:
    try:
        return KINDS[kind]
    except KeyError:
        raise WalkerError("not_found", gettext("No such kind of import.")) from None


def check_size(size: int) -> None:
    """Refuse a file over IMPORT_MAX_BYTES (the API asks before reading the upload)."""
    if size > settings.IMPORT_MAX_BYTES:
        too_large = gettext("The file is larger than %(limit)s bytes; split it into smaller files.")
        raise ImportRefused("too_large", too_large % {"limit": settings.IMPORT_MAX_BYTES})


def read_file(data: bytes, resource_class: type[MarketingResource]):
    """The file's rows as a dataset, or ImportRefused saying what is wrong with the file as a whole."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("not_utf8", gettext("The file is not UTF-8 text; save it as CSV (UTF-8).")) from None
    if "\x00" in text:
        raise ImportRefused("unreadable", gettext("The file holds NUL characters; save it as CSV (UTF-8)."))
    try:
        dataset = CSV(encoding="utf-8").create_dataset(text)
    except Exception:  # tablib: ragged rows, unclosed quotes… whatever the csv module cannot read
        raise ImportRefused("unreadable", gettext("The file cannot be read as CSV.")) from None
    if not len(dataset):
        raise ImportRefused("empty", gettext("The file has no rows under its header line."))
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise ImportRefused(
            "too_large",
            gettext("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": settings.IMPORT_MAX_ROWS},
        )
    _check_columns(list(dataset.headers or []), resource_class)
    return dataset


def _check_columns(headers: list[str], resource_class: type[MarketingResource]) -> None:
    resource = resource_class()
    known = [f.column_name for f in resource.get_import_fields()]
    problems = []
    unknown = [h for h in headers if h not in known]
    if unknown:
        problems.append(gettext("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    doubled = sorted({h for h in headers if headers.count(h) > 1})
    if doubled:
        problems.append(gettext("Columns named twice: %(columns)s.") % {"columns": ", ".join(doubled)})
    missing = [c for c in resource.key_columns() if c not in headers]
    if missing:
        problems.append(gettext("Missing key columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if problems:
        allowed = gettext("The columns are: %(columns)s.") % {"columns": ", ".join(known)}
        raise ImportRefused("bad_columns", " ".join([*problems, allowed]))


@dataclass(frozen=True)
class RowError:
    row: int | None  # the data row, 1 for the first under the header; None for the file as a whole
    field: str | None  # the column, None for the row as a whole
    message: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    stored: bool
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_file(user, kind: str, data: bytes, *, dry_run: bool) -> ImportReport:
    """Check (and unless `dry_run`, store) `data`, a CSV file of `kind`, into `user`'s tenant."""
    resource_class = resource_for(kind)
    if not may_import(user, resource_class._meta.model):
        raise WalkerError("forbidden", gettext("Your role may not import these rows."))
    dataset = read_file(data, resource_class)
    resource = resource_class(tenant=user.tenant)
    result = resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
    )
    return report_of(kind, resource, result, dry_run=dry_run)


def report_of(kind: str, resource: MarketingResource, result, *, dry_run: bool) -> ImportReport:
    """What an import did, row by row, as the API tells it."""
    columns = {f.attribute: f.column_name for f in resource.fields.values()}
    errors = [
        RowError(row.number, None if name == NON_FIELD_ERRORS else columns.get(name, name), str(message))
        for row in result.invalid_rows
        for name, messages in row.error_dict.items()
        for message in messages
    ]
    for number, row_errors in result.row_errors():  # not the file's fault: logged with the traceback
        for error in row_errors:
            logger.error("Import of %s failed on row %s: %s\n%s", kind, number, error.error, error.traceback)
        errors.append(RowError(number, None, gettext("This row could not be stored (an error on our side).")))
    for error in result.base_errors:
        logger.error("Import of %s failed: %s\n%s", kind, error.error, error.traceback)
        errors.append(RowError(None, None, gettext("The file could not be imported (an error on our side).")))
    totals = result.totals
    refused = result.has_errors() or result.has_validation_errors()
    return ImportReport(
        kind=kind,
        dry_run=dry_run,
        stored=not (dry_run or refused),
        new=totals[RowResult.IMPORT_TYPE_NEW],
        updated=totals[RowResult.IMPORT_TYPE_UPDATE],
        unchanged=totals[RowResult.IMPORT_TYPE_SKIP],
        invalid=totals[RowResult.IMPORT_TYPE_INVALID] + totals[RowResult.IMPORT_TYPE_ERROR],
        errors=sorted(errors, key=lambda e: (e.row or 0, e.field or "")),
    )
