"""What a tenant-defined action type must satisfy, asked by `TenantActionType.clean()` (the console and the API).

`problems(action_type)` returns {field: reason}; empty when the type may be saved. Each rule reads the stored
values as they are (maybe not yet cleaned by their own field), so none assumes a type it has not checked.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents import action_specs  # its SPECS read at call time: action_specs imports agents.models, which imports us
from agents.action_specs.base import MAX_NAME_LENGTH
from agents.tenant_actions import RunBy, schemas
from core import currencies

KEY_TAKEN = gettext_lazy("This tenant already has an action type with that key.")
NUMERIC = {"number", "integer", "string"}  # money: a number, or a number written as text ("250.00")


def site_language() -> str:
    return settings.LANGUAGE_CODE.split("-")[0]


def problems(action_type) -> dict[str, str]:
    found = {}
    if _key_changed(action_type):
        found["key"] = _("The key is fixed once the action type exists: register another type instead.")
    elif action_type.key in action_specs.WALKER_SPECS:
        found["key"] = _("“%(key)s” is one of Walker's own action types: choose another key.") % {
            "key": action_type.key
        }
    elif _taken(action_type):
        found["key"] = str(KEY_TAKEN)
    if problem := _names_problem(action_type.names):
        found["names"] = problem
    if problem := schemas.schema_problem(action_type.args_schema):
        found["args_schema"] = problem
        return found  # the field rules below read the schema's properties
    properties = action_type.args_schema["properties"]
    if problem := _editable_problem(action_type.editable_fields, properties):
        found["editable_fields"] = problem
    found.update(_money_problems(action_type, properties))
    if action_type.reach_field and (problem := _field_problem(action_type.reach_field, properties, {"integer"})):
        found["reach_field"] = problem
    if action_type.runs_by == RunBy.WEBHOOK and action_type.tenant_id and not action_type.tenant.action_webhook_url:
        found["runs_by"] = _("The tenant has no action webhook URL: set one on the tenant first.")
    return found


def _key_changed(action_type) -> bool:
    """Approvals name their type by key: a key changed under them would make them read as another type."""
    if action_type._state.adding:
        return False
    stored = type(action_type).objects.filter(pk=action_type.pk).values_list("key", flat=True).first()
    return stored is not None and stored != action_type.key


def _taken(action_type) -> bool:
    if not action_type.tenant_id:
        return False
    others = type(action_type).objects.filter(tenant_id=action_type.tenant_id, key=action_type.key)
    return others.exclude(pk=action_type.pk).exists()


def _names_problem(names) -> str | None:
    languages = dict(settings.LANGUAGES)
    if not isinstance(names, dict):
        return _('Names are an object of language and name, e.g. {"en": "Update a budget"}.')
    if unknown := sorted(set(names) - set(languages)):
        return _("Names in languages Walker does not speak: %(codes)s (it speaks %(known)s).") % {
            "codes": ", ".join(unknown),
            "known": ", ".join(languages),
        }
    for code, name in names.items():
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
            return _("The %(language)s name must be text of 1 to %(length)s characters.") % {
                "language": code,
                "length": MAX_NAME_LENGTH,
            }
    if site_language() not in names:
        return _(
            "A name in %(language)s is needed: it is what readers of a language without a name of its own read."
        ) % {"language": site_language()}
    return None


def _editable_problem(editable, properties: dict) -> str | None:
    if not isinstance(editable, list) or not all(isinstance(name, str) for name in editable):
        return _('Editable fields are a list of field names, e.g. ["amount"].')
    if len(set(editable)) != len(editable):
        return _("Each editable field is named once.")
    if missing := [name for name in editable if name not in properties]:
        return _("Not fields of the schema's properties: %(names)s.") % {"names": ", ".join(missing)}
    return None


def _money_problems(action_type, properties: dict) -> dict[str, str]:
    if not action_type.money_field:
        if action_type.currency or action_type.currency_field:
            return {"money_field": _("A currency is given, but no field carries money.")}
        return {}
    if problem := _field_problem(action_type.money_field, properties, NUMERIC):
        return {"money_field": problem}
    if bool(action_type.currency) == bool(action_type.currency_field):
        return {"currency": _("Give the money's currency, or the field carrying it: one of the two.")}
    if action_type.currency and not currencies.is_code(action_type.currency):
        return {"currency": _("“%(code)s” is not an ISO 4217 currency code.") % {"code": action_type.currency}}
    if action_type.currency_field and (problem := _field_problem(action_type.currency_field, properties, {"string"})):
        return {"currency_field": problem}
    return {}


def _field_problem(name: str, properties: dict, allowed: set[str]) -> str | None:
    """Why `name` cannot be the field: not a property of the schema, or of a type outside `allowed`."""
    if name not in properties:
        return _("“%(name)s” is not a field of the schema's properties.") % {"name": name}
    kinds = schemas.types_of(properties[name])
    if not kinds or not kinds <= allowed:
        return _("“%(name)s” must be of type %(types)s in the schema.") % {
            "name": name,
            "types": " or ".join(sorted(allowed)),
        }
    return None
