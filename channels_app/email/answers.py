"""Automatic answers to inbound email (an unknown sender, a known address that did not prove itself): one a day.

A From line can name anyone, so an automatic answer is backscatter waiting to happen. Walker answers an
unknown sender only when the email proved its address (SPF or DKIM aligned with it: inbound decides),
and any address at most once a UTC day. The day's answers are counted by rows keyed on the address's
keyed hash (the address itself is kept nowhere); their unique constraint gives two emails racing in one
answer between them.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels_app.email.models import AnsweredSender
from tenants.fields import hash_of


def claim(address: str) -> bool:
    """True for the first automatic answer to `address` today; False for any other until tomorrow."""
    today = timezone.now().date()
    AnsweredSender.objects.filter(day__lt=today).delete()  # earlier days count for nothing
    try:
        with transaction.atomic():
            AnsweredSender.objects.create(address_hash=hash_of("email", address), day=today)
    except IntegrityError:
        return False
    return True


# --- what is kept of a person, for subject requests (tenants.privacy.personal_data) ------------------------------


def _theirs(person):
    return AnsweredSender.objects.filter(address_hash=hash_of("email", person.email))


def export_answered(person) -> list[dict]:
    return [{"answered_on": day.isoformat()} for day in _theirs(person).values_list("day", flat=True)]


def erase_answered(person, now) -> int:
    return _theirs(person).delete()[0]
