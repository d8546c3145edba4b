"""CSV exports, streamed: django-import-export resources written a chunk of rows at a time.

Lives in the lowest app because every app's admin and API export with it. The resource
(fields, headers, values, formula escaping) is the library's; only the writing is chunked,
so a large export never sits whole in memory, from the API or from the admin.
"""

import tablib
from django.http import StreamingHttpResponse
from django.utils import timezone
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV
from unfold.contrib.import_export.forms import ExportForm

CHUNK_ROWS = 2000


def csv_chunks(resource, queryset, *, chunk_rows: int = CHUNK_ROWS):
    """The header line, then the rows as CSV text, `chunk_rows` at a time."""
    csv = CSV()
    batch = tablib.Dataset(headers=resource.get_export_headers())
    first = True
    for obj in resource.iter_queryset(queryset):
        batch.append(resource.export_resource(obj))
        if len(batch) >= chunk_rows:
            yield csv.export_data(batch)
            batch, first = tablib.Dataset(), False
    if len(batch) or first:
        yield csv.export_data(batch)


def csv_response(resource, queryset, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(resource, queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


class StreamingCsvExportMixin(ExportMixin):
    """The admin's "Export" button: the changelist's filters applied, CSV only, streamed."""

    export_form_class = ExportForm
    formats = [CSV]
    export_name = "export"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request, export_form=export_form))
        return csv_response(resource, queryset, self.export_name)
