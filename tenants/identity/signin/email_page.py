"""A signed-in person changes their own email address: asked here with their password, confirmed from the link
sent to the new address (tenants.identity.email_change)."""

from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from core.errors import http_status
from tenants.identity import email_change
from tenants.pii import mask


class ChangeEmailForm(forms.Form):
    email = forms.EmailField(label=_("New email address"), max_length=254)
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.person.check_password(password):
            raise forms.ValidationError(gettext("That password is not right."), code="wrong_password")
        return password


@login_required
@sensitive_post_parameters("password")
def change_email(request):
    person = request.user
    form = ChangeEmailForm(request.POST or None, person=person)
    if request.method == "POST":
        if not ratelimit.consume(request, action="change_email", user=person):
            form.add_error(None, gettext("Too many changes asked; wait a while and try again."))
        elif form.is_valid():
            try:
                email_change.request_change(person, form.cleaned_data["email"])
            except email_change.EmailChangeError as error:
                form.add_error("email", error.detail)
            else:
                messages.success(
                    request,
                    gettext("If %(address)s can be used, a link to confirm it is on its way there.")
                    % {"address": mask(form.cleaned_data["email"])},
                )
                return redirect("email_change")
    context = {"form": form, "current": mask(person.email)}
    return TemplateResponse(request, "account/email_change_request.html", context)


@login_required
def confirm_email_change(request, token):
    """GET asks (mail scanners follow links); POST makes the change."""
    if request.method != "POST":
        return TemplateResponse(request, "account/email_change_confirm.html", {"token": token})
    try:
        address = email_change.confirm_change(request.user, token)
    except email_change.EmailChangeError as error:
        context = {"detail": error.detail, "code": error.code}
        status = int(http_status(error.code))
        return TemplateResponse(request, "account/email_change_confirm.html", context, status=status)
    messages.success(request, gettext("Your address is now %(address)s.") % {"address": address})
    return redirect("email_change")
