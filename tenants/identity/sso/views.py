"""The sign-in step "Sign in with your company account", and allauth's OpenID Connect login and callback views run
with Walker's adapter (allauth's own views build allauth's adapter, which would skip Walker's ID-token checks)."""

from allauth.account.internal.decorators import login_not_required
from allauth.account.utils import get_next_redirect_url
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tenants.identity.sso import admission, failures
from tenants.identity.sso.discovery import DiscoveryError
from tenants.identity.sso.domains import domain_of, provider_for_email
from tenants.identity.sso.provider import TenantOIDCAdapter


class CompanySignInForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Work email"), max_length=254)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        self.provider = provider_for_email(email)
        if self.provider is None:
            raise forms.ValidationError(
                _("No company sign-in is set up for %(domain)s addresses: sign in with your password.")
                % {"domain": domain_of(email)}
            )
        return email


@login_not_required
@require_http_methods(["GET", "POST"])
def company_sign_in(request):
    """Asks for the work email, finds its tenant's provider by the domain and sends the browser there."""
    form = CompanySignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = get_adapter(request).get_provider(request, form.provider.provider_id)
        try:
            return provider.redirect(
                request,
                AuthProcess.LOGIN,
                next_url=get_next_redirect_url(request),
                auth_params={"login_hint": form.cleaned_data["email"]},
            )
        except DiscoveryError as err:
            return _unusable_provider(request, err)
    return render(request, "account/company_sign_in.html", {"form": form, "next": get_next_redirect_url(request)})


@login_not_required
def sign_up_raced(request):
    """Where allauth sends a sign-in whose address got its account after the admission rules let it in: the same
    person's other sign-in made it a moment before. Walker has no signup form: this is the raced refusal (403)."""
    try:
        admission.refuse_raced(request)
    except ImmediateHttpResponse as refused:
        return refused.response


@login_not_required
def oidc_login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(TenantOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    except DiscoveryError as err:
        return _unusable_provider(request, err)


@login_not_required
def oidc_callback(request, provider_id):
    """allauth's callback; it reads the configuration (the token endpoint) before its own error handling, so a
    provider that became unusable since the sign-in began is met here."""
    try:
        return OAuth2CallbackView.adapter_view(TenantOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    except DiscoveryError as err:
        return _unusable_provider(request, err)


def _unusable_provider(request, err: DiscoveryError):
    """The provider's configuration cannot be used (unreachable, refused by tenants.outbound, malformed)."""
    return failures.page(
        request, _("Your company's sign-in provider cannot be reached or is not set up correctly."), str(err), 400
    )
