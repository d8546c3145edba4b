"""Fixed clock-time defaults must not trip Django's "fixed default" check at that time of day.

Django's fields.W161 compares a TimeField's fixed default with the clock (±10 s), so `check --deploy
--fail-level WARNING` failed in CI when it ran at 07:59:50; callable defaults are never compared.
"""

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core import checks

from tenants.models import Tenant, UserEmailPreference


@pytest.mark.parametrize("clock", [time(8, 0, 5), time(9, 0), time(16, 59, 55)])
def test_no_fixed_default_warning_at_the_defaults_own_time(clock):
    with time_machine.travel(datetime.combine(datetime(2026, 11, 27).date(), clock, tzinfo=UTC), tick=False):
        found = checks.run_checks(tags=[checks.Tags.models])
    assert [message.id for message in found if message.id == "fields.W161"] == []


def test_the_defaults_are_still_the_same_clock_times():
    assert UserEmailPreference._meta.get_field("delivery_time").get_default() == time(8)
    assert Tenant._meta.get_field("support_opens").get_default() == time(9)
    assert Tenant._meta.get_field("support_closes").get_default() == time(17)
