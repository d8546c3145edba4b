"""`TenantActionType`: an action type a tenant's admins register for agents Walker did not build (issue 49).

Imported at the end of agents.models, so Django registers it with the agents app. Its rules are in
agents.tenant_actions.rules, asked by `clean()`: the console's form and the API's serializer both call it.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agents.action_specs.base import BASE_RISK_MAX
from agents.tenant_actions import RunBy, rules
from tenants.scoping import TenantScopedQuerySet

MIN_EXPIRY = timedelta(minutes=5)
MAX_EXPIRY = timedelta(days=30)
KEY_LENGTH = 64
FIELD_NAME_LENGTH = 100


class TenantActionType(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="action_types", verbose_name=_("tenant")
    )
    key = models.CharField(
        max_length=KEY_LENGTH,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*\Z",
                _("Lower-case letters, digits and underscores, starting with a letter, e.g. update_budget."),
            )
        ],
        help_text=_("What agents name the action by, e.g. update_budget. Fixed once the type exists."),
        verbose_name=_("key"),
    )
    names = models.JSONField(
        default=dict,
        help_text=_('The name people read, per language: {"en": "Update a budget", "es": "Cambiar un presupuesto"}.'),
        verbose_name=_("names"),
    )
    args_schema = models.JSONField(
        help_text=_("A JSON Schema (draft 2020-12) of the object of args the agent sends."),
        verbose_name=_("args schema"),
    )
    editable_fields = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Top-level fields of the args an approver may change, e.g. ["amount"].'),
        verbose_name=_("editable fields"),
    )
    money_field = models.CharField(
        max_length=FIELD_NAME_LENGTH,
        blank=True,
        help_text=_("The field holding the money the action moves (a number, or a number written as text)."),
        verbose_name=_("money field"),
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        help_text=_("The money's currency (ISO 4217, e.g. EUR), when it is always the same."),
        verbose_name=_("currency"),
    )
    currency_field = models.CharField(
        max_length=FIELD_NAME_LENGTH,
        blank=True,
        help_text=_("Or the field of the args that holds the money's currency."),
        verbose_name=_("currency field"),
    )
    reach_field = models.CharField(
        max_length=FIELD_NAME_LENGTH,
        blank=True,
        help_text=_("The field holding how many people the action reaches (an integer)."),
        verbose_name=_("reach field"),
    )
    reversible = models.BooleanField(
        default=False, help_text=_("The action can be taken back once done."), verbose_name=_("reversible")
    )
    base_risk = models.PositiveSmallIntegerField(
        default=BASE_RISK_MAX,
        validators=[MaxValueValidator(BASE_RISK_MAX)],
        help_text=_("Points 0-25 the kind of action adds to the risk score."),  # BASE_RISK_MAX
        verbose_name=_("base risk"),
    )
    default_expiry = models.DurationField(
        default=timedelta(hours=24),
        validators=[MinValueValidator(MIN_EXPIRY), MaxValueValidator(MAX_EXPIRY)],
        help_text=_("How long a request waits for a decision unless it says otherwise (5 minutes to 30 days)."),
        verbose_name=_("default expiry"),
    )
    runs_by = models.CharField(max_length=10, choices=RunBy.choices, default=RunBy.AGENT, verbose_name=_("carried out"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        app_label = "agents"
        ordering = ["key"]
        verbose_name = _("action type")
        verbose_name_plural = _("action types")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "key"],
                name="one_action_type_per_key",
                violation_error_message=rules.KEY_TAKEN,
            ),
            models.CheckConstraint(
                condition=models.Q(base_risk__lte=BASE_RISK_MAX), name="action_type_base_risk_in_range"
            ),
        ]

    def __str__(self):
        return self.key

    def clean(self):
        problems = rules.problems(self)
        if problems:
            raise ValidationError(problems)

    def name_in(self, language: str | None = None) -> str:
        """The name in `language` (None: the active one), else in the site's, else the key."""
        language = (language or get_language() or "").split("-")[0]
        names = self.names if isinstance(self.names, dict) else {}
        return names.get(language) or names.get(rules.site_language()) or self.key
