"""The approval queue's list filters: the inbox's queues, and fixed choices instead of a SELECT DISTINCT."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agents.actions import ActionType
from agents.models import AgentType
from hitl import inbox
from hitl.models import ApprovalRequest
from hitl.services import outside_results


class QueueFilter(admin.SimpleListFilter):
    """The inbox: opens on what waits for the viewer unless the address names other filters."""

    title = _("queue")
    parameter_name = inbox.QUEUE_PARAM

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        # A search without a queue looks through everything: a reference may name a decided approval.
        # Only a page view opens on the default: a bulk action posted to the bare address acts on what was ticked.
        if (
            request.method == "GET"
            and self.parameter_name not in self.used_parameters
            and not params
            and not request.GET.get("q")
        ):
            self.used_parameters[self.parameter_name] = inbox.default_queue(request.user)

    def lookups(self, request, model_admin):
        return inbox.QUEUES

    def choices(self, changelist):
        # No "All" entry: it would drop the parameter and land back on the default; "Everything" is all.
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        return inbox.in_queue(queryset, self.value(), request.user) if self.value() else queryset


class ChoicesFilter(admin.SimpleListFilter):
    """Lists fixed choices instead of a SELECT DISTINCT over the whole table."""

    options: list[tuple[str, str]] = []

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() else queryset


class ActionTypeFilter(ChoicesFilter):
    title = _("action type")
    parameter_name = "action_type"
    options = ActionType.choices


class AgentTypeFilter(ChoicesFilter):
    title = _("agent")
    parameter_name = "agent_type"
    options = AgentType.choices


class AskedByFilter(admin.SimpleListFilter):
    """The agents outside Walker that asked (their integration tokens' names), for "everything Acme's LangGraph
    agent asked"; Walker's own agents are the agent filter's."""

    title = _("asked by")
    parameter_name = "asked_by"
    LISTED = 100  # names offered; any other still filters when typed into the address

    def lookups(self, request, model_admin):
        rows = ApprovalRequest.objects.all()
        if not request.user.is_superuser:
            rows = rows.filter(tenant_id=request.user.tenant_id)
        names = rows.order_by("agent_name").values_list("agent_name", flat=True).distinct()[: self.LISTED]
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        return queryset.filter(outside_request__agent_name=self.value()) if self.value() else queryset


class OutcomeOverdueFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "outcome"
    OVERDUE = "overdue"

    def lookups(self, request, model_admin):
        return [(self.OVERDUE, _("Overdue: approved, no outcome reported"))]

    def queryset(self, request, queryset):
        return outside_results.overdue(queryset) if self.value() == self.OVERDUE else queryset
