"""One Graph API call: the token in the Authorization header, usage reported, errors mapped, JSON read exactly.

The token never goes into a URL: not in the query string (where a logged URL would carry it) and not through
`paging.next`, which Meta writes with `access_token=` in it; pages are followed with `after=<cursor>` instead.
`appsecret_proof` is not sent: it needs the app secret, which a connection does not hold.
"""

from collections.abc import Iterator
from decimal import Decimal

import httpx
from django.conf import settings

from adplatforms import errors
from adplatforms.meta import usage
from adplatforms.meta.errors import from_graph
from adplatforms.platform import UsageObserver


class Graph:
    def __init__(self, token: str, *, http: httpx.Client | None = None, on_usage: UsageObserver | None = None):
        self.token = token
        self.http = http or httpx.Client()
        self.on_usage = on_usage
        self.base = f"{settings.META_GRAPH_API_URL}/{settings.META_GRAPH_API_VERSION}"

    def get(self, path: str, params: dict) -> dict:
        return self._send("GET", path, params=params)

    def post(self, path: str, data: dict) -> dict:
        return self._send("POST", path, data=data)

    def pages(self, path: str, params: dict) -> Iterator[dict]:
        """Every row of an edge, page after page (`data`, `paging.cursors.after` while there is a `next`)."""
        params = dict(params)
        while True:
            body = self.get(path, params)
            rows = body.get("data")
            if not isinstance(rows, list):
                raise errors.Unavailable(f"Meta answered {path} without a list of rows")
            yield from rows
            paging = body.get("paging") or {}
            if not paging.get("next"):
                return
            after = (paging.get("cursors") or {}).get("after")
            if not after:  # following `next` itself would put the token in a URL; stopping would lose rows
                raise errors.Unavailable(f"Meta gave a next page of {path} without a cursor to ask for it")
            params["after"] = after

    def _send(self, method: str, path: str, **kwargs) -> dict:
        timeout = settings.AD_PLATFORM_TIMEOUT
        with errors.unavailable_when_unreachable("Meta", timeout):
            response = self.http.request(
                method,
                f"{self.base}/{path}",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=timeout,
                **kwargs,
            )

        usages = usage.read(response.headers)
        if self.on_usage:
            for report in usages:
                self.on_usage(report)
        try:
            body = response.json(parse_float=Decimal)
        except ValueError:
            body = None
        if response.is_error or (isinstance(body, dict) and "error" in body):
            raise from_graph(response.status_code, body, retry_after=usage.regain_seconds(usages), secret=self.token)
        if not isinstance(body, dict):
            raise errors.Unavailable(f"Meta answered {path} with something other than a JSON object")
        return body
