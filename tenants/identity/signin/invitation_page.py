"""The page an invitation's link opens: the invitee sets a password and is signed in. The tenant's MFA policy then
sends them to enrol a second factor if their role needs one (tenants.identity.signin.enforcement), and on to the home
page."""

from allauth.account.internal.flows.login import record_authentication
from allauth.core import ratelimit
from django import forms
from django.contrib.auth import login, password_validation
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from core.errors import http_status
from tenants.identity import invitations
from tenants.models import User

BACKEND = "tenants.backends.TenantModelBackend"


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext("The two passwords differ."))
        elif first:
            person = User(
                email=self.invitation.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _refused(request, error, status=None):
    context = {"detail": error.detail, "code": error.code}
    return TemplateResponse(
        request, "account/invitation_refused.html", context, status=status or int(http_status(error.code))
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept_invitation(request, token):
    if request.user.is_authenticated:
        detail = gettext("You are signed in to another account: sign out, then open the invitation link again.")
        return _refused(request, invitations.InvitationError("signed_in", detail), status=409)
    if request.method == "POST" and not ratelimit.consume(request, action="accept_invitation"):
        detail = gettext("Too many attempts from here; wait a minute and try again.")
        return _refused(request, invitations.InvitationError("throttled", detail))
    try:
        invitation = invitations.invitation_for_token(token)
    except invitations.InvitationError as error:
        return _refused(request, error)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            person = invitations.accept(
                token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except invitations.InvitationError as error:
            return _refused(request, error)
        login(request, person, backend=BACKEND)
        # Recorded as allauth records its own password sign-in (what the session was signed in with).
        record_authentication(request, person, method="password", email=person.email)
        return redirect("home")
    context = {"form": form, "invitation": invitation, "role": invitation.get_role_display()}
    return TemplateResponse(request, "account/invitation_accept.html", context)
