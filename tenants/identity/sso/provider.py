"""allauth's OpenID Connect provider, as Walker runs it (SOCIALACCOUNT_PROVIDERS' provider_class).

Stricter than allauth's own: the configuration, keys, token exchange and user info go through tenants.outbound
(tenants.identity.sso.discovery, tenants.identity.sso.token_exchange) and the configuration is checked,
every sign-in sends a nonce, and the ID token's signature and nonce are verified (tenants.identity.sso.id_tokens). The
account's extra data keeps only the issuer and subject: no email or name at rest.
"""

from functools import cached_property

from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import get_request_param
from django.utils.translation import gettext as _

from tenants.identity.sso import discovery, id_tokens
from tenants.identity.sso.token_exchange import GuardedOAuth2Client


class TenantOIDCAdapter(OpenIDConnectOAuth2Adapter):
    client_class = GuardedOAuth2Client  # the token exchange through tenants.outbound, no redirect followed

    @cached_property
    def openid_config(self) -> dict:
        return discovery.discover(self.get_provider().app.settings["server_url"])

    def complete_login(self, request, app, token, **kwargs):
        raw = kwargs["response"].get("id_token")
        if not raw:
            raise OAuth2Error("The provider sent no ID token.")
        config = self.openid_config
        claims = id_tokens.verify(
            raw,
            keys=discovery.signing_keys(config),
            issuer=config["issuer"],
            client_id=app.client_id,
            nonce=id_tokens.nonce_for(get_request_param(request, "state") or ""),
        )
        data = {"id_token": claims}
        if config.get("userinfo_endpoint"):
            userinfo = discovery.fetch_json(
                config["userinfo_endpoint"], _("the user info"), headers={"Authorization": f"Bearer {token.token}"}
            )
            if userinfo.get("sub") != claims["sub"]:
                raise OAuth2Error("The user info is about another subject than the ID token.")
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)


class TenantOIDCProvider(OpenIDConnectProvider):
    oauth2_adapter_class = TenantOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        """allauth's redirect, with a nonce derived from the state id chosen here (tenants.identity.sso.id_tokens)."""
        state_id = get_adapter().generate_state_param({})
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        kwargs["auth_params"] = {**auth_params, "nonce": id_tokens.nonce_for(state_id)}
        return super().redirect(request, process, next_url, data, state_id=state_id, **kwargs)

    def extract_extra_data(self, data):
        claims = data["id_token"]
        return {"iss": claims["iss"], "sub": claims["sub"]}

    def extract_email_addresses(self, data):
        """The provider's address, verified only when it says `email_verified` true (some send the string)."""
        source = data.get("userinfo") or data["id_token"]
        email = source.get("email")
        if not isinstance(email, str) or not email:
            return []
        said = source.get("email_verified", False)
        verified = said is True or (isinstance(said, str) and said.lower() == "true")
        return [EmailAddress(email=email.strip().lower(), verified=verified, primary=True)]
