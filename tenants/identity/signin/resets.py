"""A tenant admin resets a colleague's second factors (a lost phone): they enrol again at their next sign-in."""

from allauth.mfa.models import Authenticator
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import gettext

from tenants.access import MANAGE_PEOPLE, AccessDenied
from tenants.models import User

# The audit record's words, kept in English like Django's own change messages; shown in the person's history.
RESET_MESSAGE = "Second factors reset ({count} removed)."


def may_act_on_colleague(actor, person) -> bool:
    """Whether `actor` may reset `person`'s factors or end their sessions: a platform superuser, or an admin of the
    person's tenant; never on oneself (that is one's own MFA and sessions pages' job)."""
    if person.pk == actor.pk:
        return False
    if actor.is_superuser:
        return True
    return (
        person.tenant_id is not None
        and person.tenant_id == actor.tenant_id
        and actor.has_perm(MANAGE_PEOPLE, person.tenant)
    )


@transaction.atomic
def reset_factors(actor, person) -> int:
    """Removes the person's authenticator apps, passkeys and recovery codes and records who did it, in the
    person's admin history (LogEntry). Returns how many were removed."""
    if person.pk == actor.pk:
        raise AccessDenied("forbidden", gettext("You cannot reset your own second factors; manage them on your page."))
    if not may_act_on_colleague(actor, person):
        raise AccessDenied("not_found", gettext("No such person."))
    removed, _ = Authenticator.objects.filter(user=person).delete()
    LogEntry.objects.log_actions(
        actor.pk,
        User.objects.filter(pk=person.pk),
        CHANGE,
        change_message=RESET_MESSAGE.format(count=removed),
        single_object=True,
    )
    return removed
