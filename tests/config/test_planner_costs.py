"""Walker's connections to PostgreSQL plan for the SSD or network storage a managed PostgreSQL runs on
(DATABASE_RANDOM_PAGE_COST, config/settings.py): PostgreSQL's own default prices a page read out of order as a
spinning disk's, and planned a big tenant's range reads as reads of the whole table."""

import pytest
from django.db import connection

pytestmark = pytest.mark.postgres("the planner's settings")


def test_a_connection_plans_for_ssd_storage(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
