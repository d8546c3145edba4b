"""OpenAPI: who may read the schema, and the post-processing that documents the errors Walker answers with."""

from django.conf import settings
from rest_framework.permissions import BasePermission


class SchemaReaders(BasePermission):
    """The schema and its docs page: signed-in staff, or anyone where API_SCHEMA_PUBLIC (on by default with DEBUG)."""

    def has_permission(self, request, view):
        user = request.user
        return settings.API_SCHEMA_PUBLIC or bool(user and user.is_authenticated and user.is_staff)


ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'A refusal: `{"code", "detail"}`, or field errors by name (`{"<field>": ["..."]}`) for invalid input.'
    ),
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "additionalProperties": True,
}
ALWAYS = {
    "400": "Invalid input, with the reason (field errors, or code and detail).",
    "401": "Not signed in.",
    "403": "Signed in, but not allowed.",
    "404": "No such object for you (another tenant's answers the same).",
    "429": "Too many requests (throttled) or a locked-out login; try again later.",
}
WRITES = {"409": "The object is not in the state the operation needs (e.g. already decided)."}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error answers of every operation, with one Error schema;
    and an empty choice filter (`?role=`) is declared for what it is, no filter."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = {**ALWAYS, **(WRITES if method in ("post", "put", "patch", "delete") else {})}
            for code, description in codes.items():
                operation["responses"].setdefault(code, {"description": description, "content": error})
            for parameter in operation.get("parameters", []):
                choices = parameter.get("schema", {}).get("enum")
                if parameter["in"] == "query" and choices and "" not in choices:
                    parameter["schema"]["enum"] = [*choices, ""]
    return result
