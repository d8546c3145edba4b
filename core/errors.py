"""One family of refusals, and the HTTP status each refusal's code answers with.

Every refusal Walker raises to a person or a program (access, decisions, takeover steps, messages that cannot be
taken in) is a `WalkerError`: a stable `code` for programs and a `detail` for people. `http_status(code)` is the
one code-to-status map: the API's exception handler (config.exceptions) and the views that answer a refusal
themselves all ask it.
"""

from http import HTTPStatus


class WalkerError(Exception):
    """Refused; nothing was changed. `code` is stable for programs, `detail` is for people."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


# Every code not named here answers 400: the request, as sent, is refused. The API and the webhooks (SendGrid's,
# Twilio's, the engines' tools URL) share the map.
DEFAULT_STATUS = HTTPStatus.BAD_REQUEST
STATUS_BY_CODE: dict[str, HTTPStatus] = {
    # Who is calling is not known: no credentials, or none that can be checked.
    "unauthorized": HTTPStatus.UNAUTHORIZED,
    "unsigned": HTTPStatus.UNAUTHORIZED,
    "not_configured": HTTPStatus.UNAUTHORIZED,
    # An API credential that was sent but is no longer good (tenants.identity.api_tokens,
    # tenants.identity.integration_tokens).
    "token_expired": HTTPStatus.UNAUTHORIZED,
    "token_revoked": HTTPStatus.UNAUTHORIZED,
    "token_not_valid": HTTPStatus.UNAUTHORIZED,
    "account_inactive": HTTPStatus.UNAUTHORIZED,
    # A password sign-in to the API that still owes its second factor (tenants.identity.signin.api_factor).
    "mfa_required": HTTPStatus.UNAUTHORIZED,
    # Outside what the caller may see at all: as if it did not exist.
    "not_found": HTTPStatus.NOT_FOUND,
    "unknown_number": HTTPStatus.NOT_FOUND,
    "unknown_tool": HTTPStatus.NOT_FOUND,
    # Seen, but not the caller's to do; or a signature that does not hold.
    "forbidden": HTTPStatus.FORBIDDEN,
    "wrong_tenant": HTTPStatus.FORBIDDEN,  # an invitation into another tenant than the inviter's
    "not_eligible": HTTPStatus.FORBIDDEN,
    "self_approval": HTTPStatus.FORBIDDEN,
    "decision_not_allowed": HTTPStatus.FORBIDDEN,  # not among the answers an outside agent's request allows
    "bad_signature": HTTPStatus.FORBIDDEN,
    "stale": HTTPStatus.FORBIDDEN,
    "replayed": HTTPStatus.FORBIDDEN,
    "step_up_required": HTTPStatus.FORBIDDEN,  # a fresh second factor first (tenants.identity.signin.step_up)
    "mfa_enrolment_required": HTTPStatus.FORBIDDEN,
    "mfa_passkey_only": HTTPStatus.FORBIDDEN,
    # The state does not allow it now: an approval's decisions and execution, a conversation's hold.
    "not_pending": HTTPStatus.CONFLICT,
    "already_decided": HTTPStatus.CONFLICT,
    "not_failed": HTTPStatus.CONFLICT,
    "not_executing": HTTPStatus.CONFLICT,
    "not_stuck": HTTPStatus.CONFLICT,
    "duplicate_edit": HTTPStatus.CONFLICT,
    "held_by_other": HTTPStatus.CONFLICT,
    "not_held": HTTPStatus.CONFLICT,
    "closed": HTTPStatus.CONFLICT,
    "connection_not_usable": HTTPStatus.CONFLICT,
    "idempotency_key_reused": HTTPStatus.CONFLICT,  # an approval request's key, sent again with other args
    "already_waiting": HTTPStatus.CONFLICT,  # the same action with the same args waits for a decision
    "result_already_reported": HTTPStatus.CONFLICT,  # an approval request's outcome, reported otherwise before
    "not_approved": HTTPStatus.CONFLICT,  # an outcome reported for a request not (or not yet) approved
    "runs_in_walker": HTTPStatus.CONFLICT,  # an outcome reported for an action Walker carries out itself
    "already_member": HTTPStatus.CONFLICT,  # an invitation for an address that has an account
    "already_invited": HTTPStatus.CONFLICT,  # an ad platform connection disconnected, paused or expired
    # What the caller holds is no longer good: a tools URL lasts one engine run.
    "run_ended": HTTPStatus.GONE,
    "expired": HTTPStatus.GONE,
    "used": HTTPStatus.GONE,  # an invitation link: accepted, withdrawn, or replaced by a newer email
    "revoked": HTTPStatus.GONE,
    "replaced": HTTPStatus.GONE,
    # Too much at once.
    "throttled": HTTPStatus.TOO_MANY_REQUESTS,
    "too_soon": HTTPStatus.TOO_MANY_REQUESTS,
    "too_large": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    "too_many_attachments": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    "too_many_attempts": HTTPStatus.TOO_MANY_REQUESTS,  # wrong second-factor codes (allauth's limit)
    "too_many_waiting": HTTPStatus.TOO_MANY_REQUESTS,  # a tenant's cap on requests from outside that wait
    "busy": HTTPStatus.SERVICE_UNAVAILABLE,  # no database connection in time (config.exceptions)
}


def http_status(code: str) -> HTTPStatus:
    return STATUS_BY_CODE.get(code, DEFAULT_STATUS)
