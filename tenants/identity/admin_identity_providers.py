"""The console's single sign-on page: a tenant admin sets up their own tenant's OpenID Connect provider (a platform
superuser any tenant's), its email domains (each with its state and the TXT record that proves it, and "Verify
domains"), and tests its discovery (docs/identity.md, "Single sign-on")."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action as unfold_action

from core.widgets import secret_input
from tenants.admin_scoping import TenantOwnedAdmin
from tenants.identity.sso import discovery, domain_proof
from tenants.identity.sso.domains import claim_refusal
from tenants.models import IdentityProvider, SignInDomain


class IdentityProviderForm(forms.ModelForm):
    """The client secret is write-only: never shown back, and an empty field keeps the saved one."""

    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=500,
        widget=secret_input(),
        help_text=_(
            "Stored encrypted and never shown again: type one to replace the saved one, or leave empty to keep it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.pop("client_secret", None)

    def clean_client_secret(self):
        secret = self.cleaned_data["client_secret"] or self.instance.client_secret
        if not secret:
            raise forms.ValidationError(_("Type the client secret your provider gave Walker."))
        return secret


class SignInDomainForm(forms.ModelForm):
    """A domain this tenant may claim (tenants.identity.sso.domains.claim_refusal); proving it is the "Verify
    domains" step."""

    def clean_domain(self):
        domain = self.cleaned_data["domain"].strip().lower()
        refusal = claim_refusal(domain, self.tenant_id) if domain != self.initial.get("domain") else None
        if refusal:
            raise forms.ValidationError(refusal)
        return domain


class SignInDomainInline(TabularInline):
    model = SignInDomain
    form = SignInDomainForm
    extra = 1
    fields = ["domain", "state", "record"]
    readonly_fields = ["state", "record"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The claiming tenant: the provider's, or the admin's while the provider is new (a new class per call).
        formset.form.tenant_id = obj.tenant_id if obj is not None else request.user.tenant_id
        return formset

    @admin.display(description=_("state"))
    def state(self, row):
        if row.pk is None or row._state.adding:
            return ""
        if row.verified_at is None:
            return gettext("Not proven")
        return gettext("Proven %(date)s") % {"date": row.verified_at.date().isoformat()}

    @admin.display(description=_("TXT record to publish"))
    def record(self, row):
        """Where and what to publish, until it is proven."""
        if row.pk is None or row._state.adding or row.verified_at is not None:
            return ""
        return format_html(
            "<code>{}</code> {} <code>{}</code> {} <code>{}</code>",
            row.txt_record,
            gettext("at"),
            row.domain,
            gettext("or"),
            f"{domain_proof.WALKER_LABEL}.{row.domain}",
        )


@admin.register(IdentityProvider)
class IdentityProviderAdmin(TenantOwnedAdmin):
    form = IdentityProviderForm
    inlines = [SignInDomainInline]
    list_display = ["tenant", "issuer", "default_role", "password_sign_in_disabled", "enabled"]
    list_select_related = ["tenant"]
    fieldsets = [
        (None, {"fields": ["issuer", "client_id", "client_secret", "redirect_uri"]}),
        (_("Who signs in"), {"fields": ["default_role", "password_sign_in_disabled", "enabled"]}),
    ]
    readonly_fields = ["redirect_uri"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions_detail = ["test_discovery", "verify_domains"]

    @admin.display(description=_("redirect URI"))
    def redirect_uri(self, obj):
        """What the tenant registers at its provider for Walker's client."""
        if obj is None or obj.tenant_id is None:
            return gettext("Shown once saved.")
        return settings.PUBLIC_BASE_URL + reverse("openid_connect_callback", args=[obj.provider_id])

    def add_view(self, request, form_url="", extra_context=None):
        """One provider per tenant: a tenant admin whose tenant has one is taken to it. Checked here rather than in
        has_add_permission, which every page's app list and sidebar ask (a query each time)."""
        if not request.user.is_superuser:
            existing = IdentityProvider.objects.filter(tenant_id=request.user.tenant_id).first()
            if existing is not None:
                messages.info(request, gettext("Your company has its provider already: change it here."))
                return HttpResponseRedirect(reverse("admin:tenants_identityprovider_change", args=[existing.pk]))
        return super().add_view(request, form_url, extra_context)

    @unfold_action(description=_("Test discovery"), url_path="test-discovery", permissions=["change"])
    def test_discovery(self, request, object_id):
        """Reads the provider's configuration and keys, and says what was found or what is wrong."""
        provider = self.get_object(request, object_id)  # scoped: another tenant's provider is not found
        if provider is None:
            raise Http404(gettext("No such provider."))
        try:
            messages.success(request, discovery.check(provider.issuer))
        except discovery.DiscoveryError as err:
            messages.error(request, str(err))
        return HttpResponseRedirect(reverse("admin:tenants_identityprovider_change", args=[provider.pk]))

    @unfold_action(description=_("Verify domains"), url_path="verify-domains", permissions=["change"])
    def verify_domains(self, request, object_id):
        """Looks for each unproven domain's TXT record, and says per domain whether it is proven now or why not."""
        provider = self.get_object(request, object_id)  # scoped: another tenant's provider is not found
        if provider is None:
            raise Http404(gettext("No such provider."))
        unproven = list(provider.domains.filter(verified_at__isnull=True))
        if not unproven:
            messages.info(request, gettext("Every domain of this provider is proven."))
        for claim in unproven:
            try:
                domain_proof.prove(claim)
            except domain_proof.DomainProofRefused as err:
                messages.error(
                    request,
                    gettext("%(domain)s is not proven yet: %(reason)s") % {"domain": claim.domain, "reason": err},
                )
            else:
                messages.success(
                    request, gettext("%(domain)s is proven: its people sign in here now.") % {"domain": claim.domain}
                )
        return HttpResponseRedirect(reverse("admin:tenants_identityprovider_change", args=[provider.pk]))
