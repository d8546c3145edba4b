"""Warehouse destinations in the console: a tenant admin adds the tenant's own, a superuser the installation's
(no tenant). The service account key is write-only: stored encrypted, never shown again. The page shows how the
last export went, each table's progress and the latest batches."""

import re

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display
from unfold.widgets import UnfoldAdminTextareaWidget

from tenants.admin_scoping import TenantOwnedAdmin
from tenants.identity.signin.secrets_step_up import SecretsStepUpAdminMixin, SecretsStepUpForm
from warehouse import bigquery
from warehouse.models import DestinationStatus, ExportBatch, ExportCursor, WarehouseDestination

RECENT_BATCHES = 20
PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
DATASET = re.compile(r"^[A-Za-z0-9_]{1,1024}$")


class DestinationForm(SecretsStepUpForm, forms.ModelForm):
    """The key is a text area that never shows the stored key; left empty on a change, the stored one stays."""

    class Meta:
        model = WarehouseDestination
        fields = ["tenant", "project", "dataset_name", "location", "service_account_key", "enabled"]
        # unfold's, not Django's bare Textarea: that one has no border on a transparent background in the console.
        widgets = {"service_account_key": UnfoldAdminTextareaWidget(attrs={"rows": 6, "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.pop("service_account_key", None)
        if "service_account_key" in self.fields:
            field = self.fields["service_account_key"]
            field.required = self.instance._state.adding
            field.help_text = _(
                "The JSON key of a service account with BigQuery Data Editor on the dataset and BigQuery Job User "
                "on the project. Stored encrypted, never shown again: paste one to replace the saved one, or leave "
                "empty to keep it."
            )

    def clean_project(self):
        project = self.cleaned_data["project"].strip()
        if not PROJECT.match(project):
            raise forms.ValidationError(
                _("A Google Cloud project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter.")
            )
        return project

    def clean_dataset_name(self):
        dataset = self.cleaned_data["dataset_name"].strip()
        if not DATASET.match(dataset):
            raise forms.ValidationError(_("A BigQuery dataset name: letters, digits and underscores only."))
        return dataset

    def clean_service_account_key(self):
        key = (self.cleaned_data.get("service_account_key") or "").strip()
        if not key:
            return self.instance.service_account_key  # kept (required when adding)
        try:
            bigquery.parse_key(key)
        except ValueError as err:
            raise forms.ValidationError(str(err)) from None
        self.key_changed = True
        return key

    def clean(self):
        cleaned = super().clean()
        self.refuse_if_stale(getattr(self, "key_changed", False))
        return cleaned


@admin.register(WarehouseDestination)
class WarehouseDestinationAdmin(SecretsStepUpAdminMixin, TenantOwnedAdmin):
    form = DestinationForm
    list_display = ["__str__", "scope", "enabled", "status_in_words", "last_exported_at", "last_attempt_at"]
    list_filter = ["enabled", "status"]
    search_fields = ["project", "dataset_name"]
    list_select_related = ["tenant"]
    readonly_fields = ["status_words", "status_detail", "last_exported_at", "last_attempt_at", "tables",
                       "recent_batches", "created_at", "updated_at"]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["project", "dataset_name", "location", "enabled"]}),
        (_("Credentials"), {"fields": ["service_account_key"]}),
        (_("Export"), {"fields": ["status_words", "status_detail", "last_exported_at", "last_attempt_at",
                                  "tables", "recent_batches"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]  # fmt: skip

    def shows_secrets(self, request, obj) -> bool:
        return obj is None or obj.tenant_id is not None

    @display(description=_("receives"))
    def scope(self, destination):
        return destination.tenant or gettext("Every tenant (the installation)")

    @display(description=_("status"), ordering="status", label={
        DestinationStatus.WAITING: "info", DestinationStatus.EXPORTING: "success",
        DestinationStatus.FAILING: "warning", DestinationStatus.STOPPED: "danger",
    })  # fmt: skip
    def status_in_words(self, destination):
        return destination.status, destination.get_status_display()

    @display(description=_("status"))
    def status_words(self, destination):
        return destination.get_status_display()

    @display(description=_("tables"))
    def tables(self, destination):
        cursors = ExportCursor.objects.filter(destination=destination).order_by("table")
        if not cursors:
            return gettext("Nothing sent yet.")
        return format_html_join(
            "",
            "<p>{}: {}</p>",
            ((cursor.table, _cursor_words(cursor)) for cursor in cursors),
        )

    @display(description=_("latest batches"))
    def recent_batches(self, destination):
        batches = ExportBatch.objects.filter(cursor__destination=destination).select_related("cursor")
        rows = [
            (_when(b.created_at), b.cursor.table, b.rows, b.get_state_display(), b.attempts, b.error or "")
            for b in batches.order_by("-created_at")[:RECENT_BATCHES]
        ]
        if not rows:
            return gettext("No batch yet.")
        headings = [gettext("created at"), gettext("table"), gettext("rows"), gettext("state"), gettext("attempts"),
                    gettext("error")]  # fmt: skip
        head = format_html_join("", '<th class="pr-4 py-1 text-left">{}</th>', ((h,) for h in headings))
        cells = "".join(['<td class="pr-4 py-1 align-top">{}</td>'] * len(headings))
        body = format_html_join("", f"<tr>{cells}</tr>", rows)
        return format_html("<table><tr>{}</tr>{}</table>", head, body)

    def save_model(self, request, obj, form, change):
        if change and obj.status in (DestinationStatus.FAILING, DestinationStatus.STOPPED):
            # Saved again (a new key, a granted permission): the next run tries it again.
            obj.status, obj.status_detail = DestinationStatus.WAITING, ""
        super().save_model(request, obj, form, change)


def _cursor_words(cursor: ExportCursor) -> str:
    if cursor.position_at is None:
        return gettext("nothing sent yet")
    words = gettext("%(rows)s rows sent, through %(time)s")
    return words % {"rows": cursor.rows_sent, "time": _when(cursor.position_at)}


def _when(moment) -> str:
    """In the viewer's time zone, as the console's other times."""
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
