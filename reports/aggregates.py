"""Percentiles as database aggregates (PostgreSQL's PERCENTILE_CONT), with the same rule in Python.

PERCENTILE_CONT interpolates linearly between the two nearest values; `continuous_percentile`
does the same. `aggregate` and `grouped` take figures with `Percentile`s among them: PostgreSQL
computes them in the query; the embedded SQLite, which has no PERCENTILE_CONT, reads the values
they order (one query for all of them and every group) and interpolates them here, so both
answer the same figures for the same rows.
"""

from django.db import connections
from django.db.models import Aggregate, Case, DurationField, F, FloatField, When


class Percentile(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)
        self.measured = F(expression) if isinstance(expression, str) else expression
        self.at = float(fraction)

    def _resolve_output_field(self):
        """An interval for durations, else double precision, as PERCENTILE_CONT answers (an integer field's
        type would truncate an interpolated 2.5 to 2)."""
        source = self.get_source_fields()[0]
        return source if isinstance(source, DurationField) else FloatField()


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


def aggregate(rows, figures: dict, *, in_database: bool | None = None) -> dict:
    """`rows.aggregate(**figures)`, Percentiles included on every database (one more query without PERCENTILE_CONT).

    `in_database`: whether PERCENTILE_CONT computes them (default: where the database has it).
    """
    in_query, in_python = _split(rows, figures, in_database)
    result = rows.aggregate(**in_query)
    for name, value in _interpolated(rows, None, in_python).items():
        result[name] = value.get(None)
    return result


def grouped(rows, key, figures: dict, *, latest: int | None = None, in_database: bool | None = None) -> list[dict]:
    """One dict per value of the expression `key` (as "key", in its order) with `figures`, Percentiles included
    (one more query without PERCENTILE_CONT).

    `latest`: only the last that many groups (keys that are never null, such as days).
    """
    in_query, in_python = _split(rows, figures, in_database)
    groups = rows.order_by().values(key=key).annotate(**in_query)
    if not in_query:
        groups = groups.distinct()  # values() alone groups nothing
    groups = list(groups.order_by("-key")[:latest])[::-1] if latest else list(groups.order_by("key"))
    if in_python and groups:
        among = rows.alias(percentile_since=key).filter(percentile_since__gte=groups[0]["key"]) if latest else rows
        found = _interpolated(among, key, in_python)
        for group in groups:
            group.update({name: values.get(group["key"]) for name, values in found.items()})
    return groups


def _split(rows, figures: dict, in_database: bool | None) -> tuple[dict, dict]:
    if has_percentiles(rows) if in_database is None else in_database:
        return figures, {}
    in_query = {name: f for name, f in figures.items() if not isinstance(f, Percentile)}
    return in_query, {name: f for name, f in figures.items() if isinstance(f, Percentile)}


def _interpolated(rows, key, percentiles: dict) -> dict:
    """{figure name: {group key: percentile}}, from one query reading each distinct measured value of each row."""
    if not percentiles:
        return {}
    sources = list(dict.fromkeys((p.measured, p.filter) for p in percentiles.values()))
    read = {
        f"percentile_{n}": measured if where is None else Case(When(where, then=measured))
        for n, (measured, where) in enumerate(sources)
    }
    picked = rows.order_by().annotate(**read)
    if key is None:
        rows_read = ((None, *row) for row in picked.values_list(*read))
    else:
        rows_read = picked.annotate(percentile_group=key).values_list("percentile_group", *read)
    values = {name: {} for name in read}
    for group, *row in rows_read:
        for name, value in zip(read, row, strict=True):
            if value is not None:  # PERCENTILE_CONT leaves nulls out, and rows its filter excludes
                values[name].setdefault(group, []).append(value)
    found = {}
    for figure, percentile in percentiles.items():
        by_group = values[f"percentile_{sources.index((percentile.measured, percentile.filter))}"]
        found[figure] = {group: continuous_percentile(v, percentile.at) for group, v in by_group.items()}
    return found
