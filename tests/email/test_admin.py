"""Point 2: the delivery log in the admin: one row per email, the tenant's only, filterable, subjects masked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import EmailDeliveryLog
from tenants.models import UndeliverableAddress
from tests.factories import UserFactory

LIST = "/admin/analytics/emaildeliverylog/"


def log_row(tenant, **fields):
    defaults = {"to_address": "a@acme.test", "email_type": "approval", "subject": "Approval needed", "status": "sent"}
    return EmailDeliveryLog.objects.create(
        tenant=tenant, reference=f"direct:{EmailDeliveryLog.objects.count()}", **{**defaults, **fields}
    )


def test_the_tenants_rows_with_filters_and_masked_subjects(console_as, tenant_admin, other_tenant, tenant):
    bounced = log_row(tenant, status="bounced", failure_reason="550 no such user", subject="Call me on +1 415 555 0142")
    log_row(tenant, status="delivered", email_type="reply")
    theirs = log_row(other_tenant, status="bounced")
    page = console_as(tenant_admin).get(LIST, {"status__exact": "bounced"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [bounced]
    assert "+1 415 555 0142" not in page.content.decode()
    with CaptureQueriesContext(connection) as few:
        console_as(tenant_admin).get(LIST)
    for _ in range(10):
        log_row(tenant, user=UserFactory(tenant=tenant))
    with CaptureQueriesContext(connection) as many:
        assert console_as(tenant_admin).get(LIST).status_code == 200
    assert len(many) == len(few) <= 17  # no query per row (one is the sidebar's count of approvals waiting)
    detail = console_as(tenant_admin).get(f"{LIST}{bounced.pk}/change/")
    assert detail.status_code == 200 and "550 no such user" in detail.content.decode()
    assert console_as(tenant_admin).get(f"{LIST}{theirs.pk}/change/").status_code in (302, 404)


@pytest.mark.parametrize("role, allowed", [("support", True), ("approver", False)])
def test_who_sees_the_log(console_as, tenant, role, allowed):
    person = UserFactory(tenant=tenant, role=role)
    assert (console_as(person).get(LIST).status_code == 200) is allowed


def test_undeliverable_addresses_are_for_superusers_only(console_as, superuser, tenant_admin, db):
    UndeliverableAddress.objects.create(email="gone@acme.test", reason="bounce")
    url = "/admin/tenants/undeliverableaddress/"
    assert console_as(superuser).get(url).status_code == 200
    assert console_as(tenant_admin).get(url).status_code == 403
