"""How the cells of an imported marketing file are read and written: one spelling, whatever the reader's language.

A file is read the same in every language and zone of the console: numbers with a point for decimals and no
thousands separators (django-import-export's own widgets localise, so "1.234" would be a thousand in Spanish),
money as `Decimal` (never a float), days as ISO dates (2026-03-21), moments as ISO 8601 (an offset, or the
tenant's zone when it has none). A cell that does not read raises ValueError with a message for people, which
the library turns into that field's error on that row.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext
from import_export import widgets

from agents.models import Campaign
from tenants.exports import spreadsheet_unquoted

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,18}", re.ASCII)
DECIMAL = re.compile(r"[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})", re.ASCII)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class TrimmedTextWidget(widgets.CharWidget):
    """A line of text (a name, a title, a code) without the spaces a spreadsheet leaves around it, so "Summer Sale "
    finds "Summer Sale", and without the quote an export put before a formula-like cell (so an export imports back
    unchanged)."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        return spreadsheet_unquoted(value.strip()) if isinstance(value, str) else value


class IsoDateWidget(widgets.Widget):
    """A day as YYYY-MM-DD."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        try:
            if ISO_DATE.fullmatch(text):
                return date.fromisoformat(text)
        except ValueError:
            pass  # 2026-02-30: the right shape, but no such day
        raise ValueError(gettext("Enter a date as YYYY-MM-DD, such as 2026-03-21."))

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class IsoDateTimeWidget(widgets.Widget):
    """A moment in ISO 8601; without an offset it is read in the active zone (the importer's tenant's)."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(gettext("Enter a date and time in ISO 8601, such as 2026-03-21T10:00:00+01:00.")) from None
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).isoformat() if value else ""


class PlainDecimalWidget(widgets.Widget):
    """A decimal number as written, read into a Decimal (money, percentages)."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        if DECIMAL.fullmatch(text):
            return Decimal(text)
        raise ValueError(gettext("Enter a number with a point for decimals, no thousands separator: 1234.50."))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class PlainIntegerWidget(widgets.Widget):
    """A whole number as written: "12.5" or "1,200" is an error, never rounded or read as another number."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        if WHOLE_NUMBER.fullmatch(text):
            return int(text)
        raise ValueError(gettext("Enter a whole number without separators, such as 1200."))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TenantCampaignWidget(widgets.ForeignKeyWidget):
    """A campaign named in a row, looked up by name among the importing tenant's campaigns only.

    The resource sets `tenant` when it is made; a name (or id) of another tenant's campaign is no campaign here.
    """

    tenant = None

    def __init__(self, **kwargs):
        super().__init__(Campaign, field="name", **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        return Campaign.objects.none() if self.tenant is None else Campaign.objects.for_tenant(self.tenant)

    def clean(self, value, row=None, **kwargs):
        name = _text(value)
        if not name:
            return None
        try:
            return self.get_queryset(name, row).get(name=name)
        except Campaign.DoesNotExist:
            raise ValueError(gettext("No campaign of yours is named “%(name)s”.") % {"name": name}) from None

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""
