"""A cap on HTTP request bodies in front of Django (REQUEST_BODY_MAX_BYTES): larger ones are answered 413.

A body that declares a larger Content-Length is refused without reading any of it. A body without one
(chunked) is passed on until it goes past the cap; then Django is told the client went away (it stops
reading and answers nothing) and the cap answers 413. Either way no view runs, Django spools at most the
cap, and a chunked form (no Content-Length for Django's DATA_UPLOAD_MAX_MEMORY_SIZE check) is never read
whole into memory by request.body.

What it cannot do under daphne: Twisted receives the whole body before daphne creates the application (in
memory below 100,000 declared bytes, else in a temporary file), and daphne then moves all of it into the
application's queue, in memory, before the application first runs. Only the proxy in front can refuse a
body before daphne holds it (README, "Running in production": nginx's client_max_body_size).
"""

import json

from django.conf import settings


class BodyLimit:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.application(scope, receive, send)
            return
        cap = settings.REQUEST_BODY_MAX_BYTES
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _refuse(send, cap)
            return
        read = 0
        over = started = False

        async def capped_receive():
            nonlocal read, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > cap:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.application(scope, capped_receive, watched_send)
        if over and not started:
            await _refuse(send, cap)


async def _refuse(send, cap: int) -> None:
    body = json.dumps({"code": "too_large", "detail": f"The request body is larger than {cap} bytes."}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the rest of the body is not read
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _content_length(scope) -> int | None:
    """The declared length; None when there is none (chunked) or it is not a number (the server refuses those)."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None
