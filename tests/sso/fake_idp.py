"""A fake OpenID Connect provider on 127.0.0.1 (pytest-httpserver): discovery, its signing keys, authorize (records
the request and answers with a code for the scripted person), token (checks the client secret, the code's
redirect URI and the PKCE S256 verifier), an RS256 ID token carrying the sign-in's nonce, and user info.

Scripted misbehaviour: `tamper` (claims written over the ID token's: another nonce, audience, issuer, expiry),
`foreign_key` (signed with a key the provider does not publish, under the same kid) and `endpoints` (written over
the configuration's: a token endpoint that redirects, keys or user info at an address Walker may not reach).
"""

import base64
import hashlib
import json
import secrets
import time
from functools import cache
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug import Response

KID = "fake-key-1"


@cache
def _private_key(name: str):
    """A 2048-bit key per name, made once per process: making two took each test a quarter of a second."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeIdP:
    def __init__(self, server, *, client_id="walker-client", client_secret="s3cret-from-the-idp"):
        self.server = server
        self.client_id, self.client_secret = client_id, client_secret
        self.key, self.foreign = _private_key("published"), _private_key("foreign")
        self.person = {"sub": "user-1", "email": "ana@acme.test", "email_verified": True, "given_name": "Ana"}
        self.tamper: dict = {}
        self.foreign_key = False
        self.endpoints: dict = {}
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        server.expect_request("/.well-known/openid-configuration").respond_with_handler(self.configuration)
        server.expect_request("/jwks").respond_with_handler(self.jwks)
        server.expect_request("/authorize").respond_with_handler(self.authorize)
        server.expect_request("/token", method="POST").respond_with_handler(self.token)
        server.expect_request("/userinfo").respond_with_handler(self.userinfo)

    @property
    def issuer(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def configuration(self, request):
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "id_token_signing_alg_values_supported": ["RS256"],
                **self.endpoints,
            }
        )

    def jwks(self, request):
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return _json({"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]})

    def authorize(self, request):
        args = request.args.to_dict()
        self.authorize_requests.append(args)
        if args.get("client_id") != self.client_id or args.get("response_type") != "code":
            return _json({"error": "invalid_request"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**args, "person": dict(self.person)}
        location = f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}"
        return Response(status=302, headers={"Location": location})

    def _client_ok(self, request) -> bool:
        form = request.form
        if "client_secret" in form:
            return form.get("client_id") == self.client_id and form["client_secret"] == self.client_secret
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Basic":
            return False
        given_id, _, given_secret = base64.b64decode(encoded).decode().partition(":")
        return given_id == self.client_id and given_secret == self.client_secret

    def token(self, request):
        form = request.form.to_dict()
        self.token_requests.append(form)
        if not self._client_ok(request):
            return _json({"error": "invalid_client"}, 401)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant.get("code_challenge_method") != "S256" or challenge != grant.get("code_challenge"):
            return _json({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        person = grant["person"]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.get("nonce"),
            **{key: person[key] for key in ("sub", "email", "email_verified") if key in person},
            **self.tamper,
        }
        signer = self.foreign if self.foreign_key else self.key
        id_token = jwt.encode(claims, signer, algorithm="RS256", headers={"kid": KID})
        access = secrets.token_urlsafe(16)
        self.access_tokens[access] = person
        return _json({"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token})

    def userinfo(self, request):
        scheme, _, access = request.headers.get("Authorization", "").partition(" ")
        person = self.access_tokens.get(access) if scheme == "Bearer" else None
        if person is None:
            return _json({"error": "invalid_token"}, 401)
        return _json(person)


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")
