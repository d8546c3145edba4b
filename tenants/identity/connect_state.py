"""The state of a "Connect" button's OAuth flow (Google Ads, Meta, "Add to Slack"): bound to the tenant and the admin
who pressed it, good once, for `CONNECT_FLOW_MINUTES`, in the browser that started it.

The `state` sent to the provider is signed and names the tenant, the admin and a flow id; the session keeps the
flow itself (PKCE's code verifier, what the admin asked for), so a forged state fails the signature, an old one its
age, a replayed one finds no flow, and one started by another admin or tenant does not match who comes back. What
the provider answered (a token, the accounts to pick from) waits in the session encrypted (`hold`) until the admin
picks; tokens never travel in a URL or a form.
"""

import json
import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _
from oauthlib.oauth2 import WebApplicationClient

from tenants import crypto

FLOWS = "connect_flows"
HELD = "connect_held"
SALT = "walker.connect.state"
VERIFIER_LENGTH = 64  # RFC 7636 §4.1: 43 to 128 characters


class StateRefused(Exception):
    """The answer cannot be taken: the message says why in plain words, and what to do."""


@dataclass(frozen=True)
class Flow:
    provider: str
    verifier: str = ""
    data: dict = field(default_factory=dict)

    @property
    def challenge(self) -> str:
        """PKCE's S256 code challenge of the verifier (RFC 7636 §4.2)."""
        return WebApplicationClient("").create_code_challenge(self.verifier, "S256") if self.verifier else ""


def _max_age() -> int:
    return settings.CONNECT_FLOW_MINUTES * 60


def _kept(request, key: str) -> dict:
    """The session's entries under `key` that are still young enough (older ones are dropped)."""
    now = time.time()
    entries = {k: v for k, v in request.session.get(key, {}).items() if now - v["at"] <= _max_age()}
    request.session[key] = entries
    return entries


def begin(request, provider: str, *, pkce: bool, data: dict | None = None) -> tuple[str, Flow]:
    """A new flow for the signed-in admin: the `state` to send and the flow (its code challenge when `pkce`)."""
    flow_id = secrets.token_urlsafe(16)
    verifier = WebApplicationClient("").create_code_verifier(VERIFIER_LENGTH) if pkce else ""
    flows = _kept(request, FLOWS)
    flows[flow_id] = {"provider": provider, "verifier": verifier, "data": data or {}, "at": time.time()}
    request.session.modified = True
    user = request.user
    state = signing.dumps({"f": flow_id, "p": provider, "t": str(user.tenant_id), "u": str(user.pk)}, salt=SALT)
    return state, Flow(provider, verifier, data or {})


def finish(request, provider: str, state: str) -> Flow:
    """The flow `state` names, taken (once) for the admin who comes back; StateRefused otherwise."""
    try:
        payload = signing.loads(state or "", salt=SALT, max_age=_max_age())
    except signing.SignatureExpired:
        raise StateRefused(_("This connection took too long to finish. Start again from the button.")) from None
    except signing.BadSignature:
        raise StateRefused(_("This answer did not come from a connection started here. Start again.")) from None
    user = request.user
    if payload.get("p") != provider:
        raise StateRefused(_("This answer did not come from a connection started here. Start again."))
    if payload.get("t") != str(user.tenant_id) or payload.get("u") != str(user.pk):
        raise StateRefused(
            _("This connection was started by someone else, or for another tenant. Start again from the button.")
        )
    flow = _kept(request, FLOWS).pop(payload.get("f"), None)
    request.session.modified = True
    if flow is None:
        raise StateRefused(_("This connection was already finished or abandoned. Start again from the button."))
    return Flow(provider, flow["verifier"], flow["data"])


def hold(request, provider: str, answer: dict) -> str:
    """Keep what the provider answered (tokens among it) encrypted in the session; the id to find it with."""
    hold_id = secrets.token_urlsafe(16)
    held = _kept(request, HELD)
    held[hold_id] = {"provider": provider, "answer": crypto.encrypt(json.dumps(answer)), "at": time.time()}
    request.session.modified = True
    return hold_id


def held(request, provider: str, hold_id: str, *, take: bool = False) -> dict:
    """What `hold` kept under `hold_id` for `provider`; taken (gone) when `take`. StateRefused when it is not there."""
    entries = _kept(request, HELD)
    entry = entries.get(hold_id)
    if entry is None or entry["provider"] != provider:
        raise StateRefused(_("This list of accounts is no longer available. Start again from the button."))
    if take:
        del entries[hold_id]
        request.session.modified = True
    return json.loads(crypto.decrypt(entry["answer"]))
