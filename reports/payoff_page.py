"""Reports → Did it pay off: the report of reports.payoff on a console page, with its filters (days, platform,
grouping), pages of groups and the CSV export of the same filters. The query is read by the API's own serializer, so
the page and the API accept and refuse the same input."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.models import Campaign
from hitl.payoff.words import ratio
from reports import payoff, queries
from reports.api import PayoffQuery
from reports.resources import PayoffChangeResource, PayoffResource
from tenants.exports import csv_response, zone_for
from tenants.templatetags.walker_l10n import money

PERMISSION = "analytics.view_hitlanalytics"  # who reads the approval analytics reads this report
PAGE_ROWS = 25
GROUP_WORDS = {
    "action_type": gettext_lazy("Action type"),
    "agent": gettext_lazy("Agent"),
    "rule": gettext_lazy("Rule"),
    "approver": gettext_lazy("Approver"),
}

NONE_WORDS = {  # the group of the proposals the grouping does not name
    "agent": gettext_lazy("An agent outside Walker"),
    "rule": gettext_lazy("Not filed by a rule"),
    "approver": gettext_lazy("No person decided"),
}


def payoff_view(request):
    """Served through `admin.site.admin_view` (config/urls.py): the console's sign-in and staff check."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    request.current_app = admin.site.name
    context = admin.site.each_context(request)
    data, errors = _query(request)
    span = queries.range_for(request.user, data["start"], data["end"])
    platform = data.get("platform", "")
    totals, groups = payoff.payoff_groups(request.user, span, data["group_by"], platform=platform, days=data["days"])
    if not errors and request.GET.get("export") == "csv":
        rows = [{"group_by": data["group_by"], **group.as_data()} for group in groups]
        return csv_response(PayoffResource(), rows, "payoff", zone=zone_for(request.user))
    if not errors and request.GET.get("export") == "changes":
        changes = payoff.payoff_changes(request.user, span, platform=platform, days=data["days"])
        return csv_response(PayoffChangeResource(), changes, "payoff-changes", zone=zone_for(request.user))
    page = Paginator(groups, PAGE_ROWS).get_page(request.GET.get("page"))
    context.update(
        title=_("Did it pay off"),
        errors=errors,
        query=data,
        group_by_choices=list(GROUP_WORDS.items()),
        group_word=GROUP_WORDS[data["group_by"]],
        platform_choices=Campaign.Platform.choices,
        totals=shown(totals, data["group_by"]),
        page=page,
        rows=[shown(group, data["group_by"]) for group in page.object_list],
        export_query=_export_query(request, "csv"),
        export_changes_query=_export_query(request, "changes"),
    )
    return TemplateResponse(request, "admin/reports/payoff.html", context)


def _query(request) -> tuple[dict, list[str]]:
    """The filters asked for; those that do not hold are said and left out (their defaults shown instead)."""
    asked = {k: v for k, v in request.GET.items() if v}
    form = PayoffQuery(data=asked, context={"user": request.user})
    if form.is_valid():
        return form.validated_data, []
    errors = [f"{name}: {' '.join(map(str, messages))}" for name, messages in form.errors.items()]
    kept = PayoffQuery(data={k: v for k, v in asked.items() if k not in form.errors}, context={"user": request.user})
    if not kept.is_valid():  # a range that holds only with the field left out: every default
        kept = PayoffQuery(data={}, context={"user": request.user})
        kept.is_valid(raise_exception=True)
    return kept.validated_data, errors


def _export_query(request, what: str) -> str:
    kept = request.GET.copy()
    kept.pop("page", None)
    kept["export"] = what
    return kept.urlencode()


def shown(group: payoff.Group, group_by: str) -> dict:
    """A group's counts and, per currency, its results before and after in the reader's words (yen whole)."""
    data = group.as_data()
    results = []
    for code, figures in data["results"].items():
        before, after = group.before[code], group.after[code]
        results.append(
            {
                "currency": code,
                "compared": figures["changes_compared"],
                "spend": (money(before.spend, currency=code), money(after.spend, currency=code)),
                "spend_moved": money(after.spend - before.spend, currency=code),
                "conversions": (before.conversions, after.conversions),
                "value": (money(before.value, currency=code), money(after.value, currency=code)),
                "cpa": tuple("—" if v is None else money(v, currency=code) for v in (before.cpa, after.cpa)),
                "roas": (ratio(before.roas), ratio(after.roas)),
            }
        )
    return {**data, "name": data["name"] or str(NONE_WORDS.get(group_by, "—")), "results": results}
