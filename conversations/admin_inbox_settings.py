"""The tenant's inbox settings in the console: labels for conversations and canned responses for the reply box.
Each tenant sees and edits only its own; a name or shortcut is unique within the tenant."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from conversations.canned_text import VARIABLES
from conversations.models import CannedResponse, Label
from tenants.admin_scoping import TenantOwnedAdmin


class UniquePerTenantAdmin(TenantOwnedAdmin):
    """The form refuses a `unique_field` value the tenant has already (the tenant is no field of the form, so
    Django's own check of the constraint is skipped and the database would refuse it with an error page)."""

    unique_field = ""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        field, model = self.unique_field, self.model

        class UniquePerTenantForm(form):
            def clean(self):
                cleaned = super().clean()
                tenant = cleaned.get("tenant") or request.user.tenant
                value = cleaned.get(field)
                if tenant is not None and value:
                    taken = model.objects.filter(tenant=tenant, **{field: value}).exclude(pk=self.instance.pk)
                    if taken.exists():
                        self.add_error(
                            field, gettext("This tenant has one named “%(value)s” already.") % {"value": value}
                        )
                return cleaned

        return UniquePerTenantForm


@admin.register(Label)
class LabelAdmin(UniquePerTenantAdmin):
    unique_field = "name"
    list_display = ["name", "swatch"]
    search_fields = ["name"]
    fields = ["name", "colour"]
    exclude = ["conversations"]  # put on conversations from the conversation's page

    @display(description=_("colour"))
    def swatch(self, obj):
        return format_html(
            '<span style="display:inline-block;width:1rem;height:1rem;border-radius:.25rem;background:{}"></span> {}',
            obj.colour,
            obj.colour,
        )


@admin.register(CannedResponse)
class CannedResponseAdmin(UniquePerTenantAdmin):
    unique_field = "shortcut"
    list_display = ["__str__", "body"]
    search_fields = ["shortcut", "body"]
    fields = ["shortcut", "body"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        names = ", ".join(f"{{{name}}}" for name in VARIABLES)
        kwargs["help_texts"] = {"body": gettext("Variables filled in when inserted: %(names)s.") % {"names": names}}
        return super().get_form(request, obj, change, **kwargs)
