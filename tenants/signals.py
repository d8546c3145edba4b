"""Keep role groups in step with tenants and users, whatever path created them (admin, API, shell)."""

from django.apps import apps
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from tenants.models import Tenant, User
from tenants.services import delete_role_groups, ensure_role_groups, sync_role_membership


@receiver(post_save, sender=Tenant, dispatch_uid="tenant_role_groups")
def create_role_groups(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_role_groups(instance)


@receiver(post_delete, sender=Tenant, dispatch_uid="tenant_role_groups_delete")
def remove_role_groups(sender, instance, **kwargs):
    delete_role_groups(instance.pk)


@receiver(post_save, sender=User, dispatch_uid="user_role_membership")
def update_role_membership(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"role", "tenant"} & set(update_fields)):
        return  # e.g. a login touching last_login
    sync_role_membership(instance)


@receiver(post_save, sender=User, dispatch_uid="user_password_revokes_tokens")
def revoke_tokens_on_password_change(sender, instance, raw=False, **kwargs):
    """A new password ends the API tokens issued before it (widget tokens end by themselves: chat.tokens)."""
    if raw or not getattr(instance, "credentials_changed", False):
        return
    instance.credentials_changed = False
    Token.objects.filter(user=instance).delete()


@receiver(post_migrate, dispatch_uid="tenant_role_groups_after_migrate")
def sync_role_groups_after_migrate(sender, using="default", **kwargs):
    """After a migrate, bring every tenant's groups in line with the role matrix (it may have changed).

    post_migrate fires once per app; permissions of every app exist only after the last one.
    """
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    for tenant in Tenant.objects.using(using).all():
        ensure_role_groups(tenant)
