"""What an approver's decision through the API costs the database: finding the approval, the decision with its
records and notices, and the answer (the approval's detail, read again)."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.roles import Role
from tests.factories import CampaignFactory

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
BUDGET = 27  # 28 while the approval was first found with its linked approvals, which only the answer shows


def test_an_approval_through_the_api_stays_within_its_budget(api_as, tenant, ask, staff, requester):
    campaign = CampaignFactory(tenant=tenant, name="Autumn Push", daily_budget=Decimal("500.00"))
    approval = ask("700.00", by=requester, of=campaign)
    client = api_as(staff[Role.APPROVER])
    client.get(f"/api/hitl/approvals/{approval.pk}/")  # per-process caches warm (permissions, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/hitl/approvals/{approval.pk}/approve/", {"comment": "ok"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(CONTROL)]
    assert len(statements) <= BUDGET, "\n".join(sql[:160] for sql in statements)
