from django.db import migrations

SYSTEM_AGENTS = [
    ("paid_ads", "Walker Paid Ads"),
    ("seo", "Walker SEO"),
    ("content", "Walker Content"),
    ("audience", "Walker Audience Intelligence"),
]


def create_system_agents(apps, schema_editor):
    AIAgent = apps.get_model("agents", "AIAgent")
    for agent_type, name in SYSTEM_AGENTS:
        AIAgent.objects.get_or_create(
            agent_type=agent_type, is_system_agent=True, defaults={"name": name, "tenant": None}
        )


def remove_system_agents(apps, schema_editor):
    apps.get_model("agents", "AIAgent").objects.filter(is_system_agent=True).delete()


class Migration(migrations.Migration):
    dependencies = [("agents", "0001_initial")]

    operations = [migrations.RunPython(create_system_agents, remove_system_agents)]
