"""Proving a phone number is the user's: a 6-digit code sent to it, confirmed by reply or in the admin.

Only a keyed hash of the code is stored. A code expires after CODE_TTL, works once, and
dies after MAX_ATTEMPTS wrong tries. Sending is rate-limited: one code per RESEND_AFTER,
and at most MAX_CODES codes per number until one is confirmed (an admin resets that count
by sending a code again after MAX_CODES_WINDOW).
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from core.errors import WalkerError
from tenants.models import UserPhoneNumber

CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_CODES = 5
MAX_CODES_WINDOW = timedelta(hours=24)
MAX_ATTEMPTS = 5
STATE_FIELDS = (
    "verified",
    "verified_at",
    "code_hash",
    "code_expires_at",
    "code_attempts",
    "code_sent_at",
    "codes_sent",
)


class VerificationError(WalkerError):
    """The code cannot be sent or confirmed. `detail` is for people."""


def _hash(phone: UserPhoneNumber, code: str) -> str:
    return salted_hmac("walker.phone-verification", f"{phone.pk}:{phone.phone_number}:{code}").hexdigest()


def issue_code(phone_id) -> tuple[UserPhoneNumber, str]:
    """A new code for the number (the previous one stops working); returns the row and the plain code to send."""
    now = timezone.now()
    with transaction.atomic():
        phone = UserPhoneNumber.objects.select_for_update(no_key=True).get(pk=phone_id)
        if phone.verified:
            raise VerificationError("already_verified", _already_verified(phone))
        if phone.code_sent_at and now - phone.code_sent_at < RESEND_AFTER:
            raise VerificationError(
                "too_soon", gettext("A code was sent less than a minute ago; wait before asking again.")
            )
        sent = phone.codes_sent
        if phone.code_sent_at and now - phone.code_sent_at >= MAX_CODES_WINDOW:
            sent = 0
        if sent >= MAX_CODES:
            raise VerificationError(
                "too_many_codes",
                gettext("%(count)s codes were sent to this number; try again tomorrow.") % {"count": MAX_CODES},
            )
        code = f"{secrets.randbelow(10**6):06d}"
        phone.code_hash = _hash(phone, code)
        phone.code_expires_at = now + CODE_TTL
        phone.code_attempts = 0
        phone.code_sent_at = now
        phone.codes_sent = sent + 1
        phone.code_delivery_error = ""
        phone.save(
            update_fields=[
                "code_hash",
                "code_expires_at",
                "code_attempts",
                "code_sent_at",
                "codes_sent",
                "code_delivery_error",
            ]
        )
    return phone, code


def confirm_code(phone_id, code: str) -> UserPhoneNumber:
    """Mark the number verified if `code` is its live code; every wrong try counts, and the code works once."""
    now = timezone.now()
    with transaction.atomic():
        phone = UserPhoneNumber.objects.select_for_update(no_key=True).get(pk=phone_id)
        if phone.verified:
            raise VerificationError("already_verified", _already_verified(phone))
        if not phone.code_hash or phone.code_expires_at is None:
            raise VerificationError("no_code", gettext("No code is waiting for this number; ask for a new one."))
        if phone.code_expires_at <= now:
            raise VerificationError("expired", gettext("This code has expired; ask for a new one."))
        if phone.code_attempts >= MAX_ATTEMPTS:
            raise VerificationError("too_many_attempts", gettext("Too many wrong codes; ask for a new one."))
        if not constant_time_compare(phone.code_hash, _hash(phone, (code or "").strip())):
            phone.code_attempts += 1
            phone.save(update_fields=["code_attempts"])  # kept: the error is raised after the commit
            wrong = VerificationError(
                "wrong_code",
                gettext("That code is not right (%(left)s tries left).") % {"left": MAX_ATTEMPTS - phone.code_attempts},
            )
        else:
            wrong = None
            _mark_verified(phone, now)
    if wrong is not None:
        raise wrong
    return phone


def _already_verified(phone: UserPhoneNumber) -> str:
    return gettext("%(number)s is already verified.") % {"number": phone.phone_number}


def _mark_verified(phone: UserPhoneNumber, now) -> None:
    phone.verified, phone.verified_at = True, now
    phone.code_hash, phone.code_expires_at, phone.code_attempts, phone.codes_sent = "", None, 0, 0
    phone.save(update_fields=list(STATE_FIELDS))


def record_delivery_error(phone_id, reason: str) -> None:
    """The code could not be sent (e.g. no template outside the 24-hour window): shown on the number in the admin."""
    UserPhoneNumber.objects.filter(pk=phone_id).update(code_delivery_error=reason[:300])
