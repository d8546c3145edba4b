"""Model fields that keep personal data encrypted at rest, and the keyed hashes that find it again.

`EncryptedTextField` stores a Fernet token (tenants.crypto) and gives Python code the clear value. The
database cannot compare tokens (each encryption differs), so an encrypted email or phone has a sibling
`KeyedHashField` holding the HMAC of its normalised value; `exact`, `iexact` and `in` lookups on the
encrypted field are rewritten to compare that hash, so `User.objects.filter(email=...)` keeps working.
Any other lookup (contains, startswith, ordering by the value is meaningless too) is refused loudly.
"""

from django import forms
from django.core import validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, IsNull

from tenants import crypto

KINDS = ("email", "phone", "text")


def normalized(kind: str, value: str) -> str:
    """The form of a value its hash is taken of: emails ignore case, phones keep only + and digits."""
    value = value.strip()
    if kind == "email":
        return value.lower()
    if kind == "phone":
        return "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return value


def hash_of(kind: str, value: str | None) -> str:
    return crypto.keyed_hash(normalized(kind, value)) if value else ""


class EncryptedTextField(models.TextField):
    """A text value stored encrypted; `kind` says how it is validated and normalised for its hash."""

    def __init__(self, *args, kind: str = "text", hash_field: str | None = None, **kwargs):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self.kind, self.hash_field = kind, hash_field
        super().__init__(*args, **kwargs)
        if kind == "email":
            self.validators.append(validators.EmailValidator())

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.kind != "text":
            kwargs["kind"] = self.kind
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def formfield(self, **kwargs):
        if self.kind == "text":
            return super().formfield(**kwargs)
        form_class = forms.EmailField if self.kind == "email" else forms.CharField
        return models.Field.formfield(self, **{"form_class": form_class, "max_length": self.max_length, **kwargs})

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        if lookup_name in ("exact", "iexact"):
            return HashedExact
        if lookup_name == "in":
            return HashedIn
        raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: only exact matches can be looked up.")

    def get_transform(self, lookup_name):
        return None


class _HashedLookup:
    """Compare the encrypted column's keyed-hash sibling with the hash of the looked-up value."""

    prepare_rhs = False

    def _hash_column(self):
        field = self.lhs.output_field
        if not isinstance(self.lhs, Col) or not field.hash_field:
            raise FieldError(f"{field.model.__name__}.{field.name} is encrypted and has no hash to look it up by.")
        return Col(self.lhs.alias, field.model._meta.get_field(field.hash_field))

    def _hash(self, value):
        if not isinstance(value, str):
            raise FieldError(f"Look up {self.lhs.output_field.name} by a string, not {type(value).__name__}.")
        return hash_of(self.lhs.output_field.kind, value)


class HashedExact(_HashedLookup, Exact):
    def as_sql(self, compiler, connection):
        if self.rhs == "" and not self.lhs.output_field.hash_field:  # "" is stored as is
            return Exact(self.lhs, "").as_sql(compiler, connection)
        return Exact(self._hash_column(), self._hash(self.rhs)).as_sql(compiler, connection)


class HashedIn(_HashedLookup, In):
    def as_sql(self, compiler, connection):
        if not isinstance(self.rhs, list | tuple | set | frozenset):
            raise FieldError(f"{self.lhs.output_field.name}__in takes a list of values, not a query.")
        return In(self._hash_column(), [self._hash(v) for v in self.rhs]).as_sql(compiler, connection)


class KeyedHashField(models.CharField):
    """The keyed hash of an encrypted sibling field, kept in step on every save ("" when it is empty)."""

    def __init__(self, *args, of: str, **kwargs):
        self.of = of
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        source = model_instance._meta.get_field(self.of)
        value = hash_of(source.kind, getattr(model_instance, source.attname))
        setattr(model_instance, self.attname, value)
        return value


class HashedFieldsMixin:
    """Saving an encrypted field with `update_fields` also saves its hash."""

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            hashes = {
                field.name
                for field in self._meta.concrete_fields
                if isinstance(field, KeyedHashField) and field.of in update_fields
            }
            kwargs["update_fields"] = {*update_fields, *hashes}
        super().save(*args, **kwargs)
