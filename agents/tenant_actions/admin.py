"""Action types in the console: a tenant's admins register them; the model's `clean()` (agents.tenant_actions.rules)
judges the form as it judges the API."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from agents.tenant_actions.models import TenantActionType
from tenants.admin_scoping import TenantOwnedAdmin


class ActionTypeForm(forms.ModelForm):
    tenant_of_editor = None  # set per request by the admin for tenant people: the rules read the row's tenant

    class Meta:
        model = TenantActionType
        fields = [
            "tenant", "key", "names", "args_schema", "editable_fields", "money_field", "currency", "currency_field",
            "reach_field", "reversible", "base_risk", "default_expiry", "runs_by",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.tenant_of_editor is not None:
            self.instance.tenant = self.tenant_of_editor


@admin.register(TenantActionType)
class ActionTypeAdmin(TenantOwnedAdmin):
    form = ActionTypeForm
    list_display = ["key", "name", "runs_by", "base_risk", "reversible", "default_expiry", "updated_at"]
    list_filter = ["runs_by", "reversible"]
    search_fields = ["key", "names"]
    ordering = ["key"]
    list_select_related = ["tenant"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["key", "names"]}),
        (_("Args"), {
            "fields": ["args_schema", "editable_fields"],
            "description": _("What the agent sends, and what an approver may change before approving."),
        }),
        (_("Money and reach"), {"fields": ["money_field", "currency", "currency_field", "reach_field"]}),
        (_("Risk and running"), {"fields": ["reversible", "base_risk", "default_expiry", "runs_by"]}),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]  # fmt: skip

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "tenant"] if request.user.is_superuser else shown

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return [*filters, "tenant"] if request.user.is_superuser else filters

    def get_readonly_fields(self, request, obj=None):
        fixed = super().get_readonly_fields(request, obj)
        return [*fixed, "key"] if obj is not None else fixed  # approvals name their type by key

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class for this request
        form.tenant_of_editor = None if request.user.is_superuser else request.user.tenant
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @display(description=_("name"))
    def name(self, action_type):
        return action_type.name_in()
