"""Console forms that change the secrets a tenant holds (its action webhook secret and Slack URL, its ad platforms'
credentials) open only after a fresh second factor (docs/identity.md, "Step-up").

The page asks first, so nothing typed is lost to a re-authentication; a factor that grows stale while the form is
open refuses the save with a form error (the rest of the form stays as typed).
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenants.identity.signin import step_up

STALE = _(
    "Your second factor is older than this tenant allows for changing secrets; nothing was saved. Confirm it is you "
    "(Second factors, then re-authenticate) and save again."
)


class SecretsStepUpForm:
    """For the admin's form: `step_up_stale` is set by SecretsStepUpAdminMixin.get_form for the request."""

    step_up_stale = False

    def refuse_if_stale(self, changes_secrets: bool) -> None:
        if changes_secrets and self.step_up_stale:
            raise ValidationError(STALE, code="step_up_required")


class SecretsStepUpAdminMixin:
    """A ModelAdmin whose change form holds secrets: its page asks for a fresh second factor first."""

    def secrets_tenant(self, request, obj):
        """The tenant whose step-up policy applies: the row's."""
        return obj.tenant if obj is not None else request.user.tenant

    def shows_secrets(self, request, obj) -> bool:
        return True

    def step_up_stale(self, request, obj) -> bool:
        tenant = self.secrets_tenant(request, obj)
        if tenant is None or not self.shows_secrets(request, obj):
            return False
        return not step_up.satisfied(request, request.user, tenant)

    def ask_step_up(self, request):
        messages.info(request, step_up.asked_to_show(request.user, gettext("change this tenant's secrets")))
        return HttpResponseRedirect(step_up.step_up_url(request.user, request.get_full_path()))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            if self.step_up_stale(request, obj):
                return self.ask_step_up(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.step_up_stale = self.step_up_stale(request, obj)  # a class made for this request (modelform_factory)
        return form
