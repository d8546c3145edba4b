"""The daily email brief's preferences: when, in which zone, which sections."""

import uuid
from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models.people import User
from tenants.models.tenant import Tenant, validate_timezone
from tenants.scoping import TenantScopedQuerySet

BRIEF_SECTIONS = ("approvals", "campaigns", "seo", "content", "audiences", "conversations")
BRIEF_SECTION_NAMES = {
    "approvals": _("Approvals"), "campaigns": _("Paid ads"), "seo": _("SEO"), "content": _("Content"),
    "audiences": _("Audiences"), "conversations": _("Conversations"),
}  # fmt: skip


def all_brief_sections() -> list[str]:
    return list(BRIEF_SECTIONS)


def eight_am() -> time:
    """A callable, not a fixed time: see tenants.models.tenant.nine_am."""
    return time(8)


class UserEmailPreference(models.Model):
    """When and what a user's daily email brief holds; times are in the user's own time zone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", editable=False, verbose_name=_("tenant")
    )
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="email_preference", verbose_name=_("user"))
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    delivery_time = models.TimeField(
        default=eight_am, help_text=_("Local time in the time zone below."), verbose_name=_("delivery time")
    )
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_timezone], verbose_name=_("timezone"))
    include_sections = models.JSONField(
        default=all_brief_sections,
        help_text=_("The sections the daily brief holds."),
        verbose_name=_("include sections"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("user email preference")
        verbose_name_plural = _("user email preferences")
        ordering = ["user__first_name", "user__last_name", "user_id"]

    def __str__(self):
        return f"Email brief for {self.user}"

    def save(self, *args, **kwargs):
        self.tenant_id = self.user.tenant_id
        if not self.timezone:
            self.timezone = self.user.tenant.timezone
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        sections = self.include_sections
        if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
            raise ValidationError({"include_sections": "Give a list of section names."})
        unknown = sorted(set(sections) - set(BRIEF_SECTIONS))
        if unknown:
            raise ValidationError(
                {"include_sections": f"Unknown section(s): {', '.join(unknown)}. Known: {', '.join(BRIEF_SECTIONS)}."}
            )
