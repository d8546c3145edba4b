"""Dates and times as a reader reads them, wherever a record names itself (titles, breadcrumbs, history, choices):
in the active time zone (the tenant's or the person's, which the middleware activates) and language, in words;
never as a program writes them (ISO 8601, UTC)."""

from django.utils import formats, timezone


def moment(value) -> str:
    """An aware datetime: "Nov. 27, 2026, 12:43 p.m." / "27 de noviembre de 2026 a las 12:43"."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def day(value) -> str:
    """A date: "Nov. 27, 2026" / "27 de noviembre de 2026"."""
    return formats.date_format(value, "DATE_FORMAT")
