"""The daily brief never adds yen to dollars (issue 46, point 6): with a US-dollar and a yen account connected
(tests/fixtures/two_currencies.py), its paid-ads figures are per currency in the text and the HTML, and its top
and bottom campaigns are ranked by ROAS among every campaign whatever its currency."""

import html
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from briefs.services import send_due_briefs
from tests.factories import EmailPreferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDED_UP = re.compile(r"19\W?145|2[.,]9x|167[.,]94")  # spend, ROAS and CPA of yen and dollars added together


def test_the_briefs_paid_ads_figures_are_per_currency(tenant, usd_and_jpy, sent_emails):
    usd_and_jpy(timezone.localdate(timezone=ZoneInfo(tenant.timezone)) - timedelta(days=1))
    EmailPreferenceFactory(user=UserFactory(tenant=tenant), timezone="UTC", delivery_time=time(8, 0))
    send_due_briefs(datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0))
    [email] = sent_emails

    page = html.unescape(email.html)
    for body in (email.text, page):
        assert not ADDED_UP.search(body), body
        assert "In JPY: spend ¥9,000 (no earlier figure), CPA ¥643 (no earlier figure), ROAS 3.5x" in body
        assert "In USD: spend $10,145 (no earlier figure), CPA $101.45 (no earlier figure), ROAS 2.4x" in body
        assert "Top: Tokyo Launch (5.0x ROAS). Bottom: Osaka Promo (0.5x)." in body
