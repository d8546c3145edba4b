"""A brief asked for by a reply ("brief" to any Walker email, or on WhatsApp): today's brief, sent at once by a
worker, and counted as the day's brief (the schedule then has nothing left to send that day)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from briefs.models import DailyBrief
from briefs.render import subject
from briefs.schedule import local_date_of
from briefs.tasks import send_brief_now_task
from channels_app.commands import ChannelCommand, register
from core.commit import after_commit
from tenants.languages import speaking
from tenants.models import UserEmailPreference

REQUEST = re.compile(r"^\s*brief\s*[.!]?\s*$", re.I)


def is_request(text: str) -> bool:
    return bool(REQUEST.match(text or ""))


def ask(user, now: datetime | None = None) -> str | None:
    """Queue today's brief for `user` (after commit) and return None; or, when today's brief has gone out
    already, do nothing and return what to tell them."""
    now = now or timezone.now()
    preference = UserEmailPreference.objects.filter(user=user).first() or UserEmailPreference(user=user)
    today = local_date_of(preference, now)
    earlier = DailyBrief.objects.filter(
        user=user, local_date=today, status__in=[DailyBrief.Status.SENT, DailyBrief.Status.SENDING]
    ).first()
    if earlier is not None:
        went = timezone.localtime(earlier.sent_at or earlier.created_at, ZoneInfo(preference.timezone or "UTC"))
        with speaking(user):
            title = subject(today)
            if earlier.status == DailyBrief.Status.SENDING:  # claimed, not yet handed over (or its run stopped)
                return _(
                    "Today's brief has been on its way since %(time)s: look for “%(subject)s” in your inbox. "
                    "A day has one brief; tomorrow's comes at your usual time."
                ) % {"time": f"{went:%H:%M}", "subject": title}
            return _(
                "Today's brief went out at %(time)s: look for “%(subject)s” in your inbox. "
                "A day has one brief; tomorrow's comes at your usual time."
            ) % {"time": f"{went:%H:%M}", "subject": title}
    after_commit(send_brief_now_task, str(user.pk), robust=True)
    return None


def register_channel_command() -> None:
    """Make "brief" a command on every channel (channels_app.commands); briefs' AppConfig.ready calls this."""
    register(
        ChannelCommand(
            name="brief",
            matches=is_request,
            run=ask,
            queued_reply=gettext_lazy("Today's brief is on its way to your email inbox."),
            proof_needed=False,  # the brief goes to the reader's own address, whoever wrote
        )
    )
