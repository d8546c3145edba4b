"""People: the email-login user, with one tenant and one role."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField, HashedFieldsMixin, KeyedHashField
from tenants.models.tenant import Tenant
from tenants.pii import mask
from tenants.roles import STAFF_ROLES, Role
from tenants.scoping import TenantScopedQuerySet


class UserQuerySet(TenantScopedQuerySet):
    def for_user(self, user):
        scoped = super().for_user(user)
        # Platform superusers are never listed to, or editable by, a tenant's people.
        return scoped if getattr(user, "is_superuser", False) else scoped.filter(is_superuser=False)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=email, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_superuser=True, is_staff=True)
        return self.create_user(email, password, **fields)


class User(HashedFieldsMixin, AbstractBaseUser, PermissionsMixin):
    """A person: signs in with their email, belongs to one tenant with one role.

    Only platform superusers may have no tenant. `is_staff` follows the role.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    # Encrypted at rest; `email_hash` finds a person by address (see tenants.fields).
    email = EncryptedTextField(
        unique=True, max_length=254, kind="email", hash_field="email_hash", verbose_name=_("email")
    )
    email_hash = KeyedHashField(of="email", unique=True, verbose_name=_("email hash"))
    first_name = models.CharField(max_length=150, blank=True, verbose_name=_("first name"))
    last_name = models.CharField(max_length=150, blank=True, verbose_name=_("last name"))
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="users", verbose_name=_("tenant")
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER, verbose_name=_("role"))
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the console, the chat's pages and the emails; empty: the browser's."),
        verbose_name=_("language"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    is_staff = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Set from the role: every role but member may sign in to the console."),
        verbose_name=_("is staff"),
    )
    date_joined = models.DateTimeField(default=timezone.now, verbose_name=_("date joined"))

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "date_joined"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(tenant__isnull=False),
                name="user_has_tenant_unless_superuser",
                violation_error_message="Every user except platform superusers belongs to a tenant.",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "role"])]

    def __str__(self):
        """Their name, else their address masked: this lands in logs and object names, never the address."""
        return self.get_full_name() if (self.first_name or self.last_name) else mask(self.email)

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        self.is_staff = self.is_superuser or self.role in STAFF_ROLES
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"role", "is_superuser"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        """Also marks the credentials as changed: saving then revokes the API tokens (tenants.signals)."""
        super().set_password(raw_password)
        self.credentials_changed = True

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email
