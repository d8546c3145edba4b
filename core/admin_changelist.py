"""A console list that works out each of its links once per page.

Unfold renders every row with the column headers again (each cell carries its column's name for narrow screens), and
each header asks for the list's ordering and for three ordering links per sortable column: for a page of 100 rows
and 12 columns, 3,600 query strings of which 36 differ. Within one page the filters do not change (ChangeList sets
them in its constructor), so each distinct link is computed once (what it saves: bench/RESULTS.md, "The console's
long lists and the API's serializers").
"""

from functools import cached_property

from unfold.views import ChangeList


def _key(new_params: dict | None, remove: list | None) -> tuple:
    params = ((name, tuple(value) if isinstance(value, list) else value) for name, value in (new_params or {}).items())
    return tuple(sorted(params)), tuple(remove or ())


class OncePerPageChangeList(ChangeList):
    @cached_property
    def _links(self) -> dict:
        return {}

    @cached_property
    def _ordering_columns(self) -> dict:
        return super().get_ordering_field_columns()

    def get_query_string(self, new_params=None, remove=None):
        key = _key(new_params, remove)
        if key not in self._links:
            self._links[key] = super().get_query_string(new_params, remove)
        return self._links[key]

    def get_ordering_field_columns(self):
        return dict(self._ordering_columns)  # a copy: a caller may change what it is given


class OncePerPageChangeListMixin:
    """For a ModelAdmin whose list is long: its changelist computes each link once per page."""

    def get_changelist(self, request, **kwargs):
        return OncePerPageChangeList
