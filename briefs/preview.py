"""A brief as it would arrive now, for its reader to look at: composed like a sent one, sent to nobody, recorded
nowhere (no day's brief, no delivery log)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from briefs.content import compose
from briefs.render import as_html, subject
from briefs.schedule import local_date_of
from briefs.unsubscribe import unsubscribe_url
from tenants.languages import speaking
from tenants.models import UserEmailPreference


@dataclass(frozen=True)
class Preview:
    subject: str
    html: str


def preview(user, now: datetime | None = None) -> Preview:
    now = now or timezone.now()
    preference = UserEmailPreference.objects.filter(user=user).first() or UserEmailPreference(
        user=user, tenant_id=user.tenant_id, timezone=user.tenant.timezone
    )
    preference.user = user  # the greeting reads the zone through it
    with speaking(user):
        content = compose(user, user.tenant, preference.include_sections, now)
        html = as_html(content, unsubscribe_url(user))
    # Shown in a frame: its links (approve, reject, preferences) open in a tab of their own, as from a mail client.
    html = html.replace("<head>", '<head><base target="_blank">', 1)
    return Preview(subject(local_date_of(preference, now)), html)
