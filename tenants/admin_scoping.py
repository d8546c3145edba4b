"""The admin half of tenant scoping, shared by every tenant-owned model's admin, and the console's choices of a
tenant's people (workflows, approval previews, alert rules)."""

from django import forms
from django.http import Http404
from django.utils.translation import gettext
from unfold.admin import ModelAdmin

from tenants.models import User


def people_of(tenant):
    """The active people of the tenant (of any tenant for a superuser adding a workflow or a rule)."""
    people = User.objects.filter(is_active=True).select_related("tenant").order_by("first_name", "last_name", "pk")
    return people.filter(tenant=tenant) if tenant is not None else people.exclude(tenant=None)


def person_label(person) -> str:
    name = person.get_full_name()
    return name if name == person.email else f"{name} ({person.email})"


class PersonChoiceField(forms.ModelMultipleChoiceField):
    """People named as the console names them (person_label)."""

    def label_from_instance(self, person):
        return person_label(person)


class TenantScopedAdminMixin:
    """Rows, foreign-key choices and object URLs limited to the viewer's tenant.

    Another tenant's object by URL answers 404 (Django's admin would redirect
    with "doesn't exist", which still tells the viewer something was tried).
    """

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = db_field.remote_field.model._default_manager.all()
            if hasattr(choices, "for_user"):
                kwargs["queryset"] = choices.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(gettext("No %(name)s with id “%(id)s”.") % {"name": opts.verbose_name, "id": object_id})


class TenantOwnedAdmin(TenantScopedAdminMixin, ModelAdmin):
    """The admin of a model each tenant owns: scoped to the viewer's tenant, which is the row's tenant on save and
    not a field to fill. A superuser, who sees every tenant, picks it (first in the first fieldset, if declared)."""

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded if request.user.is_superuser else [*excluded, "tenant"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not (self.fieldsets and request.user.is_superuser):
            return fieldsets
        (title, options), *rest = fieldsets
        return [(title, {**options, "fields": ["tenant", *options["fields"]]}), *rest]

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.tenant_id = request.user.tenant_id
        super().save_model(request, obj, form, change)


class ShownAsMixin:
    """Show stored fields through display methods on the change page: `shown_as = {"agent_types": "agents"}` puts
    the method `agents` where the field `agent_types` was (codes and JSON read as words)."""

    shown_as: dict[str, str] = {}

    def get_fields(self, request, obj=None):
        return [self.shown_as.get(name, name) for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.shown_as.values()]


class ReadOnlyAdminMixin:
    """For records that change only through the product (or never): nobody adds, edits or deletes here."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
