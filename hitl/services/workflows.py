"""Workflows made for a tenant by Walker rather than typed in, and the levels the API writes."""

import copy

from django.db import transaction

from hitl import rules
from hitl.models import HITLWorkflow, WorkflowLevel

COPY_NAME = "Walker default (copy)"


@transaction.atomic
def copy_builtin_default(tenant, *, by) -> HITLWorkflow:
    """The built-in default as an editable workflow of `tenant`: marked default but inactive, so nothing
    changes until an admin has looked at it and ticks Active."""
    settings = copy.deepcopy(rules.SYSTEM_DEFAULT_WORKFLOW)
    del settings["name"]
    levels = settings.pop("approval_levels")
    workflow = HITLWorkflow.objects.create(
        tenant=tenant,
        name=COPY_NAME,
        description="Copied from Walker's built-in default.",
        is_default=True,
        is_active=False,
        created_by=by,
        **settings,
    )
    WorkflowLevel.objects.bulk_create(
        WorkflowLevel(
            workflow=workflow,
            position=position,
            name=level["name"],
            roles=[str(role) for role in level["approvers"]["roles"]],
            required_approvals=level["required_approvals"],
        )
        for position, level in enumerate(levels, start=1)
    )  # roles only: no people or groups to set
    return workflow


@transaction.atomic
def replace_levels(workflow: HITLWorkflow, levels: list[dict]) -> None:
    """`workflow`'s levels become `levels`, checked dicts of a level's fields with its `users` and `groups`."""
    workflow.levels.all().delete()
    for values in levels:
        fields = {key: value for key, value in values.items() if key not in ("users", "groups")}
        level = WorkflowLevel.objects.create(workflow=workflow, **fields)
        level.users.set(values["users"])
        level.groups.set(values["groups"])
