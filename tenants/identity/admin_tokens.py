"""The console's integration tokens: make one (its secret shown on the next page only), see each one's last use,
revoke; and "Sign out everywhere" of one's own API sign-ins. A tenant admin sees the tenant's tokens, anyone
else their own (IntegrationToken.objects.for_user)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from unfold.admin import ModelAdmin
from unfold.decorators import action as unfold_action

from core.errors import WalkerError
from tenants.identity import api_tokens, integration_tokens
from tenants.identity.signin.sessions import end_other_sessions
from tenants.models import IntegrationToken

# Raw refresh tokens are not for reading in a console: they are revoked through sign-out, not looked at.
for _model in (OutstandingToken, BlacklistedToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class NewIntegrationTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"), help_text=_("What uses it, e.g. “CRM sync”."))
    scopes = forms.MultipleChoiceField(
        choices=IntegrationToken.Scope.choices, widget=forms.CheckboxSelectMultiple, label=_("Scopes")
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=integration_tokens.MAX_DAYS,
        initial=integration_tokens.DEFAULT_DAYS,
        label=_("Days until it expires"),
    )


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(ModelAdmin):
    list_display = ["name", "owner", "scopes", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    ordering = ["-created_at"]
    fields = list_display
    readonly_fields = list_display
    actions = ["revoke"]
    actions_list = ["sign_out_everywhere"]  # a button above the list

    def get_queryset(self, request):
        return IntegrationToken.objects.for_user(request.user).select_related("owner")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        revoked = sum(integration_tokens.revoke_token(token) for token in queryset)
        messages.success(request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
                         % {"count": revoked})  # fmt: skip

    def add_view(self, request, form_url="", extra_context=None):
        """The form; once made, the secret is shown on this answer only (never in a message or a redirect)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewIntegrationTokenForm(request.POST or None)
        secret = None
        if request.method == "POST" and form.is_valid():
            try:
                token, secret = integration_tokens.create_token(request.user, **form.cleaned_data)
            except WalkerError as refused:
                form.add_error(None, refused.detail)
            else:
                self.log_addition(request, token, [{"added": {}}])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "secret": secret,
            "title": gettext("New integration token"),
        }
        return TemplateResponse(request, "admin/tenants/integrationtoken/new.html", context)

    @unfold_action(description=_("Sign out everywhere"), url_path="sign-out-everywhere")
    def sign_out_everywhere(self, request):
        """GET asks; POST revokes every API sign-in (refresh token) of the viewer and ends their other browser
        sessions (their sockets close). This console session stays."""
        if not self.has_module_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            count = api_tokens.revoke_all(request.user)
            messages.success(request, ngettext("%(count)d API sign-in ended.", "%(count)d API sign-ins ended.", count)
                             % {"count": count})  # fmt: skip
            ended = end_other_sessions(request.user, request.session.session_key)
            messages.success(request, ngettext("%(count)d other session ended.", "%(count)d other sessions ended.",
                                               ended) % {"count": ended})  # fmt: skip
            return HttpResponseRedirect(reverse("admin:tenants_integrationtoken_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Sign out everywhere"),
        }
        return TemplateResponse(request, "admin/tenants/integrationtoken/sign_out_everywhere.html", context)
