"""A paginator for the console's lists of big tables (a tenant's conversations and approvals, a million each): past
EXACT_UP_TO rows the count is PostgreSQL's estimate of the filtered list, read from the plan (QuerySet.explain, no
row read), where an exact count would read every row the filters keep on each opening of the list.

How it stays right: below EXACT_UP_TO the count is exact; above, it is the planner's, from the statistics ANALYZE
keeps (autovacuum refreshes them as the table grows), so the page numbers past the first thousands are near, and
the pages themselves are always exact. Other databases count exactly.
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_UP_TO = 10_000


class EstimatedCountPaginator(Paginator):
    estimated = False

    @cached_property
    def count(self):
        rows = self.object_list
        if getattr(rows, "db", None) is not None and _vendor(rows) == "postgresql":
            planned = planned_rows(rows)
            if planned > EXACT_UP_TO:
                self.estimated = True
                return planned
        return super().count


def _vendor(rows) -> str:
    return connections[rows.db].vendor


def planned_rows(rows) -> int:
    """The rows PostgreSQL's planner expects `rows` (a queryset) to give: a plan, no row read. 0 for a queryset
    Django knows is empty (`pk__in=[]`): it sends no statement, so there is no plan."""
    plan = rows.order_by().explain(format="json")
    if not plan:
        return 0
    plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
