"""The console shows times in the viewer's tenant time zone; they are stored in UTC."""

from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format


def sla_shown(approval, zone: str) -> str:
    local = timezone.localtime(approval.sla_deadline, ZoneInfo(zone))
    return f"SLA {date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def test_tenant_people_read_times_in_their_tenant_zone(console_as, staff, ask_as, tenant):
    assert tenant.timezone == "Europe/Paris"
    approval = ask_as(staff["member"])
    html = console_as(staff["approver"]).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content
    assert sla_shown(approval, "Europe/Paris") in html.decode()
    assert sla_shown(approval, "Europe/Paris") != sla_shown(approval, "UTC")  # the test would prove nothing otherwise


def test_a_platform_superuser_reads_utc(console_as, superuser, staff, ask_as):
    approval = ask_as(staff["member"])
    html = console_as(superuser).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content
    assert sla_shown(approval, "UTC") in html.decode()


def test_the_zone_does_not_outlive_the_request(console_as, staff):
    console_as(staff["approver"]).get(reverse("admin:index"))
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_api_speaks_utc_even_to_a_signed_in_browser(console_as, staff, ask_as):
    approval = ask_as(staff["member"])
    body = console_as(staff["approver"]).get(f"/api/hitl/approvals/{approval.pk}/").json()  # session auth
    assert body["sla_deadline"].endswith("Z")


def test_reading_the_tenant_zone_costs_no_query_of_its_own(console_as, staff):
    """The user is loaded with their tenant (tenants.backends), so the middleware adds nothing."""
    client = console_as(staff["approver"])
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:hitl_hitlapproval_changelist"))
    assert not [q["sql"] for q in queries if q["sql"].startswith('SELECT "tenants_tenant".')]
