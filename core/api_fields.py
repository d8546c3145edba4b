"""Serializer fields and query filters shared by the API's apps."""

from django import forms
from django_filters import rest_framework as filters
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string and only a string: DRF's CharField would quietly turn 42 or true into "42" or "True",
    accepting a body its own schema says is invalid."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else, an empty value too, is refused, where Django's field would read it as
    "no filter". Leaving the parameter out is "no filter"."""

    def to_python(self, value):
        if value is None:
            return None
        text = str(value).lower()
        if text in ("true", "1", "false", "0"):
            return text in ("true", "1")
        raise forms.ValidationError("Must be true or false.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "widget": forms.TextInput})  # the raw text, not a guess at it
