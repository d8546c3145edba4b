"""allauth's SocialApp for each tenant's provider, built per request and never saved: the client secret is decrypted
into memory only, and allauth's SocialApp table stays empty."""

import uuid

from allauth.socialaccount.models import SocialApp

from tenants.models import IdentityProvider
from tenants.models.identity_providers import PROVIDER_ID_PREFIX

PROVIDER = "openid_connect"
TENANT_SETTING = "walker_tenant_id"  # which tenant's provider an app is (tenants.identity.sso.admission reads it)


def build_app(provider: IdentityProvider) -> SocialApp:
    return SocialApp(
        provider=PROVIDER,
        provider_id=provider.provider_id,
        name=provider.tenant.name,
        client_id=provider.client_id,
        secret=provider.client_secret,
        settings={
            "server_url": provider.issuer,
            "oauth_pkce_enabled": True,
            TENANT_SETTING: str(provider.tenant_id),
        },
    )


def list_apps(provider: str | None = None, client_id: str | None = None) -> list[SocialApp]:
    """The enabled tenants' apps: one when `provider` is a tenant's provider id, every one for "openid_connect" or
    None (allauth's provider listing), none for any other provider."""
    rows = IdentityProvider.objects.enabled().select_related("tenant")
    if provider and provider.startswith(PROVIDER_ID_PREFIX):
        rows = rows.filter(tenant_id=_tenant_id(provider))
    elif provider not in (None, PROVIDER):
        return []
    if client_id:
        rows = rows.filter(client_id=client_id)
    return [build_app(row) for row in rows]


def _tenant_id(provider_id: str) -> str | None:
    """The tenant id a provider id names, or None for one that is not a UUID (then nothing matches)."""
    try:
        return str(uuid.UUID(provider_id.removeprefix(PROVIDER_ID_PREFIX)))
    except ValueError:
        return None
