"""A fake BigQuery REST API on 127.0.0.1: the requests Walker's client makes, answered as BigQuery documents them.

Implemented: the OAuth token exchange of a service account (a JWT bearer grant), datasets get/insert, tables
get/insert/patch (a patch may only add NULLABLE or REPEATED columns), and load jobs: jobs.insert through the upload
endpoint (`POST /upload/bigquery/v2/projects/{project}/jobs?uploadType=multipart`, or `uploadType=resumable` then
`PUT` of the data in chunks) with newline-delimited JSON, and jobs.get. A job id is unique per project and location:
a second job with the same id is refused with 409 (reason "duplicate", "Already Exists: Job project:LOCATION.id")
and adds nothing. A load job is all or nothing: every row is checked against the table's schema, and one that does
not fit fails the job (status DONE with errorResult and errors, as BigQuery reports a JSON load) with no row
stored; a job that succeeds appends its rows once. `hold_jobs` leaves new jobs RUNNING until `finish_jobs`.
There is no streaming (`insertAll`): nothing is de-duplicated but by job id. Errors are BigQuery's JSON shape
({"error": {"code", "message", "errors": [{"reason", ...}], "status"}}); `fail` queues them, `fail_job` makes the
next job end with an errorResult.
"""

import base64
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.quick_httpserver import POLL_SECONDS

STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          409: "ALREADY_EXISTS", 500: "INTERNAL"}  # fmt: skip
DATASET = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/([^/]+)$")
DATASETS = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets$")
TABLE = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$")
TABLES = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/([^/]+)/tables$")
UPLOAD = re.compile(r"^/upload/bigquery/v2/projects/([^/]+)/jobs$")
JOB = re.compile(r"^/bigquery/v2/projects/([^/]+)/jobs/([^/]+)$")
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,1024}$")
CONTENT_RANGE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")
TOKEN = "fake-bigquery-token"


@dataclass
class Failure:
    method: str
    path_part: str  # "/upload/", "/tables", "/datasets/<d>"… matched within the path
    status: int
    reason: str
    times: int


@dataclass
class FakeTable:
    resource: dict
    rows: list[dict] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, dict]:
        return {column["name"]: column for column in self.resource["schema"]["fields"]}


@dataclass
class FakeJob:
    resource: dict
    rows: list[dict]  # parsed from the upload; appended to the table when the job is done (and succeeds)


@dataclass
class Upload:
    """A resumable upload session: the job's metadata and the bytes received so far."""

    project: str
    metadata: dict
    data: bytearray = field(default_factory=bytearray)


class FakeBigQuery:
    def __init__(self):
        self.datasets: dict[tuple[str, str], dict] = {}
        self.tables: dict[tuple[str, str, str], FakeTable] = {}
        self.jobs: dict[tuple[str, str, str], FakeJob] = {}  # (project, location, job id)
        self.uploads: dict[str, Upload] = {}
        self.requests: list[tuple[str, str, dict | None]] = []  # (method, path, body) of every API call
        self.token_requests: list[dict] = []
        self.failures: list[Failure] = []
        self.job_failures: list[tuple[str, str]] = []  # (reason, message) the next jobs end with
        self.hold_jobs = False  # new jobs stay RUNNING until finish_jobs()
        self.load_delay = 0.0  # seconds each load request takes (runs overlapping in concurrency tests)
        self.lock = threading.Lock()
        self._upload_ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.token_url = f"{self.url}/token"

    def start(self) -> "FakeBigQuery":
        threading.Thread(target=self.server.serve_forever, args=(POLL_SECONDS,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what tests arrange and read --------------------------------------------------------------

    def fail(self, method: str, path_part: str, status: int, reason: str, times: int = 1) -> None:
        """The next `times` matching requests answer this error."""
        self.failures.append(Failure(method, path_part, status, reason, times))

    def fail_job(self, reason: str, message: str) -> None:
        """The next job created ends DONE with this errorResult, storing nothing."""
        self.job_failures.append((reason, message))

    def finish_jobs(self) -> None:
        """Every RUNNING job done: its rows appended (or its errorResult set), as BigQuery finishes a load."""
        with self.lock:
            for job in self.jobs.values():
                if job.resource["status"]["state"] != "DONE":
                    self._finish(job)

    def rows(self, project: str, dataset: str, table: str) -> list[dict]:
        found = self.tables.get((project, dataset, table))
        return list(found.rows) if found else []

    def table(self, project: str, dataset: str, table: str) -> dict | None:
        found = self.tables.get((project, dataset, table))
        return found.resource if found else None

    def put_table(self, project: str, dataset: str, table: str, fields: list[dict]) -> None:
        """A table made by someone else, with these columns ({"name", "type", "mode"})."""
        self.datasets.setdefault((project, dataset), _dataset(project, dataset, "US"))
        resource = {"tableReference": {"projectId": project, "datasetId": dataset, "tableId": table},
                    "schema": {"fields": fields}, "etag": "e0"}  # fmt: skip
        self.tables[(project, dataset, table)] = FakeTable(resource)

    def loads(self, table: str) -> list[str]:
        """The job id of every load request for the table (a multipart upload, or a resumable one's first
        request), in order, those refused included: a job id asked for twice appears twice."""
        return [body["job"]["jobReference"]["jobId"] for method, path, body in self.requests
                if method == "POST" and body and "job" in body
                and _destination(body["job"])["tableId"] == table]  # fmt: skip

    def job(self, job_id: str) -> dict | None:
        found = [job.resource for (_, _, each), job in self.jobs.items() if each == job_id]
        return found[0] if found else None

    def sent(self) -> str:
        """Every body sent to the API, as one text (to look for what must never leave)."""
        return json.dumps([body for _, _, body in self.requests])

    # --- the server ---------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._serve(self, "GET")

            def do_POST(self):
                fake._serve(self, "POST")

            def do_PATCH(self):
                fake._serve(self, "PATCH")

            def do_PUT(self):
                fake._serve(self, "PUT")

        return Handler

    def _serve(self, request: BaseHTTPRequestHandler, method: str) -> None:
        address = urlsplit(request.path)
        path, query = address.path, {key: values[0] for key, values in parse_qs(address.query).items()}
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        headers = {}
        if path == "/token":
            status, body = self._token(raw)
        elif path.startswith("/upload/"):
            time.sleep(self.load_delay)
            with self.lock:
                status, body, headers = self._upload(method, path, query, request.headers, raw)
        else:
            data = json.loads(raw) if raw else None
            with self.lock:
                self.requests.append((method, path, data))
                status, body = self._api(method, path, query, data, request.headers.get("Authorization", ""))
        payload = json.dumps(body).encode() if body is not None else b""
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _token(self, raw: bytes):
        form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or "assertion" not in form:
            return 400, {"error": "invalid_grant", "error_description": "Invalid grant."}
        claims = json.loads(base64.urlsafe_b64decode(form["assertion"].split(".")[1] + "=="))
        self.token_requests.append(claims)
        return 200, {"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"}

    def _refusal(self, method: str, path: str, authorization: str):
        """The error a request gets before it is looked at: no token, or a failure a test queued."""
        if authorization != f"Bearer {TOKEN}":
            return _error(401, "unauthorized", "Request is missing required authentication credential.")
        for failure in self.failures:
            if failure.times and failure.method == method and failure.path_part in path:
                failure.times -= 1
                return _error(failure.status, failure.reason, f"Fake failure: {failure.reason}")
        return None

    def _api(self, method: str, path: str, query: dict, data, authorization: str):
        if refusal := self._refusal(method, path, authorization):
            return refusal
        if match := DATASET.match(path):
            return self._get_dataset(*match.groups()) if method == "GET" else _error(405, "invalid", method)
        if (match := DATASETS.match(path)) and method == "POST":
            return self._insert_dataset(match[1], data)
        if match := TABLE.match(path):
            return self._get_table(*match.groups()) if method == "GET" else self._patch_table(*match.groups(), data)
        if (match := TABLES.match(path)) and method == "POST":
            return self._insert_table(*match.groups(), data)
        if (match := JOB.match(path)) and method == "GET":
            return self._get_job(*match.groups(), query.get("location"))
        return _error(404, "notFound", f"Not found: {path}")

    def _get_dataset(self, project, dataset):
        found = self.datasets.get((project, dataset))
        return (200, found) if found else _error(404, "notFound", f"Not found: Dataset {project}:{dataset}")

    def _insert_dataset(self, project, data):
        dataset = data["datasetReference"]["datasetId"]
        if (project, dataset) in self.datasets:
            return _error(409, "duplicate", f"Already Exists: Dataset {project}:{dataset}")
        self.datasets[(project, dataset)] = _dataset(project, dataset, data.get("location") or "US")
        return 200, self.datasets[(project, dataset)]

    def _get_table(self, project, dataset, table):
        found = self.tables.get((project, dataset, table))
        if found is None:
            return _error(404, "notFound", f"Not found: Table {project}:{dataset}.{table}")
        return 200, found.resource

    def _insert_table(self, project, dataset, data):
        if (project, dataset) not in self.datasets:
            return _error(404, "notFound", f"Not found: Dataset {project}:{dataset}")
        table = data["tableReference"]["tableId"]
        if (project, dataset, table) in self.tables:
            return _error(409, "duplicate", f"Already Exists: Table {project}:{dataset}.{table}")
        self.tables[(project, dataset, table)] = FakeTable({**data, "etag": "e1"})
        return 200, self.tables[(project, dataset, table)].resource

    def _patch_table(self, project, dataset, table, data):
        found = self.tables.get((project, dataset, table))
        if found is None:
            return _error(404, "notFound", f"Not found: Table {project}:{dataset}.{table}")
        new = {column["name"]: column for column in (data.get("schema") or {}).get("fields", [])}
        for name, column in found.fields.items():
            if name not in new or new[name]["type"] != column["type"]:
                return _error(400, "invalid", f"Provided Schema does not match Table {project}:{dataset}.{table}.")
        for name in new.keys() - found.fields.keys():
            if new[name].get("mode", "NULLABLE") not in ("NULLABLE", "REPEATED"):
                return _error(400, "invalid", f"Field {name} has changed mode from NULLABLE to REQUIRED")
        found.resource = {**found.resource, "schema": data["schema"], "etag": found.resource["etag"] + "1"}
        return 200, found.resource

    # --- load jobs ------------------------------------------------------------------------------------

    def _upload(self, method: str, path: str, query: dict, headers, raw: bytes):
        """jobs.insert with its data: a multipart request, or a resumable session and its chunks."""
        match = UPLOAD.match(path)
        if match is None:
            return (*_error(404, "notFound", f"Not found: {path}"), {})
        project, kind = match[1], query.get("uploadType")
        if method == "POST" and kind == "multipart":
            metadata, data = _multipart(headers.get("Content-Type", ""), raw)
            return (*self._load(method, path, headers, project, metadata, data), {})
        if method == "POST" and kind == "resumable":
            metadata = json.loads(raw)
            self.requests.append((method, path, {"job": metadata, "data": ""}))
            if refusal := self._refusal(method, path, headers.get("Authorization", "")) or self._taken(metadata):
                return (*refusal, {})
            upload_id = str(next(self._upload_ids))
            self.uploads[upload_id] = Upload(project, metadata)
            session = f"{self.url}{path}?uploadType=resumable&upload_id={upload_id}"
            return 200, None, {"Location": session}
        if method == "PUT" and kind == "resumable" and query.get("upload_id") in self.uploads:
            return self._chunk(method, path, headers, query["upload_id"], raw)
        return (*_error(400, "invalid", f"Unsupported upload: {method} uploadType={kind}"), {})

    def _chunk(self, method: str, path: str, headers, upload_id: str, raw: bytes):
        upload = self.uploads[upload_id]
        match = CONTENT_RANGE.match(headers.get("Content-Range", ""))
        if match is None or (match[1] is not None and int(match[1]) != len(upload.data)):
            return (*_error(400, "invalid", "Bad Content-Range for the bytes received so far."), {})
        upload.data += raw
        if match[3] == "*" or int(match[3]) != len(upload.data):
            return 308, None, {"Range": f"bytes=0-{len(upload.data) - 1}"}  # more to come
        del self.uploads[upload_id]
        return (*self._load(method, path, headers, upload.project, upload.metadata, bytes(upload.data)), {})

    def _load(self, method: str, path: str, headers, project: str, metadata: dict, data: bytes):
        """The job created from its metadata and data: refused if its id is taken, else run (or left running)."""
        self.requests.append((method, path, {"job": metadata, "data": data.decode("utf-8", "replace")}))
        if refusal := self._refusal(method, path, headers.get("Authorization", "")) or self._taken(metadata):
            return refusal
        reference = metadata.get("jobReference") or {}
        job_id, location = reference.get("jobId", ""), reference.get("location") or "US"
        if not JOB_ID.match(job_id):
            return _error(400, "invalid", f'Invalid job ID "{job_id}".')
        load = metadata.get("configuration", {}).get("load")
        if not load or load.get("sourceFormat") != "NEWLINE_DELIMITED_JSON":
            return _error(400, "invalid", "Only NEWLINE_DELIMITED_JSON load jobs are faked.")
        target = _destination(metadata)
        if (target["projectId"], target["datasetId"]) not in self.datasets:
            return _error(404, "notFound", f"Not found: Dataset {target['projectId']}:{target['datasetId']}")
        try:
            rows = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
        except ValueError:
            rows = None
        resource = {
            "kind": "bigquery#job",
            "id": f"{project}:{location}.{job_id}",
            "jobReference": {"projectId": project, "jobId": job_id, "location": location},
            "configuration": metadata["configuration"],
            "status": {"state": "RUNNING"},
            "statistics": {"creationTime": str(int(time.time() * 1000))},
        }
        job = FakeJob(resource, rows)
        self.jobs[(project, location, job_id)] = job
        if not self.hold_jobs:
            self._finish(job)
        return 200, job.resource

    def _taken(self, metadata: dict):
        reference = metadata.get("jobReference") or {}
        key = (reference.get("projectId"), reference.get("location") or "US", reference.get("jobId"))
        if key in self.jobs:
            message = f"Already Exists: Job {key[0]}:{key[1]}.{key[2]}"
            return _error(409, "duplicate", message)
        return None

    def _finish(self, job: FakeJob) -> None:
        """The job DONE: all its rows appended to the table, or none and the errorResult saying why."""
        load = job.resource["configuration"]["load"]
        target = _destination(job.resource)
        found = self.tables.get((target["projectId"], target["datasetId"], target["tableId"]))
        problems = self._job_failure(job, found, load)
        if problems:
            job.resource["status"] = {"state": "DONE", "errorResult": problems[0], "errors": problems}
            return
        found.rows.extend(job.rows)
        job.resource["status"] = {"state": "DONE"}
        job.resource["statistics"]["load"] = {"outputRows": str(len(job.rows))}

    def _job_failure(self, job: FakeJob, found: FakeTable | None, load: dict) -> list[dict]:
        if self.job_failures:
            reason, message = self.job_failures.pop(0)
            return [{"reason": reason, "message": message}]
        target = _destination(job.resource)
        if found is None:
            name = f"{target['projectId']}:{target['datasetId']}.{target['tableId']}"
            return [{"reason": "notFound", "message": f"Not found: Table {name}"}]
        if job.rows is None:
            return [{"reason": "invalid", "message": "Error while reading data, error message: JSON parsing error"}]
        ignore_unknown = load.get("ignoreUnknownValues", False)
        refused = [(i, problem) for i, row in enumerate(job.rows)
                   for problem in _invalid(row, found.fields, ignore_unknown)]  # fmt: skip
        if len({i for i, _ in refused}) <= int(load.get("maxBadRecords") or 0):
            return []
        summary = {
            "reason": "invalid",
            "message": "Error while reading data, error message: JSON table encountered too many errors, giving "
            f"up. Rows: {len(job.rows)}; errors: {len(refused)}. Please look into the errors[] collection for "
            "more details.",
        }
        return [summary] + [
            {"reason": "invalid", "location": problem["location"],
             "message": f"Error while reading data, error message: JSON parsing error in row starting at "
                        f"position {i}: {problem['message']}"}
            for i, problem in refused
        ]  # fmt: skip

    def _get_job(self, project: str, job_id: str, location: str | None):
        job = self.jobs.get((project, location or "US", job_id))
        if job is None:
            return _error(404, "notFound", f"Not found: Job {project}:{location or 'US'}.{job_id}")
        return 200, job.resource


def _dataset(project, dataset, location):
    return {"datasetReference": {"projectId": project, "datasetId": dataset}, "location": location, "etag": "d1"}


def _error(code: int, reason: str, message: str):
    return code, {"error": {"code": code, "message": message, "status": STATUS.get(code, "UNKNOWN"),
                            "errors": [{"message": message, "domain": "global", "reason": reason}]}}  # fmt: skip


def _destination(job: dict) -> dict:
    return job["configuration"]["load"]["destinationTable"]


def _multipart(content_type: str, raw: bytes) -> tuple[dict, bytes]:
    """The job's metadata (the first part) and its data (the second) of a multipart/related request."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)[1].encode()
    parts = [part for part in raw.split(b"--" + boundary) if part.strip() not in (b"", b"--")]
    bodies = [part.split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n") for part in parts]
    return json.loads(bodies[0]), bodies[1]


_TYPES = {
    "STRING": lambda v: isinstance(v, str),
    "JSON": lambda v: isinstance(v, str),
    "TIMESTAMP": lambda v: isinstance(v, str),
    "DATE": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None,
    "NUMERIC": lambda v: isinstance(v, str | int | float) and not isinstance(v, bool),
    "INTEGER": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and v.isdigit()),
    "FLOAT": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "BOOLEAN": lambda v: isinstance(v, bool),
}


def _invalid(row: dict, fields: dict[str, dict], ignore_unknown: bool = False) -> list[dict]:
    """What BigQuery says of a row that does not fit the schema (empty when it fits)."""
    problems = []
    for name, value in row.items():
        column = fields.get(name)
        if column is None:
            if not ignore_unknown:
                problems.append({"reason": "invalid", "location": name, "message": f"No such field: {name}."})
            continue
        values = value if column.get("mode") == "REPEATED" and isinstance(value, list) else [value]
        if any(item is not None and not _TYPES[column["type"]](item) for item in values):
            problems.append({"reason": "invalid", "location": name,
                             "message": f"Cannot convert value to {column['type'].lower()}: {name}"})  # fmt: skip
    for name, column in fields.items():
        if column.get("mode") == "REQUIRED" and row.get(name) is None:
            problems.append({"reason": "invalid", "location": name, "message": f"Missing required field: {name}."})
    return problems
