"""The last middleware, sync only, so that Django runs every middleware above it in the request's one thread.

Under ASGI, Django puts an async-capable middleware in async mode when what it wraps is async (the view's
handler is). Django's own middleware (MiddlewareMixin) then runs each `process_request` and `process_response`
in a thread hop of its own, and the first sync-only middleware above them adapts back to sync. Last and sync
only, this one makes the whole chain above it sync: one hop down to the view and one back, whatever the
middleware list holds. An async view still runs on the event loop (Django adapts to it below this).
"""


class SyncChainMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
