"""Daily insights of an ad account, read at once when Meta can, else through an asynchronous report job.

The synchronous read (`GET /act_x/insights`) answers most accounts at once. When Meta says the request is too
heavy for it (code 1, "please reduce the amount of data"; 1/1487534; the insights timeouts 100/1504018 and
2/1504038) or does not answer in time, the same query runs as a report job, Meta's documented remedy:
`POST /act_x/insights` -> `report_run_id`; `GET /{report_run_id}` until `async_status` is "Job Completed"
(polls spaced out, doubling to 10 s, for at most `report_timeout` seconds); then `GET /{report_run_id}/insights`
page by page. A job that failed or was skipped, or is still running at the deadline, is `Unavailable`: a later
sync asks again. Synchronous pages are gathered before any row is handed on, so a fallback never repeats rows.
"""

import json
import time
from collections.abc import Iterator
from datetime import date

from adplatforms import errors
from adplatforms.meta.graph import Graph
from adplatforms.meta.ids import InvalidMetaId, object_id

PAGE_SIZE = 500
MAX_POLL_INTERVAL = 10.0
# Meta's answers that mean "ask for this as a report job instead" (PlatformError.code: "code" or "code/subcode").
ASK_ASYNC = frozenset({"1", "1/1487534", "100/1504018", "2/1504038", "timeout"})

COMPLETED, FAILED, SKIPPED = "Job Completed", "Job Failed", "Job Skipped"


class Insights:
    def __init__(self, graph: Graph, account: str, *, report_timeout: float, poll_interval: float):
        self.graph = graph
        self.account = account
        self.report_timeout = report_timeout
        self.poll_interval = poll_interval

    def daily(self, level: str, fields: list[str], first: date, last: date) -> Iterator[dict]:
        """One row per object (at `level`) and day with figures, `first` to `last` inclusive."""
        query = {
            "level": level,
            "time_increment": 1,
            "time_range": json.dumps({"since": first.isoformat(), "until": last.isoformat()}),
            "fields": ",".join(fields),
        }
        try:
            rows = list(self.graph.pages(f"{self.account}/insights", {**query, "limit": PAGE_SIZE}))
        except errors.PlatformError as err:
            if err.code not in ASK_ASYNC:
                raise
            yield from self._report(query)
        else:
            yield from rows

    def _report(self, query: dict) -> Iterator[dict]:
        started = self.graph.post(f"{self.account}/insights", query)
        try:
            run = object_id(started.get("report_run_id", ""))
        except InvalidMetaId as err:
            raise errors.Unavailable("Meta did not say which report job it started", code="job_missing") from err
        self._wait(run)
        yield from self.graph.pages(f"{run}/insights", {"limit": PAGE_SIZE})

    def _wait(self, run: str) -> None:
        deadline = time.monotonic() + self.report_timeout
        interval = self.poll_interval
        while True:
            job = self.graph.get(run, {"fields": "async_status,async_percent_completion,error_message,error_user_msg"})
            status = job.get("async_status")
            if status == COMPLETED:
                return
            if status == FAILED:
                why = job.get("error_user_msg") or job.get("error_message") or "it gave no reason"
                raise errors.Unavailable(f"Meta's report job {run} failed: {why}", code="job_failed")
            if status == SKIPPED:
                raise errors.Unavailable(f"Meta skipped report job {run}; the next sync asks again", code="job_skipped")
            left = deadline - time.monotonic()
            if left <= 0:
                done = job.get("async_percent_completion", 0)
                raise errors.Unavailable(
                    f"Meta's report job {run} was still running after {self.report_timeout:g} s ({done}% done)",
                    code="job_timeout",
                )
            time.sleep(min(interval, left))
            interval = min(interval * 2, MAX_POLL_INTERVAL)
