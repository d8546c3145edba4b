from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Tenants and people")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tenants import log_context, signals  # noqa: F401  (connect the log context's and role groups' receivers)
        from tenants.identity.invitations import erase_invitations, export_invitations
        from tenants.identity.login_guard import erase_sign_ins, export_sign_ins
        from tenants.identity.signin import (
            receivers,  # noqa: F401  (a factor just added counts; sessions keep no address)
        )
        from tenants.identity.signin.sessions import erase_sessions, export_sessions
        from tenants.identity.sso.personal_data import erase_links, export_links
        from tenants.privacy.encrypted_columns import register_json_key
        from tenants.privacy.personal_data import register
        from tenants.privacy.subject_requests import erase_profile, export_profile

        # Invitations: found by the address too
        register("invitations", label=_("Invitations"), export=export_invitations, erase=erase_invitations)
        # Sign-ins: found by the address, so erased before it goes
        register("sign_ins", label=_("Sign-ins"), export=export_sign_ins, erase=erase_sign_ins, order=80)
        # Sessions: the browsers they sign in on
        register("sessions", label=_("Sessions"), export=export_sessions, erase=erase_sessions, order=85)
        register("single_sign_on", label=_("Single sign-on links"), export=export_links, erase=erase_links)
        # The profile last: the others find the person by it
        register("profile", label=_("Profile"), export=export_profile, erase=erase_profile, order=90)
        # Second factors' secrets (tenants.identity.signin.adapters.MFAAdapter encrypts them), rotated with the rest.
        register_json_key("mfa.Authenticator", "data", "secret")  # TOTP
        register_json_key("mfa.Authenticator", "data", "seed")  # recovery codes
