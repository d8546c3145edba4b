"""Names people read for what Walker stores as codes: a model's label ("conversations.conversation") as the
model's verbose name ("Conversation")."""

from django.apps import apps
from django.contrib import admin
from django.utils.text import capfirst


def model_name(label: str) -> str:
    """The verbose name of the model `app.model`, capitalised; a label no model answers to reads as stored."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return capfirst(model._meta.verbose_name)


class ModelNameFilter(admin.SimpleListFilter):
    """A list filter over a column holding model labels, each choice by the model's name."""

    parameter_name = "object_type"
    field = "object_type"

    def lookups(self, request, model_admin):
        labels = model_admin.get_queryset(request).order_by().values_list(self.field, flat=True).distinct()
        return sorted(((label, model_name(label)) for label in labels), key=lambda choice: str(choice[1]))

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset
