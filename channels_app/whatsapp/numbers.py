"""Which tenant a WhatsApp number belongs to, read on every inbound webhook: kept in Django's cache (Redis in
production, shared by every process) and dropped when the number or its tenant is saved or deleted."""

from django.core.cache import cache
from django.db import transaction

from channels_app.whatsapp.models import WhatsAppSender

TTL_SECONDS = 3600  # a bound on staleness should a change bypass the signals
MISSING = "none"  # cached too: a stranger's number written to again and again costs no query


def _key(number: str) -> str:
    return f"whatsapp-number:{number}"


def tenant_for(number: str):
    """The tenant whose WhatsApp number `number` is, or None."""
    tenant = cache.get(_key(number))
    if tenant is None:
        sender = WhatsAppSender.objects.filter(number=number).select_related("tenant").first()
        tenant = sender.tenant if sender is not None else MISSING
        cache.set(_key(number), tenant, TTL_SECONDS)
    return None if tenant == MISSING else tenant


def _forget(numbers) -> None:
    """Now, and again once the change commits (a webhook may have read the old row meanwhile)."""
    keys = {_key(number) for number in numbers if number}
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def forget_number(sender, instance: WhatsAppSender, **kwargs) -> None:
    """Before a save or delete: the number as stored (a change of number frees the old one) and as it will be."""
    stored = WhatsAppSender.objects.filter(pk=instance.pk).values_list("number", flat=True).first()
    _forget([stored, instance.number])


def forget_tenant(sender, instance, **kwargs) -> None:
    """A tenant's name, zone or status changed: its number's copy is stale."""
    _forget(WhatsAppSender.objects.filter(tenant_id=instance.pk).values_list("number", flat=True))
