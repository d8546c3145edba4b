"""Roles and what each role's per-tenant group may do.

Model permissions open admin pages and API endpoints; rows are still limited to
the caller's tenant by `for_user()`. Object permissions (django-guardian) are
held on the tenant row itself, so a right such as `view_pii` is granted for one
tenant and never leaks to another.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    APPROVER = "approver", _("Approver")
    SUPPORT = "support", _("Support")
    COMPLIANCE = "compliance", _("Compliance")
    MEMBER = "member", _("Member")


# Roles that sign in to the admin console; members talk to the agents over channels.
STAFF_ROLES = frozenset({Role.ADMIN, Role.APPROVER, Role.SUPPORT, Role.COMPLIANCE})


def _crud(app_model: str, actions=("view", "add", "change", "delete")) -> list[str]:
    app, model = app_model.split(".")
    return [f"{app}.{action}_{model}" for action in actions]


def _view(*app_models: str) -> list[str]:
    return [perm for app_model in app_models for perm in _crud(app_model, ("view",))]


_PEOPLE = [*_crud("tenants.user"), *_crud("tenants.userphonenumber"), *_crud("tenants.useremailpreference")]
_APPROVALS = _view(
    "hitl.hitlapproval", "hitl.hitldecision", "hitl.hitlapprovalhistory", "hitl.hitlnotification",
    "hitl.standingapproval",
)  # fmt: skip
_CONVERSATIONS = _view("conversations.conversation", "conversations.message")
HANDLE_CONVERSATIONS = "conversations.handle_conversation"  # take over, answer, note, assign, resolve
# The inbox's settings: admins define them, support uses them (labels on conversations, canned responses).
_INBOX_SETTINGS = [*_crud("conversations.label"), *_crud("conversations.cannedresponse")]
_INBOX_SETTINGS_USED = _view("conversations.label", "conversations.cannedresponse")
_MARKETING = _view(
    "agents.aiagent", "agents.campaign", "agents.campaigndailystat", "agents.keywordranking",
    "agents.targetkeyword", "agents.contentpiece", "agents.audiencesegment",
)  # fmt: skip
# Importing the marketing data (agents.import_files): it changes rows without an approval, so tenant admins only.
_MARKETING_IMPORT = [
    perm
    for model in ("campaign", "campaigndailystat", "keywordranking", "targetkeyword", "contentpiece", "audiencesegment")
    for perm in _crud(f"agents.{model}", ("add", "change"))
]
_AUDIT = _view("tenants.accesslog", "agents.toolcallaudit", "analytics.platformevent")
_SUBJECT_REQUESTS = _crud("tenants.subjectrequest", ("view", "add"))  # export and erase a person's data
_CONVERSATION_ANALYTICS = _view("analytics.conversationmetrics")
_APPROVAL_ANALYTICS = _view("analytics.hitlanalytics")
_EMAIL_DELIVERY = _view("analytics.emaildeliverylog")
# Ad platform connections (adplatforms): their credentials act as the tenant on its ad accounts.
_AD_CONNECTIONS = [*_crud("adplatforms.adconnection"), *_view("adplatforms.syncrun", "adplatforms.platformcampaign")]
# Warehouse destinations (warehouse): their key writes the tenant's rows into its BigQuery dataset.
_WAREHOUSE = _crud("warehouse.warehousedestination")
_AD_CHANGES = _view(
    "adplatforms.adguardrails",
    "adplatforms.platformchange",
    "adplatforms.outsidechange",
    "adplatforms.platformrecommendation",
)
# Performance rules (adplatforms.rules): they file proposals and notify in the tenant's name: tenant admins edit them.
_PERFORMANCE_RULES = [*_crud("adplatforms.performancerule"), *_view("adplatforms.rulefiring")]
# Single sign-on (tenants.models.identity_providers): who may sign in to the tenant, so tenant admins only.
_SINGLE_SIGN_ON = [*_crud("tenants.identityprovider"), *_crud("tenants.signindomain")]
# Tenant alerts (alerts/): admins edit the rules; incidents and their notices are records.
_ALERTS = [*_crud("alerts.alertrule"), *_view("alerts.alertincident", "alerts.alertnotice")]
# The Slack app (channels_app.slack): its bot token posts as the tenant, its signing secret admits clicks that decide.
_SLACK = [*_crud("channels_app.slackworkspace"), *_view("channels_app.slackuserlink")]
# Action types the tenant registers for its own agents (agents.tenant_actions): what they may ask approval for.
_ACTION_TYPES = _crud("agents.tenantactiontype")
_WHATSAPP = [
    *_crud("channels_app.whatsappsender"),
    *_crud("channels_app.whatsapptemplate"),
    *_view("channels_app.whatsappsend"),
]

ROLE_MODEL_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [
        "tenants.view_tenant",
        "tenants.change_tenant",
        *_PEOPLE,
        *_APPROVALS,
        "hitl.decide_hitlapproval",
        *_crud("hitl.hitlworkflow"),
        *_crud("hitl.riskpolicy", ("view", "add", "change")),
        *_crud("agents.enginechoice"),
        *_crud("adplatforms.adguardrails", ("view", "add", "change")),
        "adplatforms.view_platformchange",
        "adplatforms.view_outsidechange",
        "adplatforms.view_platformrecommendation",
        *_PERFORMANCE_RULES,
        *_CONVERSATIONS,
        HANDLE_CONVERSATIONS,
        *_INBOX_SETTINGS,
        *_MARKETING,
        *_MARKETING_IMPORT,
        *_AUDIT,
        *_SUBJECT_REQUESTS,
        *_CONVERSATION_ANALYTICS,
        *_APPROVAL_ANALYTICS,
        *_EMAIL_DELIVERY,
        *_WHATSAPP,
        *_AD_CONNECTIONS,
        *_SINGLE_SIGN_ON,
        *_WAREHOUSE,
        *_ALERTS,
        *_SLACK,
        *_ACTION_TYPES,
    ],  # fmt: skip
    Role.APPROVER: [
        "tenants.view_tenant",
        *_APPROVALS,
        "hitl.decide_hitlapproval",
        *_view("hitl.hitlworkflow"),
        *_MARKETING,
        *_AD_CHANGES,
        *_APPROVAL_ANALYTICS,
    ],
    Role.SUPPORT: [
        "tenants.view_tenant",
        *_CONVERSATIONS,
        HANDLE_CONVERSATIONS,
        *_INBOX_SETTINGS_USED,
        *_MARKETING,
        *_CONVERSATION_ANALYTICS,
        *_EMAIL_DELIVERY,
    ],
    Role.COMPLIANCE: [
        "tenants.view_tenant",
        *_APPROVALS,
        *_CONVERSATIONS,
        *_MARKETING,
        *_AD_CHANGES,
        *_AUDIT,
        *_SUBJECT_REQUESTS,
        *_CONVERSATION_ANALYTICS,
        *_APPROVAL_ANALYTICS,
        *_EMAIL_DELIVERY,
    ],  # fmt: skip
    Role.MEMBER: [],
}

ROLE_TENANT_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: ["view_tenant", "change_tenant", "manage_users"],
    Role.APPROVER: ["view_tenant"],
    Role.SUPPORT: ["view_tenant"],
    Role.COMPLIANCE: ["view_tenant", "view_pii"],
    Role.MEMBER: ["view_tenant"],
}


def role_holds(role: str, permission: str) -> bool:
    """Whether `role`'s group holds `permission` ("app.codename"): on the tenant's models, or on its tenant row."""
    app_label, codename = permission.split(".")
    on_tenant = app_label == "tenants" and codename in ROLE_TENANT_PERMISSIONS.get(role, ())
    return on_tenant or permission in ROLE_MODEL_PERMISSIONS.get(role, ())


def role_group_name(tenant_id, role: str) -> str:
    """Group names carry the tenant id, not the slug, so renaming a tenant keeps its groups."""
    return f"tenant:{tenant_id}:{role}"
