"""Percentiles as database aggregates (PostgreSQL's PERCENTILE_CONT), with the same rule in Python.

PERCENTILE_CONT interpolates linearly between the two nearest values; `continuous_percentile`
does the same, for databases without it (the embedded SQLite) and for tests to state answers.
"""

from django.db import connections
from django.db.models import Aggregate, FloatField


class Percentile(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def _resolve_output_field(self):
        source = self.get_source_fields()[0]
        return source if source is not None else FloatField()


def has_percentiles(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def continuous_percentile(values, fraction: float):
    """PERCENTILE_CONT over `values` (numbers or timedeltas); None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
