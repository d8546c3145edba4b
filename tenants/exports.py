"""CSV exports, streamed: django-import-export resources written a chunk of rows at a time.

Lives in the lowest app because every app's admin and API export with it. The resource
(fields, headers, values) is the library's; the writing is chunked, so a large export never sits whole in memory,
from the API or from the admin, and every cell passes `spreadsheet_safe` on its way out.

Values read as in the console: a choice by its label, a time in ISO 8601 with its offset in the reader's
zone (the tenant's; UTC for a platform superuser), both in the reader's language and zone even though the
rows are written after the request's middleware has finished (`csv_response` keeps them for the stream).
"""

import re
from zoneinfo import ZoneInfo

import tablib
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from import_export import resources, widgets
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV
from unfold.contrib.import_export.forms import ExportForm

CHUNK_ROWS = 2000
UTC = ZoneInfo("UTC")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?\Z")


def spreadsheet_safe(value):
    """A cell no spreadsheet runs as a formula (OWASP's rule for CSV injection): text that begins with `=`, `+`,
    `-`, `@`, a tab or a carriage return gets a leading single quote, and nothing is deleted. A plain signed number
    ("-12.50") stays a number. (django-import-export's own escaping deletes a leading "=" instead: off in settings.)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def spreadsheet_unquoted(text: str) -> str:
    """An imported cell as it was before `spreadsheet_safe` quoted it."""
    return text[1:] if text.startswith("'") and spreadsheet_safe(text[1:]) == text else text


def zone_for(user):
    """The zone a person reads times in: their tenant's, UTC for a platform superuser."""
    tenant = getattr(user, "tenant", None)
    return UTC if tenant is None or getattr(user, "is_superuser", False) else ZoneInfo(tenant.timezone)


class ZonedDateTimeWidget(widgets.DateTimeWidget):
    """A moment in ISO 8601 with its offset, in the active zone: 2025-03-21T10:00:00+01:00."""

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).isoformat() if value else ""


class ChoiceLabelWidget(widgets.Widget):
    """A stored choice by its label ("Rejected"); a value no choice names reads as stored."""

    def __init__(self, choices, **kwargs):  # the field type's own widget options (allow_blank…) do not apply
        super().__init__(coerce_to_string=kwargs.get("coerce_to_string", True))
        self.labels = dict(choices)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(self.labels.get(value, value))


class ReadableResource(resources.ModelResource):
    """A model's export in words: choices by label, times zoned with their offset."""

    WIDGETS_MAP = {**resources.ModelResource.WIDGETS_MAP, "DateTimeField": ZonedDateTimeWidget}

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if getattr(f, "choices", None):
            return lambda **kwargs: ChoiceLabelWidget(f.flatchoices, **kwargs)
        return super().widget_from_django_field(f, default)


def csv_chunks(resource, queryset, *, chunk_rows: int = CHUNK_ROWS, zone=UTC, language: str | None = None):
    """The header line, then the rows as CSV text, `chunk_rows` at a time, times in `zone`, words in `language`."""
    csv = CSV()
    with translation.override(language):
        batch = tablib.Dataset(headers=resource.get_export_headers())
    first = True
    for obj in resource.iter_queryset(queryset):
        with timezone.override(zone), translation.override(language):
            batch.append([spreadsheet_safe(value) for value in resource.export_resource(obj)])
        if len(batch) >= chunk_rows:
            yield csv.export_data(batch)
            batch, first = tablib.Dataset(), False
    if len(batch) or first:
        yield csv.export_data(batch)


def csv_response(resource, queryset, name: str, *, zone=None) -> StreamingHttpResponse:
    """The CSV download; `zone`: the reader's (default: the request's active zone), kept for the whole stream."""
    zone = zone or timezone.get_current_timezone()
    chunks = csv_chunks(resource, queryset, zone=zone, language=translation.get_language())
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate(timezone=zone):%Y-%m-%d}.csv"'
    return response


class StreamingCsvExportMixin(ExportMixin):
    """The list's "Export" button: one click downloads the list as filtered, CSV only, streamed (no form between)."""

    export_form_class = ExportForm
    formats = [CSV]
    skip_export_form = True
    export_name = "export"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request, export_form=export_form))
        return csv_response(resource, queryset, self.export_name, zone=zone_for(request.user))
