"""Walker's four agents, one row each with no tenant: put back after every migrate and every flush (a
`post_migrate` receiver, as the role groups are), so a test database can be flushed and reused."""

from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

SYSTEM_AGENT_NAMES = {
    "paid_ads": "Walker Paid Ads",
    "seo": "Walker SEO",
    "content": "Walker Content",
    "audience": "Walker Audience Intelligence",
}


def ensure_system_agents(sender, using="default", apps=global_apps, **kwargs):
    """`apps`: the migrated state's registry after a migrate (a flush sends none: the project's own)."""
    try:
        AIAgent = apps.get_model("agents", "AIAgent")
    except LookupError:  # migrated back to before the agents' tables: nothing to put back
        return
    present = set(AIAgent.objects.using(using).filter(is_system_agent=True).values_list("agent_type", flat=True))
    AIAgent.objects.using(using).bulk_create(
        AIAgent(agent_type=agent_type, is_system_agent=True, name=name, tenant=None)
        for agent_type, name in SYSTEM_AGENT_NAMES.items()
        if agent_type not in present
    )


def connect(app_config):
    post_migrate.connect(ensure_system_agents, sender=app_config, dispatch_uid="agents_system_agents_after_migrate")
