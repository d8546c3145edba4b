"""What a failed call does to its connection, and telling the tenant's admins when someone must act.

- `AuthorizationExpired`: the connection needs re-authorisation, with the platform's words; the tenant's admins are
  told once (a console notice and an email each), claimed by a conditional update of `admins_told_at`, so two
  workers never tell twice. Nothing syncs or runs on it until new credentials are saved (`reauthorised`).
- `RateLimited` from the platform (or a parked shared quota): paused for quota until the time asked for; syncs
  skip it until then, and the next sync after that time makes it active again by itself.
- Anything else leaves the state as it is: the run that met it fails, naming the refusal.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from adplatforms import errors, words
from adplatforms.connect import providers
from adplatforms.limiter import DEFAULT_PARK_SECONDS
from adplatforms.models import AdConnection, ConnectionState
from hitl.console import tell_consoles
from tenants.models import User
from tenants.roles import Role

NOTICE_KIND = "ad_connection"


def record_failure(connection: AdConnection, err: errors.PlatformError) -> None:
    """Move `connection` to the state `err` calls for (in the database and on the instance)."""
    if isinstance(err, errors.AuthorizationExpired):
        _set(connection, state=ConnectionState.NEEDS_REAUTHORISATION, state_detail=err.detail[:500], paused_until=None)
        tell_admins_once(connection)
    elif isinstance(err, errors.RateLimited) and err.code != "budget":
        wait = err.retry_after if err.retry_after is not None else DEFAULT_PARK_SECONDS
        until = timezone.now() + timedelta(seconds=max(1.0, wait))
        # Only a usable connection is paused: a disconnected one stays so.
        AdConnection.objects.filter(
            pk=connection.pk, state__in=[ConnectionState.ACTIVE, ConnectionState.PAUSED_FOR_QUOTA]
        ).update(state=ConnectionState.PAUSED_FOR_QUOTA, state_detail=err.detail[:500], paused_until=until)
        connection.refresh_from_db(fields=["state", "state_detail", "paused_until"])


def resume_if_due(connection: AdConnection) -> bool:
    """A quota pause whose time has come ends: the connection is active again. Whether it may be used now."""
    if connection.state == ConnectionState.PAUSED_FOR_QUOTA and (
        connection.paused_until is None or connection.paused_until <= timezone.now()
    ):
        AdConnection.objects.filter(pk=connection.pk, state=ConnectionState.PAUSED_FOR_QUOTA).filter(
            Q(paused_until__isnull=True) | Q(paused_until__lte=timezone.now())
        ).update(state=ConnectionState.ACTIVE, state_detail="", paused_until=None)
        connection.refresh_from_db(fields=["state", "state_detail", "paused_until"])
    return connection.state == ConnectionState.ACTIVE


def reauthorised(connection: AdConnection) -> None:
    """New credentials were saved: the connection is active again, and a later expiry is told anew."""
    _set(connection, state=ConnectionState.ACTIVE, state_detail="", paused_until=None, admins_told_at=None)


def disconnect(connection: AdConnection) -> None:
    """No syncs and no executions until someone saves new credentials."""
    _set(connection, state=ConnectionState.DISABLED, state_detail="", paused_until=None, next_sync_at=None)


def tell_admins_once(connection: AdConnection) -> bool:
    """Tell the tenant's admins the connection needs re-authorisation, unless they were told since it last did."""
    now = timezone.now()
    claimed = AdConnection.objects.filter(pk=connection.pk, admins_told_at__isnull=True).update(admins_told_at=now)
    if not claimed:
        return False
    connection.admins_told_at = now
    link = reverse("admin:adplatforms_adconnection_change", args=[connection.pk])
    message = {
        "type": "console.notice",
        "kind": NOTICE_KIND,
        "text": _needs_reauthorisation(connection),
        "link": link,
        "tenant_id": str(connection.tenant_id),
    }
    tell_consoles(connection.tenant_id, message)
    admins = User.objects.filter(tenant_id=connection.tenant_id, role=Role.ADMIN, is_active=True)
    for admin in admins:
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            subject = _("Walker needs a new authorisation for %(platform)s") % {
                "platform": words.platform_name(connection.platform)
            }
            body = "\n\n".join(
                [
                    _needs_reauthorisation(connection),
                    _how_to_reauthorise(connection) % {"url": f"{settings.PUBLIC_BASE_URL}{link}"},
                ]
            )
        email = EmailMessage(subject, body, to=[admin.email])
        # Walker's provider backend logs each delivery against the tenant and the person (channels_app.email).
        email.walker = {"tenant_id": connection.tenant_id, "user_id": admin.pk}
        email.send()
    return True


def _needs_reauthorisation(connection: AdConnection) -> str:
    return _(
        "The %(platform)s account %(account)s needs re-authorisation: %(detail)s. Walker stopped syncing it "
        "and running changes on it until someone saves new credentials."
    ) % {
        "platform": words.platform_name(connection.platform),
        "account": connection.name or words.account_label(connection),
        "detail": connection.state_detail,
    }


def _how_to_reauthorise(connection: AdConnection) -> str:
    """Reconnect where the installation offers the platform's button (adplatforms.connect); else new credentials."""
    if not providers.missing(connection.platform):
        return _("Open the connection and press Reconnect to sign in again: %(url)s")
    return _("Open the connection and save new credentials: %(url)s")


def _set(connection: AdConnection, **values) -> None:
    AdConnection.objects.filter(pk=connection.pk).update(**values, updated_at=timezone.now())
    for name, value in values.items():
        setattr(connection, name, value)
