"""A local stand-in for the EmailOctopus API v2, served over real HTTP on 127.0.0.1.

It speaks the shapes of the published v2 OpenAPI: `{"data": [...], "paging": {"next": {"url",
"starting_after"}}}` with opaque cursors, bearer-key auth, RFC 7807 error bodies, and a
server-side token bucket that answers 429 with `X-RateLimit-Retry-After` (seconds) once a burst
has used it up. Tests drive the real client against it; nothing in `requests` is mocked.
"""

import base64
import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from emailoctopus.client import EmailOctopusClient

FIXTURE_PATH = Path(__file__).parent / "fixtures" / "emailoctopus_api.json"
# Ids in that fixture: two sent campaigns, a draft, and Ben Okafor's contact.
CAMPAIGN_1 = "11111111-0000-0000-0000-000000000001"
CAMPAIGN_2 = "11111111-0000-0000-0000-000000000002"
CAMPAIGN_DRAFT = "11111111-0000-0000-0000-000000000003"
BEN = "c0000000-0000-0000-0000-0000000000a2"
PROBLEM_BASE = "https://emailoctopus.com/api-documentation/v2#"
REPORT_STATUSES = (
    "bounced",
    "clicked",
    "complained",
    "opened",
    "sent",
    "unsubscribed",
    "not-opened",
    "not-clicked",
)


def encode_cursor(position):
    return base64.urlsafe_b64encode(json.dumps([position]).encode()).decode().rstrip("=")


def decode_cursor(cursor):
    padded = cursor + "=" * (-len(cursor) % 4)
    return int(json.loads(base64.urlsafe_b64decode(padded.encode()))[0])


class FakeEmailOctopus:
    """State (campaigns, lists, reports) plus the HTTP server that serves it.

    `reports[campaign_id][status]` is an append-only event list, so a cursor taken at the end of
    a report stays valid when later events arrive, as with the real API.
    """

    def __init__(self, *, api_key="test-key", data=None):
        self.api_key = api_key
        data = copy.deepcopy(data if data is not None else load_fixture())
        self.campaigns = data["campaigns"]
        self.lists = data["lists"]
        self.reports = data["reports"]
        self.requests = []  # (path, query) of every request, in order
        self.responses = {}  # status → count
        self._lock = threading.Lock()
        self._failures = []  # queued injected failures: int status, or "disconnect"
        self._bucket = None  # (capacity, refill_per_second, tokens, updated_at) when throttling
        self._server = None
        self._thread = None

    # --- test controls ---------------------------------------------------------------------
    def add_event(self, campaign_id, status, *, contact_id, email, occurred_at):
        self.reports.setdefault(campaign_id, {}).setdefault(status, []).append(
            {"contact_id": contact_id, "contact_email_address": email, "occurred_at": occurred_at}
        )

    def fail_next(self, *failures):
        """Queue failures for the next requests: an HTTP status (e.g. 503) or "disconnect"."""
        with self._lock:
            self._failures.extend(failures)

    def throttle(self, *, capacity, refill_per_second):
        """Enforce a token bucket: past `capacity` quick requests, answer 429 until refilled."""
        with self._lock:
            self._bucket = [capacity, refill_per_second, float(capacity), time.monotonic()]

    # --- server ----------------------------------------------------------------------------
    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def do_GET(self):  # noqa: N802 (http.server's naming)
                fake._handle(self)

            def log_message(self, format, *args):  # silence the default stderr log
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, status):
        return self.responses.get(status, 0)

    # --- request handling ------------------------------------------------------------------
    def _handle(self, handler):
        parts = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append((parts.path, query))
            failure = self._failures.pop(0) if self._failures else None
            retry_after = self._take_token()
        if failure == "disconnect":
            handler.close_connection = True
            handler.connection.close()
            return
        if isinstance(failure, int):
            return self._problem(handler, failure, "internal-error", "Internal error.")
        if handler.headers.get("Authorization") != f"Bearer {self.api_key}":
            return self._problem(handler, 401, "unauthorized", "Invalid key.")
        if retry_after is not None:
            return self._problem(
                handler,
                429,
                "too-many-requests",
                "Too many requests.",
                headers={"X-RateLimit-Retry-After": f"{retry_after:.3f}"},
            )
        try:
            limit = int(query.get("limit", 100))
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            return self._invalid(handler, "limit", "This value should be between 1 and 100.")
        segments = [s for s in parts.path.split("/") if s]
        if segments == ["campaigns"]:
            return self._collection(handler, parts.path, query, limit, list(self.campaigns))
        if len(segments) == 2 and segments[0] == "campaigns":
            campaign = self._campaign(segments[1])
            if campaign is None:
                return self._problem(handler, 404, "not-found", "Resource not found.")
            return self._json(handler, 200, campaign)
        if len(segments) == 3 and segments[0] == "campaigns" and segments[2] == "reports":
            if self._campaign(segments[1]) is None:
                return self._problem(handler, 404, "not-found", "Resource not found.")
            status = query.get("status")
            if status not in REPORT_STATUSES:
                return self._invalid(handler, "status", "The value you selected is not valid.")
            rows = self.reports.get(segments[1], {}).get(status, [])
            return self._collection(handler, parts.path, query, limit, rows, status=status)
        if len(segments) == 3 and segments[0] == "lists" and segments[2] == "contacts":
            if segments[1] not in self.lists:
                return self._problem(handler, 404, "not-found", "Resource not found.")
            contacts = self.lists[segments[1]]["contacts"]
            return self._collection(handler, parts.path, query, limit, contacts)
        return self._problem(handler, 404, "not-found", "Resource not found.")

    def _campaign(self, campaign_id):
        return next((c for c in self.campaigns if c["id"] == campaign_id), None)

    def _take_token(self):
        """Seconds until the next token when the bucket is empty, else None (token taken)."""
        if self._bucket is None:
            return None
        capacity, rate, tokens, updated_at = self._bucket
        now = time.monotonic()
        tokens = min(capacity, tokens + (now - updated_at) * rate)
        if tokens >= 1:
            self._bucket[2:] = [tokens - 1, now]
            return None
        self._bucket[2:] = [tokens, now]
        return (1 - tokens) / rate

    def _collection(self, handler, path, query, limit, rows, **extra):
        start = decode_cursor(query["starting_after"]) if query.get("starting_after") else 0
        page = rows[start : start + limit]
        end = start + len(page)
        paging = {"next": None}
        if end < len(rows):
            cursor = encode_cursor(end)
            args = "&".join(
                f"{k}={v}" for k, v in {**query, "limit": limit, "starting_after": cursor}.items()
            )
            paging = {"next": {"url": f"{self.base_url}{path}?{args}", "starting_after": cursor}}
        return self._json(handler, 200, {**extra, "data": page, "paging": paging})

    def _invalid(self, handler, parameter, detail):
        return self._problem(
            handler,
            422,
            "unprocessable-content",
            "Unprocessable content.",
            errors=[{"parameter": parameter, "detail": detail}],
        )

    def _problem(self, handler, status, slug, detail, *, headers=None, errors=None):
        body = {
            "type": PROBLEM_BASE + slug,
            "title": "An error occurred.",
            "detail": detail,
            "status": status,
        }
        if errors:
            body["errors"] = errors
        return self._json(handler, status, body, headers=headers)

    def _json(self, handler, status, body, *, headers=None):
        payload = json.dumps(body).encode()
        with self._lock:
            self.responses[status] = self.responses.get(status, 0) + 1
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)


def load_fixture():
    return json.loads(FIXTURE_PATH.read_text())


def client_for(fake, **kwargs):
    """The real client pointed at `fake` with its key; retries back off 0.01 s, not 0.5 s."""
    kwargs.setdefault("api_key", fake.api_key)
    kwargs.setdefault("backoff_seconds", 0.01)
    return EmailOctopusClient(base_url=fake.base_url, **kwargs)
