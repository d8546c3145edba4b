"""A console list that does once what unfold does again for each row.

Unfold renders every row with the column headers again (each cell carries its column's name for narrow screens), and
each header asks for the list's ordering and for three ordering links per sortable column: for a page of 100 rows
and 12 columns, 3,600 query strings of which 36 differ. Within one page the filters do not change (ChangeList sets
them in its constructor), so each distinct link is computed once (what it saves: bench/RESULTS.md, "The console's
long lists and the API's serializers").

Each row's checkbox and each coloured label is a template rendered again too, though a checkbox differs from row to
row only by the row's id and a label only by its value: they are rendered once a process (per language) and reused.
"""

from functools import cached_property, lru_cache

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.utils import display_for_label
from unfold.views import ChangeList

ROW_ID = "walker-row-id"  # where a rendered checkbox has the row's id


class _Row:
    pk = ROW_ID


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
    """For a ModelAdmin whose list is long: its changelist computes each link once per page, and each row's
    checkbox is unfold's, rendered once."""

    def get_changelist(self, request, **kwargs):
        return OncePerPageChangeList

    @display(description=ModelAdmin.action_checkbox.short_description)
    def action_checkbox(self, obj):
        before, after = _checkbox_around_id(super().action_checkbox, get_language())
        return mark_safe(before + conditional_escape(str(obj.pk)) + after)


@lru_cache(maxsize=64)
def _checkbox_around_id(rendered_by, language: str) -> tuple[str, str]:
    """unfold's checkbox (its label is in `language`) before and after the row's id."""
    before, after = rendered_by(_Row()).split(ROW_ID)
    return before, after


def label_cell(colours: dict):
    """A list column's value as unfold's coloured label (display(label=colours) renders it), rendered once for
    each value and its words: label_cell(colours)(value, text)."""

    @lru_cache(maxsize=256)
    def rendered(value: str, text: str) -> str:
        return display_for_label((value, text), "", colours)

    return rendered
