"""The authorization code exchanged at the provider's token endpoint through tenants.outbound.

allauth's OAuth2Client posts with a requests session that follows redirects, so a token endpoint answering 307 had
Walker post the client secret, the code and the PKCE verifier on to wherever it pointed, an internal address too.
Here the POST goes to the checked endpoint only (public addresses or OUTBOUND_ALLOWED_NETWORKS, resolved and checked
at connect time), a redirect is an error and is never followed, and every failure is an OAuth2Error in plain words.
"""

import json

import httpx
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from django.utils.translation import gettext as _

from tenants.identity.sso.discovery import provider_request

TIMEOUT_SECONDS = 10


class GuardedOAuth2Client(OAuth2Client):
    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None) -> dict:
        url = self.access_token_url
        data = {"redirect_uri": self.callback_url, "grant_type": "authorization_code", "code": code}
        auth = None
        if self.basic_auth:
            auth = httpx.BasicAuth(self.consumer_key, self.consumer_secret)
        else:
            data.update({self.client_id_parameter: self.consumer_key, "client_secret": self.consumer_secret})
        data.update(extra_data or {})
        if pkce_code_verifier:
            data["code_verifier"] = pkce_code_verifier
        response = _post(url, data=data, auth=auth, headers={"Accept": "application/json", **(self.headers or {})})
        if response.is_redirect:
            raise OAuth2Error(
                _(
                    "The token endpoint %(url)s answered with a redirect (HTTP %(status)s); Walker does not follow it "
                    "with the client secret: set the provider's real token endpoint."
                )
                % {"url": url, "status": response.status_code}
            )
        try:
            answer = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            answer = None
        if response.status_code not in (200, 201) or not isinstance(answer, dict) or "access_token" not in answer:
            error = answer.get("error") if isinstance(answer, dict) else None
            raise OAuth2Error(
                _("The token endpoint %(url)s refused the sign-in (HTTP %(status)s%(error)s).")
                % {"url": url, "status": response.status_code, "error": f", {error}" if error else ""}
            )
        return answer


def _post(url: str, **kwargs) -> httpx.Response:
    return provider_request("POST", url, error=OAuth2Error, timeout=TIMEOUT_SECONDS, **kwargs)
