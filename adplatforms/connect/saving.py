"""The account an admin picked, saved as the tenant's connection: a new one, or the same account's connection given
new credentials (a reconnect: active again, synced at once). One account is one tenant's: an account another
tenant connected is refused, so no two tenants read and change the same campaigns."""

from django.db import transaction
from django.utils.translation import gettext as _

from adplatforms import connections, words
from adplatforms.connect.choices import Choice
from adplatforms.connect.errors import ConnectFailed
from adplatforms.models import AdConnection


def save(user, platform: str, choice: Choice, credentials: dict) -> AdConnection:
    """The tenant's connection to `choice`, with `credentials` (the model's credential fields and client id)."""
    name = words.platform_name(platform)
    elsewhere = AdConnection.objects.filter(platform=platform, account_id=choice.account_id).exclude(
        tenant_id=user.tenant_id
    )
    if elsewhere.exists():
        raise ConnectFailed(
            _("This %(platform)s account is already connected to Walker by another organisation. An account can "
              "belong to one organisation only: ask them to disconnect it, or pick another account.")
            % {"platform": name}
        )  # fmt: skip
    values = {
        "login_customer_id": choice.manager_id,
        "name": choice.name[:200],
        "currency": choice.currency,
        "time_zone": choice.time_zone,
        **credentials,
    }
    with transaction.atomic():
        connection = (
            AdConnection.objects.select_for_update(no_key=True)
            .filter(tenant_id=user.tenant_id, platform=platform, account_id=choice.account_id)
            .first()
        )
        created = connection is None
        if created:
            connection = AdConnection(tenant_id=user.tenant_id, platform=platform, account_id=choice.account_id,
                                      created_by=user, **values)  # fmt: skip
            connection.save()
        else:
            for field, value in values.items():
                setattr(connection, field, value)
            connection.save(update_fields=[*values, "updated_at"])
        connections.saved(connection, created=created, secrets_changed=True)
    return connection
