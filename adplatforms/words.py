"""How connections, their states and the platforms' refusals read to people: one place for the console, the
API, the command, notices and emails."""

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from adplatforms import errors, money, tolerance
from adplatforms.models import AccountReconciliation, AdConnection, ConnectionState
from agents.formatting import number
from core.money import money_exact

PLATFORM_NAMES = {AdConnection.Platform.GOOGLE: "Google Ads", AdConnection.Platform.META: "Meta Ads"}


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)


def account_label(connection: AdConnection) -> str:
    """The account as its platform writes it: Google "123-456-7890", Meta "act_123"."""
    account = connection.account_id
    if connection.platform == AdConnection.Platform.GOOGLE and len(account) == 10 and account.isdigit():
        return f"{account[:3]}-{account[3:6]}-{account[6:]}"
    return account


def state_words(connection: AdConnection) -> str:
    """The connection's state in a sentence, e.g. "Paused for quota until 14:05 (Google Ads asked Walker to wait)"."""
    platform = platform_name(connection.platform)
    if connection.state == ConnectionState.PAUSED_FOR_QUOTA and connection.paused_until:
        return _("Paused for quota until %(time)s (%(platform)s asked Walker to wait)") % {
            "time": time_format(timezone.localtime(connection.paused_until), "H:i"),
            "platform": platform,
        }
    if connection.state == ConnectionState.NEEDS_REAUTHORISATION:
        return _("Needs re-authorisation: %(platform)s said “%(detail)s”") % {
            "platform": platform,
            "detail": connection.state_detail or _("the authorisation expired"),
        }
    if connection.state == ConnectionState.DISABLED:
        return _("Disconnected: no syncs and no changes until new credentials are saved")
    return _("Active")


def refusal(platform: str, error: errors.PlatformError) -> str:
    """A platform's refusal in plain words, naming what kind it is ("Google Ads refused permission: …")."""
    name = platform_name(platform)
    values = {"platform": name, "detail": error.detail}
    if isinstance(error, errors.AuthorizationExpired):
        return _("%(platform)s authorisation expired: %(detail)s") % values
    if isinstance(error, errors.PermissionDenied):
        return _("%(platform)s refused permission: %(detail)s") % values
    if isinstance(error, errors.InvalidRequest):
        return _("%(platform)s refused the request as invalid: %(detail)s") % values
    if isinstance(error, errors.NotFound):
        return _("%(platform)s did not find it: %(detail)s") % values
    if isinstance(error, errors.RateLimited):
        return _("%(platform)s asked Walker to wait (quota): %(detail)s") % values
    if isinstance(error, errors.Unavailable):
        return _("%(platform)s did not answer: %(detail)s") % values
    return _("%(platform)s failed: %(detail)s") % values


def mismatch(day: AccountReconciliation) -> str:
    """A mismatched day of a reconciliation in a sentence, the first figure that differs and why it may, e.g.
    "Walker's campaigns add to $1,234.00 on 3 Nov, Google Ads says $1,250.00: 1 campaign may be missing"."""
    platform = day.connection.platform
    values = {"day": date_format(day.date, "j M"), "platform": platform_name(platform)}
    first = (tolerance.differing_on(day) or ["cost"])[0]
    ours, theirs = getattr(day, f"walker_{first}"), getattr(day, f"platform_{first}")
    if first in ("cost", "conversion_value"):
        values["walker"], values["theirs"] = (
            money_exact(money.from_platform_units(units, platform, day.currency), day.currency)
            for units in (ours, theirs)
        )
    else:
        values["walker"], values["theirs"] = number(ours), number(theirs)
    said = {
        "cost": _("Walker's campaigns add to %(walker)s on %(day)s, %(platform)s says %(theirs)s"),
        "conversion_value": _(
            "Walker's campaigns add to %(walker)s of conversion value on %(day)s, %(platform)s says %(theirs)s"
        ),
        "conversions": _("Walker's campaigns count %(walker)s conversions on %(day)s, %(platform)s counts %(theirs)s"),
        "clicks": _("Walker's campaigns count %(walker)s clicks on %(day)s, %(platform)s counts %(theirs)s"),
        "impressions": _("Walker's campaigns count %(walker)s impressions on %(day)s, %(platform)s counts %(theirs)s"),
    }[first]
    reasons = []
    if day.campaigns_missing:
        reasons.append(
            ngettext("%(count)s campaign may be missing", "%(count)s campaigns may be missing", day.campaigns_missing)
            % {"count": day.campaigns_missing}
        )
    if day.campaigns_changed:
        reasons.append(
            ngettext(
                "%(count)s campaign's figures changed since the last sync",
                "%(count)s campaigns' figures changed since the last sync",
                day.campaigns_changed,
            )
            % {"count": day.campaigns_changed}
        )
    sentence = said % values
    return (
        _("%(sentence)s: %(reasons)s") % {"sentence": sentence, "reasons": "; ".join(reasons)} if reasons else sentence
    )
