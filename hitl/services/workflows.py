"""Workflows made for a tenant by Walker rather than typed in."""

import copy

from hitl import rules
from hitl.models import HITLWorkflow

COPY_NAME = "Walker default (copy)"


def copy_builtin_default(tenant, *, by) -> HITLWorkflow:
    """The built-in default as an editable workflow of `tenant`: marked default but inactive, so nothing
    changes until an admin has looked at it and ticks Active."""
    settings = copy.deepcopy(rules.SYSTEM_DEFAULT_WORKFLOW)
    del settings["name"]
    for level in settings["approval_levels"]:
        level["approvers"]["roles"] = [str(role) for role in level["approvers"]["roles"]]
    return HITLWorkflow.objects.create(
        tenant=tenant,
        name=COPY_NAME,
        description="Copied from Walker's built-in default.",
        is_default=True,
        is_active=False,
        created_by=by,
        **settings,
    )
