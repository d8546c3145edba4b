"""Workflows in the console: their rules as a form with their levels inline, the built-in default to copy, and
what would happen to a sample request."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from agents.actions import action_name
from hitl import preview, rules
from hitl.admin.levels import WorkflowLevelInline
from hitl.models import HITLWorkflow, RiskLevel
from hitl.services.workflows import copy_builtin_default
from hitl.workflow_forms import CHANNEL_CHOICES, WorkflowForm, approvers_of, find_people
from tenants.admin_scoping import TenantOwnedAdmin, person_label
from tenants.models import Tenant


@admin.register(HITLWorkflow)
class HITLWorkflowAdmin(TenantOwnedAdmin):
    form = WorkflowForm
    inlines = [WorkflowLevelInline]
    list_display = [
        "name", "is_active", "is_default", "sla_hours", "escalation_hours", "auto_approve_hours", "problem", "tenant"
    ]  # fmt: skip
    list_filter = ["is_active", "is_default"]
    search_fields = ["name", "description"]
    list_select_related = ["tenant"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    change_form_after_template = "admin/hitl/workflow_rules.html"  # the automatic rules, as formsets
    fieldsets = [
        (None, {"fields": ["name", "description", "is_active", "is_default"]}),
        (_("Which requests it governs"), {
            "fields": ["action_types", "risk_levels", "min_cost_threshold", "max_cost_threshold"],
            "description": _("The most specific active workflow that matches a request governs it; a request none "
                             "matches follows the default workflow, else the built-in default."),
        }),
        (_("How approvers decide"), {"fields": ["parallel_approval", "unanimous_required", "notification_channels"]}),
        (_("Slack"), {"fields": ["slack_channel", "slack_responders"]}),
        (_("Deadlines and reminders (hours)"), {"fields": [
            "sla_hours", "escalation_hours", "auto_approve_hours", "expire_hours", "reminder_frequency_hours",
            "max_reminders",
        ]}),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]  # fmt: skip

    # What a reviewer who may only look reads in place of the lists of codes the form edits as checkboxes.
    SHOWN_READ_ONLY = {"action_types": "action_names", "risk_levels": "risk_names", "notification_channels": "channels"}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        shown = self.SHOWN_READ_ONLY
        return [
            (title, {**options, "fields": [shown.get(f, f) for f in options["fields"]]}) for title, options in fieldsets
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("levels__users", "levels__groups")  # `problem`

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.SHOWN_READ_ONLY.values()]

    @display(description=_("action types"))
    def action_names(self, workflow):
        return ", ".join(action_name(code) for code in workflow.action_types) or _("Any action type")

    @display(description=_("risk levels"))
    def risk_names(self, workflow):
        levels = dict(RiskLevel.choices)
        return ", ".join(str(levels.get(code, code)) for code in workflow.risk_levels) or _("Any risk level")

    @display(description=_("notification channels"))
    def channels(self, workflow):
        names = dict(CHANNEL_CHOICES)
        return ", ".join(str(names.get(code, code)) for code in workflow.notification_channels) or "—"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class for this request
        form.tenant = request.user.tenant
        form.read_only = obj is not None and not self.has_change_permission(request, obj)
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    # --- the built-in default, and what would happen to a request ---------------------------------------------

    list_before_template = "admin/hitl/workflow_list_top.html"

    def get_urls(self):
        copy = self.admin_site.admin_view(self.copy_default_view)
        sample = self.admin_site.admin_view(self.preview_view)
        people = self.admin_site.admin_view(self.people_view)
        return [
            path("copy-default/", copy, name="hitl_hitlworkflow_copy_default"),
            path("preview/", sample, name="hitl_hitlworkflow_preview"),
            path("people/", people, name="hitl_hitlworkflow_people"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        tenant = request.user.tenant
        extra = {
            "builtin": preview.summary(rules.SYSTEM_DEFAULT_WORKFLOW),
            "tenant_default": HITLWorkflow.objects.filter(tenant=tenant, is_default=True, is_active=True).first()
            if tenant
            else None,
            "may_copy": tenant is not None and self.has_add_permission(request),
            "sample_form": preview.SampleActionForm(tenant=tenant),
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def copy_default_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.user.tenant is None:
            messages.error(
                request, gettext("Workflows belong to a tenant: sign in as a tenant admin to copy the default.")
            )
            return HttpResponseRedirect(reverse("admin:hitl_hitlworkflow_changelist"))
        workflow = copy_builtin_default(request.user.tenant, by=request.user)
        messages.success(
            request,
            gettext("Copied the built-in default as “%(name)s”. It is not active yet: adjust it, then tick Active.")
            % {"name": workflow.name},
        )
        return HttpResponseRedirect(reverse("admin:hitl_hitlworkflow_change", args=[workflow.pk]))

    def preview_view(self, request):
        """A sample action's risk, workflow, approvers and deadlines, as request_approval would find them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tenant = request.user.tenant
        # A link may only choose the action type (the change page's does): the form opens on it, unsubmitted.
        submitted = "estimated_cost" in request.GET
        form = preview.SampleActionForm(request.GET if submitted else None, initial=request.GET.dict(), tenant=tenant)
        result = None
        if form.is_valid():
            data = form.cleaned_data
            result = preview.preview(
                tenant or data["tenant"],
                action_type=data["action_type"],
                agent_type=data["agent_type"],
                estimated_cost=data["estimated_cost"],
                estimated_reach=data["estimated_reach"],
                confidence=data["confidence"],
                requested_by=data["requested_by"],
            )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("What would happen to a request"),
            "opts": self.opts,
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/hitl/workflow_preview.html", context)

    PEOPLE_PER_PAGE = 20

    def people_view(self, request):
        """The level's people search (select2's JSON): the tenant's active people who can open the console, by
        name or email. A superuser without a tenant names one (`tenant`), else searches every tenant's."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        tenant = request.user.tenant
        if tenant is None and request.GET.get("tenant"):
            tenant = Tenant.objects.filter(pk__in=rules.valid_uuids([request.GET["tenant"]])).first()
            if tenant is None:
                return JsonResponse({"error": gettext("No such tenant.")}, status=400)
        page = request.GET.get("page", "1")
        if not page.isdigit() or int(page) < 1:
            return JsonResponse({"error": gettext("The page must be a whole number from 1.")}, status=400)
        size, start = self.PEOPLE_PER_PAGE, (int(page) - 1) * self.PEOPLE_PER_PAGE
        found = list(find_people(approvers_of(tenant), request.GET.get("term", ""))[start : start + size + 1])
        results = [{"id": str(person.pk), "text": person_label(person)} for person in found[:size]]
        return JsonResponse({"results": results, "pagination": {"more": len(found) > size}})

    @display(description=_("problem"))
    def problem(self, obj):
        """Why the engine passes this workflow over (human review under the built-in rules), if it does."""
        reason = rules.workflow_problems(obj)
        return gettext("Not applied: %(reason)s") % {"reason": reason} if reason else "—"
