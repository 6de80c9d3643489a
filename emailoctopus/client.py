"""HTTP client for the EmailOctopus API v2 (https://api.emailoctopus.com, bearer key).

Shapes (from the published v2 OpenAPI): collections are `{"data": [...], "paging": {"next":
{"url", "starting_after"}}}` and page with the `starting_after` cursor; campaign reports
(`GET /campaigns/{id}/reports?status=`) list `{contact_id, contact_email_address, occurred_at}`;
errors are RFC 7807 bodies `{type, title, detail, status}` (422 adds `errors[]`). The rate limit is
a token bucket of 100 refilled at 10/s; a 429 carries `X-RateLimit-Retry-After`.
"""

import logging
import os
import time
from dataclasses import dataclass
from urllib.parse import quote

import requests
from django.conf import settings

from emailoctopus.ratelimit import TokenBucket

logger = logging.getLogger(__name__)

API_KEY_ENV = "EMAILOCTOPUS_API_KEY"
DEFAULT_BASE_URL = "https://api.emailoctopus.com"
PAGE_SIZE = 100  # the API's maximum `limit`

REPORT_STATUSES = ("sent", "opened", "clicked", "bounced", "complained", "unsubscribed")
CAMPAIGN_STATUS_SENT = "sent"

RETRY_HEADER = "X-RateLimit-Retry-After"
MAX_RETRY_WAIT_SECONDS = 120.0
EPOCH_THRESHOLD = 1_000_000_000  # a retry header this large is a Unix time, not a delay


class EmailOctopusError(Exception):
    """The API refused a request; `title`/`detail` come from its RFC 7807 body."""

    def __init__(self, *, status, method, path, title=None, detail=None, problem_type=None):
        self.status = status
        self.method = method
        self.path = path
        self.title = title
        self.detail = detail
        self.problem_type = problem_type
        text = " ".join(part for part in (title, detail) if part) or "no error body"
        super().__init__(f"EmailOctopus API {status} on {method} {path}: {text}")


class EmailOctopusAuthError(EmailOctopusError):
    """401/403: the key is missing, invalid (v1 keys do not work on v2) or not for this account."""


class MissingApiKey(EmailOctopusAuthError):
    """No key configured: refused before any request is made."""

    def __init__(self):
        super().__init__(status=None, method="GET", path="", title="No API key.")
        self.args = (f"{API_KEY_ENV} is not set: give it an EmailOctopus API v2 key.",)


class EmailOctopusNotFound(EmailOctopusError):
    """404: unknown campaign, list or endpoint."""


class EmailOctopusValidationError(EmailOctopusError):
    """422: invalid parameters; `errors` lists the offending pointers/parameters."""

    def __init__(self, *, errors=(), **kwargs):
        self.errors = list(errors)
        super().__init__(**kwargs)
        if self.errors:
            parts = [
                f"{e.get('pointer') or e.get('parameter') or '?'}: {e.get('detail', '')}"
                for e in self.errors
                if isinstance(e, dict)
            ]
            self.args = (f"{self.args[0]} ({'; '.join(parts)})",)


class EmailOctopusUnavailable(EmailOctopusError):
    """Network errors, 5xx or 429 that did not clear within the retry budget."""


ERROR_CLASSES = {
    401: EmailOctopusAuthError,
    403: EmailOctopusAuthError,
    404: EmailOctopusNotFound,
    422: EmailOctopusValidationError,
}


@dataclass
class Page:
    """One page of a collection; `cursor` fetched it, `next_cursor` fetches the next (or None)."""

    items: list
    cursor: str | None
    next_cursor: str | None


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    rate_limit_wait_seconds: float = 0.0


class EmailOctopusClient:
    """Rate-limited, retrying v2 client. Read-only: the sync never writes to EmailOctopus."""

    def __init__(
        self,
        *,
        api_key,
        base_url=None,
        bucket=None,
        sleep=time.sleep,
        wall_clock=time.time,
        max_retries=5,
        max_rate_limit_retries=10,
        backoff_seconds=0.5,
        timeout=(10, 60),
        page_size=PAGE_SIZE,
        session=None,
    ):
        if not api_key:
            raise MissingApiKey()
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.bucket = bucket or TokenBucket(sleep=sleep)
        self.page_size = page_size
        self.max_retries = max_retries
        self.max_rate_limit_retries = max_rate_limit_retries
        self.backoff_seconds = backoff_seconds
        self.timeout = timeout
        self.stats = ClientStats()
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._session = session or requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        )

    @classmethod
    def from_settings(cls, **kwargs):
        """A client with the key from the environment and the base URL from settings."""
        return cls(
            api_key=os.environ.get(API_KEY_ENV) or getattr(settings, API_KEY_ENV, ""),
            base_url=getattr(settings, "EMAILOCTOPUS_API_BASE_URL", DEFAULT_BASE_URL),
            **kwargs,
        )

    # --- endpoints -------------------------------------------------------------------------
    def iter_campaigns(self):
        for page in self.iter_pages("/campaigns"):
            yield from page.items

    def get_campaign(self, campaign_id):
        return self.get(f"/campaigns/{_segment(campaign_id)}")

    def report_pages(self, campaign_id, status, *, starting_after=None):
        """Pages of `GET /campaigns/{id}/reports?status=...`, from `starting_after` on."""
        return self.iter_pages(
            f"/campaigns/{_segment(campaign_id)}/reports",
            params={"status": status},
            starting_after=starting_after,
        )

    def iter_list_contacts(self, list_id):
        for page in self.iter_pages(f"/lists/{_segment(list_id)}/contacts"):
            yield from page.items

    # --- plumbing --------------------------------------------------------------------------
    def iter_pages(self, path, *, params=None, starting_after=None):
        """Follow `paging.next.starting_after` until the last page."""
        cursor = starting_after
        while True:
            query = dict(params or {}, limit=self.page_size)
            if cursor:
                query["starting_after"] = cursor
            body = self.get(path, params=query)
            items = body.get("data") or []
            next_cursor = _next_cursor(body)
            yield Page(items=items, cursor=cursor, next_cursor=next_cursor)
            if not next_cursor or not items:
                return
            cursor = next_cursor

    def get(self, path, *, params=None):
        """GET one JSON document, waiting out 429s and retrying network errors and 5xx."""
        url = f"{self.base_url}{path}"
        failures = 0
        throttles = 0
        while True:
            self.bucket.acquire()
            self.stats.requests += 1
            try:
                response = self._session.get(url, params=params, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                if failures > self.max_retries:
                    raise EmailOctopusUnavailable(
                        status=0, method="GET", path=path, title="Network error.", detail=str(exc)
                    ) from exc
                self._backoff(failures, path, f"network error: {exc.__class__.__name__}")
                continue
            status = response.status_code
            if status == 429:
                throttles += 1
                if throttles > self.max_rate_limit_retries:
                    raise self._error(response, path, EmailOctopusUnavailable)
                self._wait_rate_limit(response, path)
                continue
            if status >= 500:
                failures += 1
                if failures > self.max_retries:
                    raise self._error(response, path, EmailOctopusUnavailable)
                self._backoff(failures, path, f"HTTP {status}")
                continue
            if status >= 400:
                raise self._error(response, path, ERROR_CLASSES.get(status, EmailOctopusError))
            return response.json()

    def _backoff(self, attempt, path, why):
        delay = min(self.backoff_seconds * 2 ** (attempt - 1), MAX_RETRY_WAIT_SECONDS)
        self.stats.retries += 1
        logger.warning("EmailOctopus GET %s: %s; retry %d in %.2fs", path, why, attempt, delay)
        self._sleep(delay)

    def _wait_rate_limit(self, response, path):
        delay = retry_after_seconds(response.headers, now=self._wall_clock())
        if delay is None:
            delay = 1.0 / self.bucket.refill_per_second
        self.bucket.drain()
        self.stats.rate_limited += 1
        self.stats.rate_limit_wait_seconds += delay
        logger.info("EmailOctopus GET %s: 429, waiting %.2fs", path, delay)
        self._sleep(delay)

    @staticmethod
    def _error(response, path, error_class):
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        kwargs = {
            "status": response.status_code,
            "method": "GET",
            "path": path,
            "title": body.get("title") or response.reason,
            "detail": body.get("detail"),
            "problem_type": body.get("type"),
        }
        if error_class is EmailOctopusValidationError:
            kwargs["errors"] = body.get("errors") or ()
        return error_class(**kwargs)


def _segment(value):
    """An id as one URL path segment (an id given on the command line cannot change the path)."""
    return quote(str(value), safe="")


def _next_cursor(body):
    """`paging.next.starting_after`; the last page has no `next` (null, absent or `[]`)."""
    paging = body.get("paging")
    if not isinstance(paging, dict):
        return None
    next_page = paging.get("next")
    if not isinstance(next_page, dict):
        return None
    return next_page.get("starting_after") or None


def retry_after_seconds(headers, *, now):
    """Seconds to wait from `X-RateLimit-Retry-After` (or `Retry-After`), capped; None if absent.

    EmailOctopus documents the header without its unit, so both forms are accepted: a delay in
    seconds, or a Unix time (anything past 10^9) from which the delay is computed.
    """
    raw = headers.get(RETRY_HEADER) or headers.get("Retry-After")
    if raw is None:
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    if value > EPOCH_THRESHOLD:
        value -= now
    return min(max(value, 0.0), MAX_RETRY_WAIT_SECONDS)
