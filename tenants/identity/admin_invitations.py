"""The console's invitations: "Invite" instead of typing a colleague's password, the list with each one's status,
resend and revoke (tenants.identity.invitations holds the rules)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from tenants.admin_scoping import TenantScopedAdminMixin
from tenants.identity import invitations
from tenants.models import Invitation, Tenant
from tenants.roles import Role


class InviteForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.none(), label=_("Tenant"))
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(label=_("Language"), help_text=_("Of the invitation email and of the account."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        grantable = invitations.grantable_roles(user)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in grantable]
        self.fields["role"].initial = Role.MEMBER
        self.fields["language"].choices = [  # each named in the reader's language ("Inglés")
            (code, get_language_info(code)["name_translated"]) for code, _name in settings.LANGUAGES
        ]
        self.fields["language"].initial = invitations.language_or_default(user.language)
        if user.is_superuser:
            self.fields["tenant"].queryset = Tenant.objects.order_by("name")
        else:
            del self.fields["tenant"]  # a tenant admin invites into their own tenant only


@admin.register(Invitation)
class InvitationAdmin(TenantScopedAdminMixin, ModelAdmin):
    list_display = ["email", "role", "tenant", "status_shown", "invited_by", "sent_at", "expires_at"]
    list_filter = ["role"]
    list_select_related = ["tenant", "invited_by"]
    search_fields = ["=email"]
    search_help_text = _("An exact email address.")
    fields = ["email", "tenant", "role", "language", "invited_by", "created_at", "sent_at", "sends", "expires_at"]
    readonly_fields = [*fields, "accepted_at", "accepted_by", "revoked_at"]
    actions = ["resend", "revoke"]

    def get_fields(self, request, obj=None):
        return [*self.fields, "accepted_at", "accepted_by", "revoked_at"]

    def get_queryset(self, request):
        return invitations.invitations_for(request.user).select_related("tenant", "invited_by")

    def _invites(self, request) -> bool:
        """Who sees invitations in the console: those who may add people. A model permission, which Django keeps
        for the request (every page's app list and sidebar ask four times); `tenants.identity.invitations` checks the
        tenant's own right (guardian) on every invitation sent, resent or revoked."""
        return request.user.has_perm("tenants.add_user")

    def has_module_permission(self, request):
        return self._invites(request)

    def has_view_permission(self, request, obj=None):
        return self._invites(request)

    def has_add_permission(self, request):
        return self._invites(request)

    def has_change_permission(self, request, obj=None):
        return self._invites(request) and obj is None  # the actions; a sent invitation is not edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of who was invited stays

    @display(description=_("status"), label=True)
    def status_shown(self, invitation):
        return invitation.Status(invitation.status_at(timezone.now())).label

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            tenant = data.get("tenant") or request.user.tenant
            try:
                invitations.invite(request.user, tenant, data["email"], data["role"], data["language"])
            except invitations.InvitationError as refused:
                form.add_error(None, refused.detail)
            else:
                messages.success(request, gettext("The invitation is on its way."))
                return HttpResponseRedirect(reverse("admin:tenants_invitation_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": gettext("Invite someone"),
        }
        return TemplateResponse(request, "admin/tenants/invitation/new.html", context)

    @admin.action(description=_("Resend the invitation (a new link)"), permissions=["change"])
    def resend(self, request, queryset):
        self._each(request, queryset, invitations.resend, gettext("%(count)d invitations sent again."))

    @admin.action(description=_("Revoke (the link stops working)"), permissions=["change"])
    def revoke(self, request, queryset):
        self._each(request, queryset, invitations.revoke, gettext("%(count)d invitations revoked."))

    def _each(self, request, queryset, service, done_message):
        done = 0
        for invitation in queryset:
            try:
                service(request.user, invitation.pk)
            except invitations.InvitationError as refused:
                self.message_user(request, f"{invitation}: {refused.detail}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done})
