"""The language to write to a person in, outside a request (workers, tasks): theirs, else the site's."""

from django.conf import settings


def language_of(user) -> str:
    return (getattr(user, "language", "") or settings.LANGUAGE_CODE) if user is not None else settings.LANGUAGE_CODE
