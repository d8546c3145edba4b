"""Email addresses the provider refuses: Walker sends them nothing more."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField, hash_of


class UndeliverableAddress(models.Model):
    """An email address the provider reported as a hard bounce or spam complaint: Walker sends it nothing more.

    Keyed on the address, not a tenant: the provider's suppression is per address. Deleting the row
    (after the person fixes their mailbox) lets email flow again.
    """

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Hard bounce")
        SPAM = "spamreport", _("Spam report")

    # Keyed on the address's keyed hash; the address itself is encrypted (see tenants.fields).
    address_hash = models.CharField(max_length=64, primary_key=True, editable=False, verbose_name=_("address hash"))
    email = EncryptedTextField(max_length=254, kind="email", hash_field="address_hash", verbose_name=_("email"))
    reason = models.CharField(max_length=12, choices=Reason.choices, verbose_name=_("reason"))
    detail = models.TextField(blank=True, verbose_name=_("detail"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("undeliverable address")
        verbose_name_plural = _("undeliverable addresses")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.address_hash = hash_of("email", self.email)
        super().save(*args, **kwargs)

    @classmethod
    def includes(cls, address: str) -> bool:
        return cls.objects.filter(email=address).exists()

    @classmethod
    def among(cls, addresses: list[str]) -> set[str]:
        """Those of `addresses` that are undeliverable, in one query."""
        hashes = set(cls.objects.filter(email__in=addresses).values_list("address_hash", flat=True))
        return {address for address in addresses if hash_of("email", address) in hashes}
