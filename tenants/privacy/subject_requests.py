"""Subject access and erasure for one person, across every app that holds their data (tenants.privacy.personal_data).

An export returns everything held, decrypted, and is recorded as a high-sensitivity read with its reason.
An erasure removes it all but keeps the rows that counts and aggregates are made of: the person's
account stays, anonymised and disabled, so their conversations, approvals and metrics still add up.
It can be run again at any time: after a crash it resumes the same record and finishes; after it
finished, it changes nothing and returns the finished record.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenants.access import AccessDenied
from tenants.models import SubjectRequest, User, UserEmailPreference
from tenants.privacy.audit import Origin, record
from tenants.privacy.personal_data import holders

ERASED_DOMAIN = "erased.invalid"


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise AccessDenied("reason_required", "Say why: the request is recorded with its reason.")
    return reason.strip()


def export_person(actor, person: User, *, reason: str, origin: Origin) -> tuple[SubjectRequest, dict]:
    """Everything held about `person`, values decrypted; recorded as a reveal and as a subject request."""
    reason = _reason(reason)
    data = {holder.name: holder.export(person) for holder in holders()}
    now = timezone.now()
    with transaction.atomic():
        done = SubjectRequest.objects.create(
            tenant=person.tenant, kind=SubjectRequest.Kind.EXPORT, subject=person, subject_ref=str(person.pk),
            requested_by=actor, requested_by_email=actor.email, reason=reason, status=SubjectRequest.Status.DONE,
            counts={name: len(part) if isinstance(part, list) else 1 for name, part in data.items()},
            completed_at=now,
        )  # fmt: skip
        record(actor, person, tenant=person.tenant, origin=origin, revealed=True, reason=f"Subject access: {reason}")
    return done, {"person": str(person.pk), "exported_at": now.isoformat(), **data}


def _erasure_record(actor, person: User, reason: str) -> SubjectRequest:
    """The running erasure of `person` (a re-run after a crash resumes it), else a new one."""
    finished = SubjectRequest.objects.filter(
        subject_ref=str(person.pk), kind=SubjectRequest.Kind.ERASURE, status=SubjectRequest.Status.DONE
    ).first()
    if finished is not None:
        return finished
    try:
        with transaction.atomic():
            return SubjectRequest.objects.create(
                tenant=person.tenant, kind=SubjectRequest.Kind.ERASURE, subject=person, subject_ref=str(person.pk),
                requested_by=actor, requested_by_email=actor.email, reason=reason,
            )  # fmt: skip
    except IntegrityError:  # one is running (or crashed): carry it on
        return SubjectRequest.objects.get(
            subject_ref=str(person.pk), kind=SubjectRequest.Kind.ERASURE, status=SubjectRequest.Status.RUNNING
        )


def erase_person(actor, person: User, *, reason: str) -> SubjectRequest:
    reason = _reason(reason)
    request = _erasure_record(actor, person, reason)
    if request.status == SubjectRequest.Status.DONE:
        return request
    now = timezone.now()
    for holder in holders():
        with transaction.atomic():
            changed = holder.erase(person, now)
            request.counts[holder.name] = request.counts.get(holder.name, 0) + changed
            request.save(update_fields=["counts"])
    request.status, request.completed_at = SubjectRequest.Status.DONE, timezone.now()
    request.save(update_fields=["status", "completed_at"])
    return request


# --- what tenants itself holds: the account, phones, email preferences, API tokens -------------------


def export_profile(person: User) -> dict:
    preference = getattr(person, "email_preference", None)
    return {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "role": person.role,
        "date_joined": person.date_joined.isoformat(),
        "last_login": person.last_login.isoformat() if person.last_login else None,
        "phones": [
            {"number": phone.phone_number, "verified": phone.verified, "primary": phone.is_primary}
            for phone in person.phone_numbers.all()
        ],
        "email_preference": None
        if preference is None
        else {
            "enabled": preference.enabled,
            "delivery_time": preference.delivery_time.isoformat(),
            "timezone": preference.timezone,
            "sections": preference.include_sections,
        },
    }


def erase_profile(person: User, now) -> int:
    """The account stays (rows point at it) but says nothing of the person and can no longer sign in."""
    changed = person.phone_numbers.all().delete()[0]
    changed += UserEmailPreference.objects.filter(user=person).delete()[0]
    changed += Token.objects.filter(user=person).delete()[0]
    erased_email = f"erased-{person.pk}@{ERASED_DOMAIN}"
    if person.email != erased_email:
        person.email, person.first_name, person.last_name, person.is_active = erased_email, "", "", False
        person.set_unusable_password()
        person.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
        changed += 1
    return changed
