"""Keep role groups in step with tenants and users, whatever path created them (admin, API, shell)."""

import re

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from tenants.identity import api_tokens
from tenants.identity.signin.sessions import end_all_sessions
from tenants.models import Tenant, User
from tenants.roles import Role
from tenants.services import (
    ROLE_GROUP_PREFIX,
    delete_role_groups,
    ensure_role_groups,
    sync_role_membership,
    syncing_role_membership,
)

ROLE_GROUP = re.compile(rf"{ROLE_GROUP_PREFIX}([0-9a-f-]{{36}}):({'|'.join(Role.values)})")


@receiver(post_save, sender=Tenant, dispatch_uid="tenant_role_groups")
def create_role_groups(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_role_groups(instance)


@receiver(post_delete, sender=Tenant, dispatch_uid="tenant_role_groups_delete")
def remove_role_groups(sender, instance, **kwargs):
    delete_role_groups(instance.pk)


@receiver(post_save, sender=User, dispatch_uid="user_role_membership")
def update_role_membership(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"role", "tenant"} & set(update_fields)):
        return  # e.g. a login touching last_login
    sync_role_membership(instance, new=created)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="user_role_membership_groups")
def keep_role_membership(sender, instance, action, reverse, pk_set, **kwargs):
    """Groups set after the person is saved (the admin saves its form's "groups" field last) neither take their role
    group away nor give them another role's; other groups are kept as set."""
    if action not in ("post_add", "post_remove", "post_clear") or syncing_role_membership():
        return
    if not reverse:
        sync_role_membership(instance)
        return
    people = _role_group_people(instance) if action == "post_clear" else User.objects.filter(pk__in=pk_set)
    for person in people:
        sync_role_membership(person)


def _role_group_people(group):
    """Everyone a role group ("tenant:<id>:<role>") is for; nobody for any other group."""
    match = ROLE_GROUP.fullmatch(group.name)
    return User.objects.filter(tenant_id=match[1], role=match[2]) if match else User.objects.none()


@receiver(post_save, sender=User, dispatch_uid="user_password_revokes_tokens")
def sign_out_on_password_change(sender, instance, created=False, raw=False, **kwargs):
    """A new password ends the API tokens issued before it (widget tokens end by themselves: chat.verify), the
    person's sessions and their open sockets. Changing one's own password keeps the browser it was changed in:
    allauth moves that session to a new key after this (update_session_auth_hash)."""
    if raw or not getattr(instance, "credentials_changed", False):
        return
    instance.credentials_changed = False
    Token.objects.filter(user=instance).delete()
    api_tokens.revoke_all(instance)
    if not created:  # a new person has no session yet
        end_all_sessions(instance)


# What a sign-in was granted under: changing any of it ends the person's refresh tokens (their access tokens
# follow at once: the user, role and activity are read on every request), their sessions and their open sockets.
SIGN_IN_GRANTS = ("role", "is_active", "tenant_id", "is_superuser")


@receiver(pre_save, sender=User, dispatch_uid="user_grants_before_save")
def remember_grants(sender, instance, raw=False, update_fields=None, **kwargs):
    fields = {"role", "is_active", "tenant", "tenant_id", "is_superuser"}
    if raw or instance._state.adding or (update_fields is not None and not fields & set(update_fields)):
        instance.grants_before = None
        return
    instance.grants_before = User.objects.filter(pk=instance.pk).values(*SIGN_IN_GRANTS).first()


@receiver(post_save, sender=User, dispatch_uid="user_grants_revoke_tokens")
def revoke_tokens_on_new_grants(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "grants_before", None)
    instance.grants_before = None
    if before is not None and any(before[name] != getattr(instance, name) for name in SIGN_IN_GRANTS):
        api_tokens.revoke_all(instance)
        end_all_sessions(instance)


@receiver(post_migrate, dispatch_uid="tenant_role_groups_after_migrate")
def sync_role_groups_after_migrate(sender, using="default", **kwargs):
    """After a migrate, bring every tenant's groups in line with the role matrix (it may have changed).

    post_migrate fires once per app; permissions of every app exist only after the last one.
    """
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    for tenant in Tenant.objects.using(using).all():
        ensure_role_groups(tenant)
