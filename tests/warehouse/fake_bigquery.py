"""A fake BigQuery REST API on 127.0.0.1: the requests Walker's client makes, answered as BigQuery documents them.

Implemented: the OAuth token exchange of a service account (a JWT bearer grant), datasets get/insert, tables
get/insert/patch (a patch may only add NULLABLE or REPEATED columns) and tabledata.insertAll with insertId
de-duplication and row validation against the table's schema (an invalid row is reported in insertErrors with
reason "invalid", the others of the request "stopped", and nothing of the request is stored). Errors are BigQuery's
JSON shape ({"error": {"code", "message", "errors": [{"reason", ...}], "status"}}); `fail` queues them.
"""

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          409: "ALREADY_EXISTS", 500: "INTERNAL"}  # fmt: skip
DATASET = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/([^/]+)$")
DATASETS = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets$")
TABLE = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$")
TABLES = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/([^/]+)/tables$")
INSERT_ALL = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)/insertAll$")
TOKEN = "fake-bigquery-token"


@dataclass
class Failure:
    method: str
    path_part: str  # "insertAll", "/tables", "/datasets/<d>"… matched within the path
    status: int
    reason: str
    times: int


@dataclass
class FakeTable:
    resource: dict
    rows: list[dict] = field(default_factory=list)
    insert_ids: set[str] = field(default_factory=set)

    @property
    def fields(self) -> dict[str, dict]:
        return {column["name"]: column for column in self.resource["schema"]["fields"]}


class FakeBigQuery:
    def __init__(self):
        self.datasets: dict[tuple[str, str], dict] = {}
        self.tables: dict[tuple[str, str, str], FakeTable] = {}
        self.requests: list[tuple[str, str, dict | None]] = []  # (method, path, body) of every API call
        self.token_requests: list[dict] = []
        self.failures: list[Failure] = []
        self.insert_delay = 0.0  # seconds each insertAll takes (runs overlapping in concurrency tests)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.token_url = f"{self.url}/token"

    def start(self) -> "FakeBigQuery":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what tests arrange and read --------------------------------------------------------------

    def fail(self, method: str, path_part: str, status: int, reason: str, times: int = 1) -> None:
        """The next `times` matching requests answer this error."""
        self.failures.append(Failure(method, path_part, status, reason, times))

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

    def insert_ids(self, table: str) -> list[str]:
        """Every insertId sent for the table, each request's in order (a row sent twice appears twice)."""
        return [row["insertId"] for method, path, body in self.requests
                if path.endswith(f"/{table}/insertAll") for row in body["rows"]]  # fmt: skip

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

        return Handler

    def _serve(self, request: BaseHTTPRequestHandler, method: str) -> None:
        path = request.path.split("?")[0]
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if path == "/token":
            status, body = self._token(raw)
        else:
            data = json.loads(raw) if raw else None
            if path.endswith("/insertAll"):
                time.sleep(self.insert_delay)
            with self.lock:
                self.requests.append((method, path, data))
                status, body = self._api(method, path, data, request.headers.get("Authorization", ""))
        payload = json.dumps(body).encode()
        request.send_response(status)
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

    def _api(self, method: str, path: str, data, authorization: str):
        if authorization != f"Bearer {TOKEN}":
            return _error(401, "unauthorized", "Request is missing required authentication credential.")
        for failure in self.failures:
            if failure.times and failure.method == method and failure.path_part in path:
                failure.times -= 1
                return _error(failure.status, failure.reason, f"Fake failure: {failure.reason}")
        if match := DATASET.match(path):
            return self._get_dataset(*match.groups()) if method == "GET" else _error(405, "invalid", method)
        if (match := DATASETS.match(path)) and method == "POST":
            return self._insert_dataset(match[1], data)
        if match := TABLE.match(path):
            return self._get_table(*match.groups()) if method == "GET" else self._patch_table(*match.groups(), data)
        if (match := TABLES.match(path)) and method == "POST":
            return self._insert_table(*match.groups(), data)
        if (match := INSERT_ALL.match(path)) and method == "POST":
            return self._insert_all(*match.groups(), data)
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

    def _insert_all(self, project, dataset, table, data):
        found = self.tables.get((project, dataset, table))
        if found is None:
            return _error(404, "notFound", f"Not found: Table {project}:{dataset}.{table}")
        problems = [_invalid(entry["json"], found.fields) for entry in data["rows"]]
        if any(problems):
            stopped = [{"reason": "stopped", "location": "", "message": ""}]
            errors = [{"index": i, "errors": problem or stopped} for i, problem in enumerate(problems)]
            return 200, {"kind": "bigquery#tableDataInsertAllResponse", "insertErrors": errors}
        for entry in data["rows"]:
            insert_id = entry.get("insertId")
            if insert_id and insert_id in found.insert_ids:
                continue  # BigQuery's best-effort de-duplication
            if insert_id:
                found.insert_ids.add(insert_id)
            found.rows.append(entry["json"])
        return 200, {"kind": "bigquery#tableDataInsertAllResponse"}


def _dataset(project, dataset, location):
    return {"datasetReference": {"projectId": project, "datasetId": dataset}, "location": location, "etag": "d1"}


def _error(code: int, reason: str, message: str):
    return code, {"error": {"code": code, "message": message, "status": STATUS.get(code, "UNKNOWN"),
                            "errors": [{"message": message, "domain": "global", "reason": reason}]}}  # fmt: skip


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


def _invalid(row: dict, fields: dict[str, dict]) -> list[dict]:
    """What BigQuery says of a row that does not fit the schema (empty when it fits)."""
    problems = []
    for name, value in row.items():
        column = fields.get(name)
        if column is None:
            problems.append({"reason": "invalid", "location": name, "message": f"no such field: {name}."})
            continue
        values = value if column.get("mode") == "REPEATED" and isinstance(value, list) else [value]
        if any(item is not None and not _TYPES[column["type"]](item) for item in values):
            problems.append({"reason": "invalid", "location": name,
                             "message": f"Cannot convert value to {column['type'].lower()}: {name}"})  # fmt: skip
    for name, column in fields.items():
        if column.get("mode") == "REQUIRED" and row.get(name) is None:
            problems.append({"reason": "invalid", "location": name, "message": f"Missing required field: {name}."})
    return problems
