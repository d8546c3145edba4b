"""Ad platform connections in the console: tenant admins connect them with a platform's sign-in ("Connect Google
Ads", "Connect Meta", adplatforms.connect) or add them with typed credentials, then test, sync, reconnect and
disconnect them; credentials are write-only (typed, stored encrypted, never shown again)."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action, display

from adplatforms import connections, words
from adplatforms.connect import providers
from adplatforms.connect import views as connect_views
from adplatforms.models import SECRET_FIELDS, AdConnection, ConnectionState, SyncRun
from adplatforms.sync import NotSyncable
from core.widgets import secret_input
from tenants.admin_scoping import TenantOwnedAdmin
from tenants.identity.signin.secrets_step_up import SecretsStepUpAdminMixin, SecretsStepUpForm

RECENT_RUNS = 20
WRITE_ONLY_HELP = _(
    "Stored encrypted, never shown again: type one to replace the saved one, or leave empty to keep it."
)


class ConnectionForm(SecretsStepUpForm, forms.ModelForm):
    """The credentials are password fields that never render their value; an empty one keeps the stored value."""

    class Meta:
        model = AdConnection
        fields = ["tenant", "platform", "account_id", "login_customer_id", "app_id", "client_id", *SECRET_FIELDS,
                  "sync_every_minutes", "lookback_days"]  # fmt: skip
        widgets = {name: secret_input() for name in SECRET_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            if name in self.fields:
                self.initial.pop(name, None)
                self.fields[name].help_text = WRITE_ONLY_HELP

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("platform") and cleaned.get("account_id"):
            try:
                cleaned["account_id"], cleaned["login_customer_id"] = connections.account_ids(
                    cleaned["platform"], cleaned["account_id"], cleaned.get("login_customer_id") or ""
                )
            except ValueError as err:
                self.add_error("account_id", str(err))
        self.secrets_changed = bool(connections.secrets_in(cleaned))
        self.refuse_if_stale(self.secrets_changed)
        for name in SECRET_FIELDS:
            if name in cleaned and not cleaned[name]:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class RecentRunsFormSet(BaseInlineFormSet):
    """The connection's latest runs only (an hourly sync makes hundreds a fortnight)."""

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = self.queryset.order_by("-started_at")[:RECENT_RUNS]
        return self._queryset


class ReconciliationFilter(admin.SimpleListFilter):
    """Connections whose daily reconciliation found a day that does not add up (adplatforms.reconcile)."""

    title = _("reconciliation")
    parameter_name = "reconciliation"

    def lookups(self, request, model_admin):
        return [("mismatch", _("Does not add up")), ("matches", _("Adds up"))]

    def queryset(self, request, queryset):
        if self.value() == "mismatch":
            return queryset.filter(mismatched_days__gt=0)
        if self.value() == "matches":
            return queryset.filter(mismatched_days=0)
        return queryset


class SyncRunInline(TabularInline):
    model = SyncRun
    formset = RecentRunsFormSet
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("recent syncs")
    fields = readonly_fields = ["started_at", "finished_at", "status", "first_day", "last_day", "campaigns",
                                "campaign_days", "error"]  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AdConnection)
class AdConnectionAdmin(SecretsStepUpAdminMixin, TenantOwnedAdmin):
    form = ConnectionForm
    list_display = ["platform_name", "account", "name", "state_in_words", "reconciliation_summary", "last_synced_at",
                    "next_sync_at", "tenant"]  # fmt: skip
    list_filter = ["platform", "state", ReconciliationFilter]
    search_fields = ["name", "account_id"]
    list_select_related = ["tenant"]
    readonly_fields = ["name", "currency", "time_zone", "state_in_words", "synced_through", "last_synced_at",
                       "next_sync_at", "reconciliation", "created_at", "updated_at"]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["platform", "account_id", "login_customer_id", "app_id", "client_id"]}),
        (_("Credentials"), {"fields": list(SECRET_FIELDS)}),
        (_("Read from the platform"), {"fields": ["name", "currency", "time_zone"]}),
        (_("Sync"), {"fields": ["state_in_words", "sync_every_minutes", "lookback_days", "synced_through",
                                "last_synced_at", "next_sync_at"]}),
        (_("Reconciliation"), {"fields": ["reconciliation"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]  # fmt: skip
    inlines = [SyncRunInline]
    actions = ["test_connection", "sync_now", "disconnect"]
    list_before_template = "admin/adplatforms/connect_buttons.html"
    change_form_before_template = "admin/adplatforms/reconnect.html"

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, self))

        return [
            path("connect/<str:platform>/", view(connect_views.start), name="adplatforms_adconnection_connect"),
            path("connect/<str:platform>/callback/", view(connect_views.callback),
                 name="adplatforms_adconnection_connect_callback"),
            path("connect/<str:platform>/pick/<str:hold_id>/", view(connect_views.pick),
                 name="adplatforms_adconnection_connect_pick"),
            *super().get_urls(),
        ]  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        """The "Connect" buttons for a tenant's admin (or what the operator must set for them)."""
        buttons = []
        if request.user.tenant_id is not None and self.has_add_permission(request):
            buttons = [
                {"platform": platform, "name": words.platform_name(platform), "missing": missing}
                for platform, missing in providers.offered().items()
            ]
        return super().changelist_view(request, {"connect_buttons": buttons, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A connection that needs re-authorisation offers Reconnect when its platform has a button here."""
        connection = self.get_object(request, object_id)
        reconnect = (
            connection is not None
            and connection.state == ConnectionState.NEEDS_REAUTHORISATION
            and request.user.tenant_id == connection.tenant_id
            and not providers.missing(connection.platform)
        )
        extra = {}
        if reconnect:
            extra = {
                "reconnect_platform": connection.platform,
                "reconnect_name": words.platform_name(connection.platform),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(mismatched_days=Count("reconciliations", filter=Q(reconciliations__matches=False)))
        )

    @display(description=_("reconciliation"), ordering="mismatched_days")
    def reconciliation_summary(self, connection):
        if connection.mismatched_days:
            return ngettext(
                "%(count)s day does not add up", "%(count)s days do not add up", connection.mismatched_days
            ) % {"count": connection.mismatched_days}
        return gettext("Adds up")

    @display(description=_("days that do not add up"))
    def reconciliation(self, connection):
        """Each mismatched day in plain words, newest first; cleared when a later reconciliation matches."""
        days = connection.reconciliations.filter(matches=False).select_related("connection").order_by("-date")
        if not days:
            return gettext("Every day checked adds up.") if connection.reconciled_on else gettext("Not checked yet.")
        return format_html_join("", "<p>{}</p>", ((words.mismatch(day),) for day in days))

    @display(description=_("platform"), ordering="platform")
    def platform_name(self, connection):
        return words.platform_name(connection.platform)

    @display(description=_("ad account"), ordering="account_id")
    def account(self, connection):
        return words.account_label(connection)

    @display(description=_("state"), ordering="state")
    def state_in_words(self, connection):
        """With a link to its page's Reconnect when it needs re-authorisation and the platform's button is offered."""
        said = words.state_words(connection)
        if connection.state != ConnectionState.NEEDS_REAUTHORISATION or providers.missing(connection.platform):
            return said
        change = reverse("admin:adplatforms_adconnection_change", args=[connection.pk])
        return format_html('{} <a href="{}" data-testid="reconnect-link">{}</a>', said, change, gettext("Reconnect"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        connections.saved(obj, created=not change, secrets_changed=getattr(form, "secrets_changed", False))

    @action(description=_("Test connection"))
    def test_connection(self, request, queryset):
        for connection in queryset:
            worked, said = connections.test(connection)
            self.message_user(request, f"{connection}: {said}", messages.SUCCESS if worked else messages.ERROR)

    @action(description=_("Sync now"))
    def sync_now(self, request, queryset):
        for connection in queryset:
            try:
                connections.sync_now(connection)
            except NotSyncable as refused:
                self.message_user(request, f"{connection}: {refused.detail}", messages.WARNING)
            else:
                self.message_user(
                    request, gettext("%(connection)s: a sync is on its way.") % {"connection": connection}
                )

    @action(description=_("Disconnect"))
    def disconnect(self, request, queryset):
        for connection in queryset:
            connections.disconnect(connection)
        self.message_user(
            request,
            gettext("Disconnected: no syncs and no changes until new credentials are saved"),
            messages.WARNING,
        )
