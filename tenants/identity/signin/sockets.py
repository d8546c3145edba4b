"""The sockets a person has open (chat, console), closed when their sign-in ends (docs/chat-protocol.md, "Refusals").

Each socket joins its person's group and, when it was opened with a session cookie, its session's group; ending a
person's sessions or one session sends `signin.ended` to the group, and the sockets close with SESSION_ENDED.
The session's group is named by a hash of its key: the key itself is a credential and stays out of the layer.
"""

import hashlib

from core.layer import send_on_commit

SESSION_ENDED = 4401  # the same code as "not signed in": the client signs in again, retrying cannot help
MFA_REQUIRED = 4412  # the person's role needs a second factor this session has not shown
ENDED = {"type": "signin.ended"}


def person_group(user_id) -> str:
    return f"signin.person.{user_id}"


def session_group(session_key: str) -> str:
    return f"signin.session.{hashlib.sha256(session_key.encode()).hexdigest()[:48]}"


def close_persons_sockets(user_id) -> None:
    """After the transaction commits (a rolled-back change ends nothing), every socket of the person closes.
    Robust: a channel layer that fails is logged and never undoes or fails the change (the sessions are gone, so a
    socket that missed it is refused when it reconnects)."""
    send_on_commit([person_group(user_id)], ENDED)


def close_session_sockets(session_keys) -> None:
    """After commit, the sockets opened with these sessions close (robust, as above)."""
    send_on_commit([session_group(key) for key in session_keys], ENDED)
