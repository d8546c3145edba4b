"""Days far in the past or future are refused with the allowed range (400), never a 500 from a date that
overflows (the day after 9999-12-31, local midnight of 0001-01-01 east of UTC) (issue 29)."""

import pytest

from reports.dashboard import dashboard_callback

PATHS = ["conversations", "conversations/export", "hitl", "hitl/export", "exports/conversations", "exports/access-log"]
REFUSED = [
    {"end": "9999-12-31"},
    {"start": "9999-12-30", "end": "9999-12-31"},
    {"end": "0001-01-01"},
    {"start": "0001-01-01", "end": "0001-01-02"},
    {"start": "1999-12-31", "end": "2000-01-02"},
    {"start": "2999-12-31", "end": "3000-01-01"},
]
ALLOWED = "from 2000-01-01 to 2999-12-31"


@pytest.fixture
def far_east(tenant):
    """Local midnight here is the day before in UTC: the earliest day must still have one."""
    tenant.timezone = "Pacific/Kiritimati"
    tenant.save(update_fields=["timezone"])
    return tenant


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("query", REFUSED, ids=lambda query: "-".join(query.values()))
def test_days_out_of_range_are_a_400_naming_the_range(api_as, far_east, tenant_admin, path, query):
    response = api_as(tenant_admin).get(f"/api/analytics/{path}/", query)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid_query" and ALLOWED in response.json()["detail"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("query", [{"start": "2000-01-01", "end": "2000-01-31"}, {"end": "2999-12-31"}])
def test_the_first_and_last_allowed_days_are_answered(api_as, far_east, tenant_admin, superuser, path, query):
    for group_by in ("day", "week", "month"):
        for user in (tenant_admin, superuser):
            response = api_as(user).get(f"/api/analytics/{path}/", {**query, "group_by": group_by})
            assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("query", REFUSED, ids=lambda query: "-".join(query.values()))
def test_the_dashboard_shows_its_default_days_with_a_note(rf, far_east, tenant_admin, query):
    request = rf.get("/admin/", query)
    request.user = tenant_admin
    board = dashboard_callback(request, {"app_list": []})["dashboard"]
    assert ALLOWED in str(board["note"])
