"""The console's sidebar, organised by the work people do rather than by Django app (issue 50).

Groups in the order of a working day: what waits for me, approvals, conversations, reports, the marketing data the
agents read, automation, settings, and the platform's own tables (superusers). Each entry is a model's list or a
page; an entry's `permission` asks the model's own ModelAdmin whether the viewer may open it, so the sidebar hides
exactly what the admin would refuse (the role's group permissions, tenants/roles.py). Every registered admin list
has one entry (tests/console/test_sidebar.py fails for one that has none).

The approval queue's badge is counted here, not by an unfold `badge` callback: unfold 0.91 draws a badge's chip
whenever a callback is named, so a callback could not leave the chip out when nothing waits.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hitl.inbox import waiting_count
from reports.payoff_page import PERMISSION as PAYOFF_PERMISSION


@dataclass(frozen=True)
class Entry:
    """A model's admin list (`model`, an "app.model" label) or a named page (`page`, a URL name open to anyone who
    opens the console, or to those holding `needs`, the permission the page itself asks for); `title` defaults to
    the model's plural name."""

    icon: str
    model: str = ""
    page: str = ""
    title: str = ""
    needs: str = ""


@dataclass(frozen=True)
class Group:
    title: str
    entries: tuple[Entry, ...]
    collapsible: bool = False  # long groups of reference tables stay closed until one of their pages is open


SIDEBAR = (
    Group(_("Inbox"), (Entry("inbox", page="admin:index", title=_("My work")),)),
    Group(
        _("Approvals"),
        (
            Entry("pending_actions", "hitl.hitlapproval", title=_("Approval queue")),
            Entry("event_repeat", "hitl.standingapproval"),
            Entry("published_with_changes", "adplatforms.platformchange"),
            Entry("sync_problem", "adplatforms.outsidechange"),
            Entry("tips_and_updates", "adplatforms.platformrecommendation"),
        ),
    ),
    Group(
        _("Conversations"),
        (
            Entry("forum", "conversations.conversation"),
            Entry("chat", "conversations.message"),
            Entry("label", "conversations.label"),
            Entry("quick_phrases", "conversations.cannedresponse"),
            Entry("send", "channels_app.whatsappsend"),
            Entry("mail", "analytics.emaildeliverylog"),
        ),
    ),
    Group(
        _("Reports"),
        (
            Entry("monitoring", page="dashboard", title=_("Dashboard")),
            Entry("analytics", "analytics.hitlanalytics"),
            Entry("trending_up", page="payoff", title=_("Did it pay off"), needs=PAYOFF_PERMISSION),
            Entry("query_stats", "analytics.conversationmetrics"),
            Entry("history", "analytics.platformevent", title=_("Event log")),
            Entry("visibility", "tenants.accesslog", title=_("Access log")),
            Entry("build", "agents.toolcallaudit"),
        ),
    ),
    Group(
        _("Marketing data"),
        (
            Entry("smart_toy", "agents.aiagent"),
            Entry("campaign", "agents.campaign"),
            Entry("bar_chart", "agents.campaigndailystat"),
            Entry("trending_up", "agents.keywordranking"),
            Entry("key", "agents.targetkeyword"),
            Entry("article", "agents.contentpiece"),
            Entry("groups", "agents.audiencesegment"),
        ),
        collapsible=True,
    ),
    Group(
        _("Automation"),
        (
            Entry("account_tree", "hitl.hitlworkflow"),
            Entry("shield", "hitl.riskpolicy"),
            Entry("category", "agents.tenantactiontype"),
            Entry("fence", "adplatforms.adguardrails"),
            Entry("rule", "adplatforms.performancerule"),
            Entry("bolt", "adplatforms.rulefiring"),
            Entry("notifications", "alerts.alertrule"),
            Entry("warning", "alerts.alertincident"),
        ),
    ),
    Group(
        _("Settings"),
        (
            Entry("apartment", "tenants.tenant"),
            Entry("person", "tenants.user", title=_("People")),
            Entry("person_add", "tenants.invitation"),
            Entry("phone", "tenants.userphonenumber"),
            Entry("mark_email_read", "tenants.useremailpreference"),
            Entry("ads_click", "adplatforms.adconnection"),
            Entry("sms", "channels_app.whatsappsender"),
            Entry("description", "channels_app.whatsapptemplate"),
            Entry("tag", "channels_app.slackworkspace"),
            Entry("database", "warehouse.warehousedestination"),
            Entry("memory", "agents.enginechoice"),
            Entry("login", "tenants.identityprovider"),
            Entry("token", "tenants.integrationtoken"),
            Entry("folder_shared", "tenants.subjectrequest"),
        ),
        collapsible=True,
    ),
    Group(
        _("Platform"),
        (
            Entry("group", "auth.group"),
            Entry("vpn_key", "authtoken.tokenproxy"),
            Entry("lock_clock", "axes.accessattempt"),
            Entry("lock", "axes.accessfailurelog"),
            Entry("login", "axes.accesslog"),
            Entry("schedule", "django_celery_beat.periodictask"),
            Entry("timer", "django_celery_beat.intervalschedule"),
            Entry("calendar_month", "django_celery_beat.crontabschedule"),
            Entry("wb_twilight", "django_celery_beat.solarschedule"),
            Entry("alarm", "django_celery_beat.clockedschedule"),
            Entry("unsubscribe", "tenants.undeliverableaddress"),
            Entry("running_with_errors", "hitl.deadlinefailure"),
        ),
        collapsible=True,
    ),
)

BADGES = {"hitl.hitlapproval": waiting_count}  # model -> what waits for the viewer there (None: no badge)


def navigation(request) -> list[dict]:
    """unfold's SIDEBAR["navigation"]: the groups above, each entry with its link, permission and badge."""
    return [
        {
            "title": group.title,
            "collapsible": group.collapsible,
            "items": [_item(entry, request) for entry in group.entries],
        }
        for group in SIDEBAR
    ]


def may_open(model) -> Callable[[HttpRequest], bool]:
    """Whether the viewer may open `model`'s admin list: what Django's app list asks of its ModelAdmin."""

    def permitted(request) -> bool:
        model_admin = admin.site.get_model_admin(model)
        return model_admin.has_module_permission(request) and model_admin.has_view_or_change_permission(request)

    return permitted


def _item(entry: Entry, request) -> dict:
    if not entry.model:
        item = {"title": entry.title, "icon": entry.icon, "link": reverse(entry.page)}
        if entry.needs:
            item["permission"] = lambda request: request.user.has_perm(entry.needs)
        return item
    model = apps.get_model(entry.model)
    item = {
        "title": entry.title or capfirst(model._meta.verbose_name_plural),
        "icon": entry.icon,
        "link": reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
        "permission": may_open(model),
    }
    badge = BADGES.get(entry.model)
    if badge and (count := badge(request)):
        item["badge"] = count
        item["badge_variant"] = "danger"
    return item
