"""Walker's allauth social-account adapter: the tenants' providers as apps, the admission rules, and accounts made
just in time without allauth's EmailAddress rows (addresses are never kept in clear)."""

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.db import IntegrityError, transaction

from tenants.identity import invitations
from tenants.identity.sso import admission, failures, social_apps
from tenants.models import User


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        return social_apps.list_apps(provider, client_id)

    def pre_social_login(self, request, sociallogin):
        admission.admit(request, sociallogin)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        """The admission rules decided: an address of the tenant's domains, no account yet. Unless the same
        person's other sign-in made the account since: allauth would then send this one to a signup form, which
        Walker does not have (a server error), so it is refused as a sign-in that raced."""
        if User.objects.filter(email__iexact=sociallogin.user.email).exists():
            admission.refuse_raced(request)
        return True

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True  # no signup form: the account is made from what the provider said

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.first_name, user.last_name = user.first_name[:150], user.last_name[:150]
        return user

    def save_user(self, request, sociallogin, form=None):
        """The account (no usable password) and its link to the provider account. `connect=True` is allauth's way
        of saving without setting up EmailAddress rows, which would keep the address in clear."""
        user = sociallogin.user
        user.set_unusable_password()
        try:
            with transaction.atomic():
                sociallogin.save(request, connect=True)
                invitations.accept_by_single_sign_on(user)  # invited first: the invitation is used up
        except IntegrityError:  # the same person's other sign-in made the account a moment ago
            admission.refuse_raced(request)
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        failures.stop_with_page(request, error, exception)
