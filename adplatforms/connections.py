"""What people do with a connection, from the console or the API: save it (new credentials re-authorise it), test
it, sync it now, disconnect it. Both doors call these, so they behave the same."""

from django.utils import timezone
from django.utils.translation import gettext as _

from adplatforms import clients, errors, states, words
from adplatforms.google import ids as google_ids
from adplatforms.meta import ids as meta_ids
from adplatforms.models import SECRET_FIELDS, AdConnection, ConnectionState
from adplatforms.sync import check_syncable
from adplatforms.tasks import sync_connection
from core.commit import after_commit


def saved(connection: AdConnection, *, created: bool, secrets_changed: bool) -> None:
    """After a save: new credentials make a stopped connection active again (and a later expiry told anew);
    a new or re-authorised connection is due for its first sync at once."""
    if secrets_changed and connection.state in (ConnectionState.NEEDS_REAUTHORISATION, ConnectionState.DISABLED):
        states.reauthorised(connection)
    if created or secrets_changed:
        AdConnection.objects.filter(pk=connection.pk).update(next_sync_at=timezone.now())
        connection.next_sync_at = timezone.now()


def account_ids(platform: str, account_id: str, login_customer_id: str = "") -> tuple[str, str]:
    """The account id (and Google's manager account) as the platform writes them: Google's ten digits without
    dashes, Meta's act_ and digits. Raises ValueError, with words people can read, when they are not."""
    if platform == AdConnection.Platform.GOOGLE:
        manager = google_ids.customer_id(login_customer_id) if login_customer_id else ""
        return google_ids.customer_id(account_id), manager
    if login_customer_id:
        raise ValueError(_("Only Google Ads connections go through a manager account."))
    return meta_ids.account_id(account_id), ""


def secrets_in(values: dict) -> dict:
    """The credentials typed in `values`; an empty one keeps what is stored."""
    return {name: values[name] for name in SECRET_FIELDS if values.get(name)}


def test(connection: AdConnection) -> tuple[bool, str]:
    """Ask the platform for the account: (worked, what to show). Changes nothing but the account's name, currency
    and time zone as the platform gave them."""
    try:
        account = clients.client_for(connection).account()
    except errors.PlatformError as err:
        return False, words.refusal(connection.platform, err)
    AdConnection.objects.filter(pk=connection.pk).update(
        name=account.name[:200], currency=account.currency, time_zone=account.time_zone
    )
    connection.name, connection.currency, connection.time_zone = account.name[:200], account.currency, account.time_zone
    return True, _("Connected: %(name)s, %(currency)s, %(zone)s") % {
        "name": account.name,
        "currency": account.currency,
        "zone": account.time_zone,
    }


def sync_now(connection: AdConnection) -> None:
    """Queue a sync of `connection` (after commit); refused in plain words when it may not be synced now."""
    check_syncable(connection)
    after_commit(sync_connection, str(connection.pk))


def disconnect(connection: AdConnection) -> None:
    states.disconnect(connection)
