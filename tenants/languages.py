"""The language to write to a person in, outside a request (workers, tasks, emails): theirs, else the site's."""

from django.conf import settings
from django.utils import translation


def language_of(user) -> str:
    return (getattr(user, "language", "") or settings.LANGUAGE_CODE) if user is not None else settings.LANGUAGE_CODE


def speaking(user):
    """`with speaking(person):` writes what follows in `person`'s language."""
    return translation.override(language_of(user))
