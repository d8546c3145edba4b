"""The console's "Import" and "Export" on the marketing lists: django-import-export's upload, preview and confirm,
unfold-styled, and the list as a CSV file in the same columns, so an export edited in a spreadsheet imports back.

The preview checks every row (nothing is stored) and shows each invalid row with its errors; "Confirm import"
appears only when every row is valid, and stores the file in one transaction that rolls back if a row has become
invalid since. Rows go into the importer's tenant; who may import is agents.import_files.may_import.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV
from unfold.contrib.import_export.forms import ImportForm

from agents.import_files import ImportRefused, check_size, may_import, read_file
from agents.import_storage import UploadGone
from tenants.exports import StreamingCsvExportMixin


class CheckedImportForm(ImportForm):
    """The upload form, refusing a file that cannot be imported at all (size, encoding, columns) with the reason."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.resource_class = resources[0]
        self.fields["import_file"].help_text = _(
            "A CSV file (UTF-8) with a header line. Rows are matched to yours by their key column and updated; "
            "the others are added. If any row is invalid, nothing is stored."
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)  # before reading it
            read_file(b"".join(upload.chunks()), self.resource_class)
        except ImportRefused as refusal:
            raise forms.ValidationError(refusal.detail, code=refusal.code) from None
        upload.seek(0)
        return upload


class MarketingFileMixin(ImportMixin, StreamingCsvExportMixin):
    """Import and export on a read-only marketing list; the admin names its resource in `resource_classes` and its
    file in `export_name` (the kind's name in the API). Whoever sees the list exports it (as every CSV export)."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_form_class = CheckedImportForm
    formats = [CSV]

    def has_import_permission(self, request):
        return may_import(request.user, self.model)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"tenant": request.user.tenant}

    def get_import_data_kwargs(self, **kwargs):
        """The confirmed import stores nothing if a row fails now that passed the preview."""
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        return {**kwargs, "use_transactions": True, "rollback_on_validation_errors": True}

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except UploadGone:
            messages.error(
                request,
                _("The previewed file is no longer kept (it waited too long). Nothing was imported. Upload it again."),
            )
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():  # rolled back: say so, and offer the upload again
            messages.error(request, _("Nothing was imported: a row became invalid after the preview. Upload it again."))
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))
        return super().process_result(result, request)
