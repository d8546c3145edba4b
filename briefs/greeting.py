"""The brief's first line fits the hour where its reader is: a brief asked for at 11 pm says good evening.

Morning from 05:00, afternoon from 12:00, evening from 18:00 (and through the night), on the reader's clock: the
zone of their brief preferences, else their business's.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from tenants.models import UserEmailPreference


def zone_of(user) -> ZoneInfo:
    try:
        chosen = user.email_preference.timezone
    except UserEmailPreference.DoesNotExist:
        chosen = ""
    return ZoneInfo(chosen or (user.tenant.timezone if user.tenant_id else "") or "UTC")


def greeting(user, now: datetime) -> str:
    hour, name = now.astimezone(zone_of(user)).hour, {"name": user.first_name}
    if 5 <= hour < 12:
        return _("Good morning, %(name)s.") % name if user.first_name else _("Good morning.")
    if 12 <= hour < 18:
        return _("Good afternoon, %(name)s.") % name if user.first_name else _("Good afternoon.")
    return _("Good evening, %(name)s.") % name if user.first_name else _("Good evening.")
