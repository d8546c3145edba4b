"""What can go wrong talking to Walker. A rejection is not here: it is a `Decision`, never an exception."""


class WalkerError(Exception):
    """Anything this package raises."""


class Refused(WalkerError):
    """Walker refused the call (4xx): retrying the same call gets the same answer.

    `code` is Walker's code (`idempotency_key_reused`, `already_waiting`, `not_approved`…), or `invalid` for field
    errors, which are in `fields` by name."""

    def __init__(self, status: int, code: str, detail: str, fields: dict | None = None):
        self.status, self.code, self.detail, self.fields = status, code, detail, fields or {}
        super().__init__(f"{status} {code}: {detail}")


class NotFound(Refused):
    """No such request in the token's tenant (or another tenant's: Walker answers both 404)."""


class Unavailable(WalkerError):
    """Walker could not be reached, or kept answering 429 or 5xx, after every retry."""


class DecisionTimeout(WalkerError):
    """No decision within the caller's timeout. The request still waits in Walker: wait again with its id."""

    def __init__(self, request_id: str):
        self.request_id = request_id
        super().__init__(f"No decision yet on approval request {request_id}.")
