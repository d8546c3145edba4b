"""The JSON Schema of a tenant-defined action type's args, and the args an agent sends: draft 2020-12, bounded.

A schema is checked once, when a tenant admin registers it: it must be a draft 2020-12 schema of an object,
no bigger than MAX_SCHEMA_BYTES nor deeper than MAX_SCHEMA_DEPTH, and every `$ref` in it must point to a part of
it that exists (jsonschema never fetches a remote one, but would fail on it, or on a missing part, at validation
time). Args are checked each time they arrive or an approver edits them: their size and depth first, so a huge or
deep body costs nothing more.
"""

import json

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from agents.action_specs.base import misfit

DRAFT = "https://json-schema.org/draft/2020-12/schema"
MAX_SCHEMA_BYTES = 32 * 1024
MAX_SCHEMA_DEPTH = 16  # each level of args nesting takes two in the schema ("properties", then the field)
MAX_ARGS_BYTES = 64 * 1024
MAX_ARGS_DEPTH = 8
REFERENCES = ("$ref", "$dynamicRef")


def size(value) -> int:
    """Bytes of `value` as compact UTF-8 JSON."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def depth(value) -> int:
    """How deep objects and arrays nest in `value` ({"a": 1} is 1, a bare number 0); walked without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def schema_problem(schema) -> str | None:
    """Why `schema` cannot describe an action type's args, in words; None when it can."""
    if not isinstance(schema, dict):
        return _("The schema must be a JSON object.")
    if size(schema) > MAX_SCHEMA_BYTES:
        return _("The schema may be at most %(bytes)s bytes.") % {"bytes": MAX_SCHEMA_BYTES}
    if depth(schema) > MAX_SCHEMA_DEPTH:
        return _("The schema may nest at most %(depth)s levels deep.") % {"depth": MAX_SCHEMA_DEPTH}
    if schema.get("$schema", DRAFT) != DRAFT:
        return _("The schema must be JSON Schema draft 2020-12 (%(draft)s).") % {"draft": DRAFT}
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "top"
        return _("Not a valid JSON Schema (%(where)s): %(problem)s") % {"where": where, "problem": error.message}
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict) or not schema["properties"]:
        return _('The schema must describe an object: "type": "object" with its "properties".')
    references = list(_references(schema))
    if remote := next((ref for ref in references if not ref.startswith("#")), None):
        return _("The schema may only refer to its own parts (“#…”), not to “%(ref)s”.") % {"ref": remote}
    resolver = Registry().resolver_with_root(DRAFT202012.create_resource(schema))
    for ref in references:
        try:
            resolver.lookup(ref)
        except Unresolvable:
            return _("The schema refers to “%(ref)s”, which it does not hold.") % {"ref": ref}
    return None


def args_problem(schema: dict, args) -> str | None:
    """Why `args` do not fit `schema` (a checked one), in words; None when they do."""
    if size(args) > MAX_ARGS_BYTES:
        return _("The args may be at most %(bytes)s bytes.") % {"bytes": MAX_ARGS_BYTES}
    if depth(args) > MAX_ARGS_DEPTH:
        return _("The args may nest at most %(depth)s levels deep.") % {"depth": MAX_ARGS_DEPTH}
    try:
        error = best_match(Draft202012Validator(schema).iter_errors(args))
    except Unresolvable as unresolvable:  # a reference inside a part the registration check could not reach
        return _("The action type's schema cannot be followed: %(problem)s") % {"problem": unresolvable}
    return misfit(error) if error is not None else None


def types_of(field_schema) -> set[str]:
    """The JSON types a field's schema allows ("type": "string" or a list of them); empty when it names none."""
    declared = field_schema.get("type") if isinstance(field_schema, dict) else None
    if isinstance(declared, str):
        return {declared}
    return {kind for kind in declared if isinstance(kind, str)} if isinstance(declared, list) else set()


def _references(schema):
    """Every `$ref` and `$dynamicRef` the schema holds, anywhere in it."""
    pending = [schema]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in REFERENCES and isinstance(value, str):
                    yield value
                pending.append(value)
        elif isinstance(item, list):
            pending.extend(item)
