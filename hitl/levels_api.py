"""A workflow's levels in the API: a nested serializer over WorkflowLevel.

It takes the levels as clients have always sent them, a list in order of
{"name", "approvers": {"roles", "groups", "users"}, "required_approvals"} (people by id or email address), with an
optional "position" (default: the place in the list). It refuses what the console's inline refuses, through the
same validators (hitl.models.level), in the same words, each reason led by the level it concerns ("Level 2: …").
"""

import difflib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from hitl.models.level import (
    WorkflowLevel,
    duplicate_positions_error,
    level_approvers,
    levels_count_error,
)

LEVEL_KEYS = ("position", "name", "approvers", "required_approvals")
APPROVER_KEYS = ("roles", "groups", "users")


def _messages(detail) -> list[str]:
    """Every message of a DRF error detail, in order, whatever its nesting."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _unknown_keys(item: dict) -> list[str]:
    """A level's keys nothing reads, named (a misspelt `required` would otherwise run with one approval)."""
    found = [(None, sorted(set(item) - set(LEVEL_KEYS)), LEVEL_KEYS)]
    if isinstance(item.get("approvers"), dict):
        found.append(("approvers", sorted(set(item["approvers"]) - set(APPROVER_KEYS)), APPROVER_KEYS))
    errors = []
    for within, unknown, known in found:
        if not unknown:
            continue
        named = ", ".join(f"“{key}”" for key in unknown)
        if len(unknown) == 1 and (close := difflib.get_close_matches(str(unknown[0]), known, n=1)):
            error = (
                gettext("Unknown setting %(keys)s (did you mean “%(known)s”?).")
                if within is None
                else gettext("Unknown approvers setting %(keys)s (did you mean “%(known)s”?).")
            ) % {"keys": named, "known": close[0]}
        else:
            error = (
                gettext("Unknown settings %(keys)s.")
                if within is None
                else gettext("Unknown approvers settings %(keys)s.")
            ) % {"keys": named}
        errors.append(error)
    return errors


class LevelListSerializer(serializers.ListSerializer):
    """The levels as one list of reasons, every level's in order, as the console shows them beside its rows."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError(gettext("The approval levels must be a list."))
        if problem := levels_count_error(len(data)):
            raise serializers.ValidationError(problem)
        levels, errors = [], []
        for index, item in enumerate(data):
            if isinstance(item, dict) and "position" not in item:
                item = {**item, "position": index + 1}
            number = item["position"] if isinstance(item, dict) and isinstance(item["position"], int) else index + 1
            try:
                levels.append(self.child.run_validation(item))
            except serializers.ValidationError as err:
                reasons = _messages(err.detail)
                errors += [gettext("Level %(number)s: %(reason)s") % {"number": number, "reason": r} for r in reasons]
        if not errors and (problem := duplicate_positions_error(level["position"] for level in levels)):
            errors.append(problem)
        if errors:
            raise serializers.ValidationError(errors)
        return sorted(levels, key=lambda level: level["position"])


class ApproversSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    groups = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    users = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    def to_representation(self, level):
        return {
            "roles": list(level.roles),
            "groups": sorted(group.name for group in level.groups.all()),
            "users": sorted(str(person.pk) for person in level.users.all()),
        }


class WorkflowLevelSerializer(serializers.ModelSerializer):
    approvers = ApproversSerializer(source="*")
    # Plain types here; the model's validators judge the values, as in the console.
    position = serializers.IntegerField()
    name = serializers.CharField(required=False, allow_blank=True, default="")
    required_approvals = serializers.IntegerField(required=False, default=1)

    class Meta:
        model = WorkflowLevel
        fields = ["position", "name", "approvers", "required_approvals"]
        list_serializer_class = LevelListSerializer

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(gettext("A level must be an object."))
        if unknown := _unknown_keys(data):
            raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)

    def validate(self, attrs):
        workflow = self.root.instance
        tenant = workflow.tenant if workflow is not None else self.context["request"].user.tenant
        # A level is sent whole, in a PATCH of its workflow too (where DRF leaves out the defaults).
        attrs = {"name": "", "roles": [], "users": [], "groups": [], "required_approvals": 1, **attrs}
        fields = {key: attrs[key] for key in ("position", "name", "roles", "required_approvals")}
        errors = []
        try:
            WorkflowLevel(**fields).full_clean(exclude=["workflow"], validate_unique=False, validate_constraints=False)
        except DjangoValidationError as err:
            errors += err.messages
        try:
            people, groups = level_approvers(tenant, roles=attrs["roles"], users=attrs["users"], groups=attrs["groups"])
        except DjangoValidationError as err:
            errors += err.messages
        if errors:
            raise serializers.ValidationError(get_error_detail(DjangoValidationError(errors)))
        return {**fields, "users": people, "groups": groups}
