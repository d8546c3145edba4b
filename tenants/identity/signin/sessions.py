"""A person's sessions (allauth.usersessions): one row per sign-in, ended by them, a tenant admin, or at once when
what the sign-in was granted under changes (tenants.signals). Ending a session closes its sockets too.

The row keeps the browser's name (the person recognises their devices by it) and never the client's address:
allauth records one, Walker stores the unspecified address instead, as it keeps none elsewhere (tenants 0023).
"""

from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import gettext

from tenants.access import AccessDenied
from tenants.identity.signin.resets import may_act_on_colleague
from tenants.identity.signin.sockets import close_persons_sockets, close_session_sockets
from tenants.models import User

# The audit record's words, kept in English like Django's own change messages; shown in the person's history.
ENDED_MESSAGE = "Sessions ended ({count})."


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """allauth ends sessions here ("Sign out other sessions"): their sockets close with them."""

    def end_sessions(self, sessions) -> None:
        sessions = list(sessions)
        super().end_sessions(sessions)
        close_session_sockets([session.session_key for session in sessions])


def end_own_session(user, session_id) -> UserSession:
    """One session of the person's own, by its id (the sessions page); another's is not found."""
    session = UserSession.objects.filter(user_id=user.pk, pk=session_id).first()
    if session is None:
        raise AccessDenied("not_found", gettext("No such session."))
    UserSessionsAdapter().end_sessions([session])
    return session


def end_other_sessions(user, current_key: str) -> int:
    """The person's sessions but this one end, and their sockets close (the console's "Sign out everywhere",
    which leaves the page it was asked from signed in). How many ended."""
    others = list(UserSession.objects.filter(user_id=user.pk).exclude(session_key=current_key))
    UserSessionsAdapter().end_sessions(others)
    return len(others)


def end_all_sessions(user) -> int:
    """Every session of the person ends and every socket they have open closes (after commit). How many ended."""
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    close_persons_sockets(user.pk)
    return len(sessions)


@transaction.atomic
def end_colleague_sessions(actor, person) -> int:
    """A tenant admin signs a colleague out everywhere (a lost laptop), recorded in the person's admin history."""
    if person.pk == actor.pk:
        raise AccessDenied("forbidden", gettext("You cannot end your own sessions here; use your sessions page."))
    if not may_act_on_colleague(actor, person):
        raise AccessDenied("not_found", gettext("No such person."))
    ended = end_all_sessions(person)
    LogEntry.objects.log_actions(
        actor.pk,
        User.objects.filter(pk=person.pk),
        CHANGE,
        change_message=ENDED_MESSAGE.format(count=ended),
        single_object=True,
    )
    return ended


def export_sessions(person) -> list[dict]:
    return [
        {"started": row.created_at.isoformat(), "browser": row.user_agent}
        for row in UserSession.objects.filter(user_id=person.pk).order_by("created_at")
    ]


def erase_sessions(person, now) -> int:
    return end_all_sessions(person)
