"""The ID token's checks, all of them on every sign-in: signature (the provider's published keys, asymmetric
algorithms only), issuer, audience, expiry and the nonce this sign-in sent.

allauth 65.21's OpenID Connect adapter skips the signature when the token came from the token endpoint (the
specification allows it over TLS) and sends no nonce; Walker checks both (tenants.identity.sso.provider).
"""

import hmac

import jwt
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.utils.crypto import salted_hmac

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_SECONDS = 60  # clocks drift between Walker and the provider
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nonce"]


def nonce_for(state_id: str) -> str:
    """The nonce a sign-in sends: derived from its state id with Walker's secret key. allauth keeps the state in the
    session, bound to this browser and usable once, and hands the adapter the state id, not the state: deriving the
    nonce from it needs nothing stored beside it, and an ID token minted for another sign-in never matches."""
    return salted_hmac("tenants.sso.nonce", state_id, algorithm="sha256").hexdigest()


def verify(raw: str, *, keys: dict, issuer: str, client_id: str, nonce: str) -> dict:
    """The token's claims, or OAuth2Error saying which check failed."""
    try:
        kid = jwt.get_unverified_header(raw).get("kid")
        candidates = [key for key in jwt.PyJWKSet.from_dict(keys).keys if kid is None or key.key_id == kid]
        if not candidates:
            raise OAuth2Error("ID token: no signing key with its kid")
        claims = jwt.decode(
            raw,
            key=candidates[0].key,
            algorithms=ALGORITHMS,
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as err:
        raise OAuth2Error(f"ID token: {err}") from err
    if isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and claims.get("azp") != client_id:
        raise OAuth2Error("ID token: issued to another party (azp)")
    if not hmac.compare_digest(str(claims["nonce"]), nonce):
        raise OAuth2Error("ID token: the nonce is not this sign-in's")
    return claims
