"""Every workflow's JSON levels become WorkflowLevel rows, in order; and back (the rows then go).

What the engine followed is kept: people named by id or by email address are found among the workflow's
tenant's people (inactive ones too: the engine passed over them when deciding, and still does), groups by name.
A name that matched no one then (an unknown id, email or group) matched no one when deciding, so it has no row.
Approvals are untouched: each keeps its own JSON snapshot of the workflow.
"""

import uuid

from django.db import migrations
from django.db.models import Q


def _ids(names):
    ids = []
    for name in names:
        try:
            ids.append(uuid.UUID(name))
        except (TypeError, ValueError, AttributeError):
            continue
    return ids


def levels_to_rows(apps, schema_editor):
    workflows = apps.get_model("hitl", "HITLWorkflow")
    levels = apps.get_model("hitl", "WorkflowLevel")
    users = apps.get_model("tenants", "User")
    groups = apps.get_model("auth", "Group")
    for workflow in workflows.objects.exclude(approval_levels=[]).iterator():
        for position, item in enumerate(workflow.approval_levels or [], start=1):
            approvers = item.get("approvers") or {}
            named = [name for name in approvers.get("users") or [] if isinstance(name, str)]
            emails = [name.lower() for name in named if "@" in name]
            people = users.objects.filter(tenant_id=workflow.tenant_id).filter(
                Q(pk__in=_ids(name for name in named if "@" not in name)) | Q(email__in=emails)
            )
            level = levels.objects.create(
                workflow=workflow,
                position=position,
                name=item.get("name") or "",
                roles=list(approvers.get("roles") or []),
                required_approvals=item.get("required_approvals", 1),
            )
            level.users.set(people)
            level.groups.set(groups.objects.filter(name__in=approvers.get("groups") or []))


def rows_to_levels(apps, schema_editor):
    workflows = apps.get_model("hitl", "HITLWorkflow")
    for workflow in workflows.objects.prefetch_related("levels__users", "levels__groups").iterator(chunk_size=100):
        stored = []
        for level in sorted(workflow.levels.all(), key=lambda level: level.position):
            approvers = {
                "roles": list(level.roles),
                "groups": sorted(group.name for group in level.groups.all()),
                "users": sorted(str(person.pk) for person in level.users.all()),
            }
            item = {"approvers": {kind: names for kind, names in approvers.items() if names}}
            if level.name:
                item["name"] = level.name
            item["required_approvals"] = level.required_approvals
            stored.append(item)
        workflow.approval_levels = stored
        workflow.save(update_fields=["approval_levels"])
    apps.get_model("hitl", "WorkflowLevel").objects.all().delete()  # JSON again: applied anew, 0004 makes them


class Migration(migrations.Migration):
    dependencies = [
        ("hitl", "0003_workflow_levels"),
        ("tenants", "0004_forget_allauth_email_addresses"),
    ]

    operations = [migrations.RunPython(levels_to_rows, rows_to_levels)]
