"""The inbox's "All" and per-channel tab counts, cached per tenant: the one count of the inbox that reads every
conversation of the tenant (a million in a big one), where the boxes read only the open ones and the viewer's.

They change only when a conversation is created or deleted (its tenant and channel never change), so the entry is
dropped then, for its tenant and for the superusers' all-tenant scope (post_save and post_delete, connected in
conversations.apps), at once and again once the change commits, and otherwise lives INBOX_TOTALS_CACHE_SECONDS.
Rows written without signals (bulk_create, a queryset's delete) are seen when it runs out. Without Redis (0
seconds: each process's own memory would not hear the worker's new conversations) they are counted every time.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q

from conversations.access import conversations_for, may_monitor
from conversations.models import Channel

ALL_TENANTS = "all"


def totals(user) -> dict[str, int]:
    """`all` and each channel's count of the conversations `user` may see."""
    scope = _scope(user)
    if scope is None or not settings.INBOX_TOTALS_CACHE_SECONDS:
        return _count(user)
    found = cache.get(_key(scope))
    if found is None:
        found = _count(user)
        cache.set(_key(scope), found, settings.INBOX_TOTALS_CACHE_SECONDS)
    return found


def conversation_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        _drop(instance.tenant_id)


def conversation_deleted(sender, instance, **kwargs) -> None:
    _drop(instance.tenant_id)


def _drop(tenant_id) -> None:
    if not settings.INBOX_TOTALS_CACHE_SECONDS:
        return
    keys = [_key(str(tenant_id)), _key(ALL_TENANTS)]
    cache.delete_many(keys)  # now, and again once committed: a reader in between counted without it
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


def _scope(user) -> str | None:
    """The scope shared by every viewer of it: a tenant's monitors, or the superusers; None for anyone else (their
    own conversations, a few rows)."""
    if not may_monitor(user):
        return None
    return ALL_TENANTS if user.is_superuser else str(user.tenant_id)


def _key(scope: str) -> str:
    return f"inbox-totals:{scope}"


def _count(user) -> dict[str, int]:
    return (
        conversations_for(user)
        .order_by()
        .aggregate(all=Count("pk"), **{channel: Count("pk", filter=Q(channel=channel)) for channel in Channel.values})
    )
