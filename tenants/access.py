"""The vocabulary of the one access layer.

Each model that people reach has one access module (`conversations.access`, `hitl.access`) with a
queryset of what a user may see and a `get_<model>_for_user(user, id, need, for_update=False)` that
fetches one row or refuses. The admin, the API, one-click links, chat and the console socket all ask
those functions; none decides permissions on its own. Refusals use two codes: `not_found` when the
row is outside what the user may see at all (another tenant's, a colleague's private row: it answers
404, as if it did not exist), and `forbidden` when they see it but may not do what they asked (403).
"""

from django.db import models
from django.utils.translation import gettext

from core.errors import WalkerError
from tenants.models import SubjectRequest, User
from tenants.roles import role_holds

MANAGE_PEOPLE = "tenants.manage_users"  # django-guardian's, on the tenant: its admins


class Need(models.TextChoices):
    """The label is a verb phrase that takes the row as its object: "You may not <label> this approval."."""

    VIEW = "view", "view"
    WRITE = "write", "write in"
    DECIDE = "decide", "decide"
    REVEAL = "reveal", "see the personal data of"
    MANAGE = "manage", "manage"
    HANDLE = "handle", "take over and answer"


class AccessDenied(WalkerError):
    """Refused; nothing was changed. `code` is `not_found` or `forbidden` (or a caller's own), `detail` for people."""


def same_tenant(user, row) -> bool:
    return bool(user.is_superuser or (user.tenant_id is not None and row.tenant_id == user.tenant_id))


def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def people_for(user):
    """The people `user` may see: the tenant's for those who manage people (the role's `view_user`), else themselves."""
    if not is_signed_in(user):
        return User.objects.none()
    people = User.objects.for_user(user)
    return people if user.is_superuser or user.has_perm("tenants.view_user") else people.filter(pk=user.pk)


def may_see_subject_requests(user) -> bool:
    """Tenant admins and compliance (the role's `view_subjectrequest`) see the record of subject requests."""
    return is_signed_in(user) and (user.is_superuser or user.has_perm("tenants.view_subjectrequest"))


def subject_requests_for(user):
    """The subject requests `user` may see: their tenant's (every tenant's for a superuser), if they may at all."""
    if not may_see_subject_requests(user):
        return SubjectRequest.objects.none()
    return SubjectRequest.objects.for_user(user)


def may_handle_subject_requests(user, tenant) -> bool:
    """Tenant admins and compliance (the role's `add_subjectrequest`) export and erase a person's data."""
    return is_signed_in(user) and (
        user.is_superuser or (user.tenant_id == tenant.pk and user.has_perm("tenants.add_subjectrequest"))
    )


def may_erase(user, person) -> bool:
    """Erasure disables the account, so two more rules than for an export: nobody erases themselves, and a
    tenant admin is erased only by another tenant admin (or a platform superuser), never by compliance."""
    if person.pk == user.pk:
        return False
    # Asked of the person's role, not their account: an admin whose account is already disabled stays an admin here.
    return not role_holds(person.role, MANAGE_PEOPLE) or user.has_perm(MANAGE_PEOPLE, person.tenant)


def get_person_for_request(user, person_id, kind: str) -> User:
    """The person a subject request of `kind` is about, the one check of every door (the API, the console's form).

    Another tenant's person is not found; without the right to handle subject requests, or (for an erasure)
    when `may_erase` refuses, forbidden.
    """
    person = User.objects.filter(pk=person_id, tenant__isnull=False).select_related("tenant").first()
    if person is None or not same_tenant(user, person):
        raise AccessDenied("not_found", gettext("No such person."))
    if not may_handle_subject_requests(user, person.tenant):
        raise AccessDenied("forbidden", gettext("Only tenant admins and compliance handle subject requests."))
    if kind == SubjectRequest.Kind.ERASURE and not may_erase(user, person):
        if person.pk == user.pk:
            detail = gettext("You cannot erase yourself: ask another tenant admin or compliance.")
        else:
            detail = gettext("Only another tenant admin may erase a tenant admin.")
        raise AccessDenied("forbidden", detail)
    return person
