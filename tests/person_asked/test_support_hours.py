"""The tenant's support hours and how support hears of an ask, set by its admins on the tenant's page; read in the
tenant's time zone."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conversations.support_hours import next_opening
from tenants.roles import Role
from tests.factories import UserFactory

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def new_york(tenant):
    tenant.timezone = "America/New_York"
    tenant.save(update_fields=["timezone"])
    return tenant


@pytest.mark.parametrize(
    "now, opens",
    [
        (datetime(2026, 11, 24, 10, 0, tzinfo=NEW_YORK), None),  # Tuesday morning: in
        (datetime(2026, 11, 24, 8, 59, tzinfo=NEW_YORK), datetime(2026, 11, 24, 9, 0, tzinfo=NEW_YORK)),
        (datetime(2026, 11, 24, 17, 0, tzinfo=NEW_YORK), datetime(2026, 11, 25, 9, 0, tzinfo=NEW_YORK)),
        (datetime(2026, 11, 27, 18, 0, tzinfo=NEW_YORK), datetime(2026, 11, 30, 9, 0, tzinfo=NEW_YORK)),  # Friday
        (datetime(2026, 11, 28, 15, 0, tzinfo=ZoneInfo("UTC")), datetime(2026, 11, 30, 9, 0, tzinfo=NEW_YORK)),
    ],
)
def test_the_next_opening_in_the_tenants_zone(new_york, now, opens):
    assert next_opening(new_york, now) == opens


def test_a_tenant_without_support_days_answers_every_day_in_its_hours(new_york):
    new_york.support_days = []
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=NEW_YORK)
    assert next_opening(new_york, sunday) is None
    assert next_opening(new_york, sunday.replace(hour=20)) == datetime(2026, 11, 30, 9, 0, tzinfo=NEW_YORK)


def test_a_tenant_admin_sets_them_on_the_tenants_page(client, tenant):
    client.force_login(UserFactory(tenant=tenant, role=Role.ADMIN))
    url = reverse("admin:tenants_tenant_change", args=[tenant.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}

    refused = client.post(url, {**data, "support_opens": "18:00", "support_closes": "08:00", "support_days": ["9"]})
    assert set(refused.context["adminform"].form.errors) == {"support_closes", "support_days"}

    changed = {"support_opens": "08:30", "support_closes": "20:00", "support_days": ["0", "2", "4"]}  # ticked days
    assert client.post(url, {**data, **changed, "support_notify_by": "slack"}).status_code == 302
    tenant.refresh_from_db()
    assert (tenant.support_opens, tenant.support_closes, tenant.support_days) == (time(8, 30), time(20), [0, 2, 4])
    assert tenant.support_notify_by == "slack"


def test_another_tenants_admin_cannot_open_the_page(client, tenant, outsider):
    client.force_login(outsider)
    response = client.get(reverse("admin:tenants_tenant_change", args=[tenant.pk]))
    assert response.status_code == 404  # another tenant's row, as everywhere
