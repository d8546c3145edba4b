"""Action types a tenant's admins register for agents Walker did not build (issue 49, point 2).

The row (`models`), its rules (`rules`, over the schema checks of `schemas`), who may manage them (`access`),
the console (`admin`) and the API (`api`); `registry.spec_for(action_type, tenant)` is the one lookup for a type,
Walker's own or the tenant's (a row turned into an `ActionSpec`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunBy(models.TextChoices):
    """How an approved action of the type is carried out."""

    AGENT = "agent", _("By the agent, which reports the outcome")
    WEBHOOK = "webhook", _("By Walker, through the tenant's signed action webhook")
