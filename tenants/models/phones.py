"""The phone numbers people write from, and their verification state."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField, HashedFieldsMixin, KeyedHashField
from tenants.models.people import User
from tenants.models.tenant import Tenant
from tenants.phones import normalize_phone
from tenants.scoping import TenantScopedQuerySet


class UserPhoneNumber(HashedFieldsMixin, models.Model):
    """A phone number a user writes from (WhatsApp); stored in E.164, unique within a tenant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", editable=False, verbose_name=_("tenant")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_numbers", verbose_name=_("user"))
    # Wide enough for a number typed with spaces and brackets; stored values are E.164 (≤ 16).
    phone_number = EncryptedTextField(
        max_length=32,
        kind="phone",
        hash_field="phone_hash",
        help_text=_("With its country code, e.g. +1 415 555 0100."),
        verbose_name=_("phone number"),
    )
    phone_hash = KeyedHashField(of="phone_number", verbose_name=_("phone hash"))
    verified = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Confirmed with a code sent to the number (tenants.verification)."),
        verbose_name=_("verified"),
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("verified at"))
    # The pending verification code: only its keyed hash is kept (tenants.identity.verification).
    code_hash = models.CharField(max_length=64, blank=True, editable=False, verbose_name=_("code hash"))
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("code expires at"))
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("code attempts"))
    code_sent_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("code sent at"))
    codes_sent = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text=_("Codes sent since the last success."), verbose_name=_("codes sent")
    )
    code_delivery_error = models.CharField(
        max_length=300, blank=True, editable=False, verbose_name=_("code delivery error")
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("user phone number")
        verbose_name_plural = _("user phone numbers")
        ordering = ["-is_primary", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "phone_hash"], name="phone_unique_per_tenant"),
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_primary=True), name="one_primary_phone"),
        ]

    def __str__(self):
        return self.phone_number

    def save(self, *args, **kwargs):
        self.phone_number = normalize_phone(self.phone_number)
        self.tenant_id = self.user.tenant_id
        if self.verified and self.verified_at is None:
            self.verified_at = timezone.now()
        if not self._state.adding and self.verified:
            stored = UserPhoneNumber.objects.filter(pk=self.pk).values_list("phone_number", flat=True).first()
            if stored is not None and stored != self.phone_number:  # a changed number must be verified again
                self.verified, self.verified_at = False, None
        with transaction.atomic():
            if self.is_primary:  # the number marked primary last wins
                self.user.phone_numbers.filter(is_primary=True).exclude(pk=self.pk).update(is_primary=False)
            super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.phone_number = normalize_phone(self.phone_number)
        if self.user_id is None:
            return
        if self.user.tenant_id is None:
            raise ValidationError("Only people of a tenant have phone numbers; this user has no tenant.")
        taken = UserPhoneNumber.objects.filter(tenant_id=self.user.tenant_id, phone_number=self.phone_number)
        if taken.exclude(pk=self.pk).exists():
            raise ValidationError({"phone_number": f"{self.phone_number} already belongs to someone in this tenant."})
