"""HTTP for channel adapters: retries that never post twice, rate limits honoured.

Retried here: connection failures before the request left, HTTP 429 (after
`Retry-After` or the rate-limit reset headers) and, for idempotent requests only,
5xx and lost answers. A non-idempotent request whose answer is lost or that got a 5xx
raises OutcomeUnknown: the pipeline looks the post up before it tries again. Other
4xx are permanent failures. All waiting stays within one deadline per send.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from newsroom.errors import OutcomeUnknown, SendError
from newsroom.secrets import redact

logger = logging.getLogger("newsroom.publishing")

RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
REMAINING_HEADERS = ("x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining")


def _seconds_until(value: str, now: float) -> float | None:
    """A reset or Retry-After header as seconds from now: delta seconds, Unix time,
    ISO 8601 (Mastodon) or an HTTP date."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, number - now if number > 1_000_000_000 else number)
    for parse in (lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")), parsedate_to_datetime):
        try:
            moment = parse(value)
        except (TypeError, ValueError, IndexError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return max(0.0, moment.timestamp() - now)
    return None


def wait_for(response: requests.Response, now: float | None = None) -> float | None:
    """How long a 429 (or an exhausted quota) asks us to wait, if it says."""
    now = time.time() if now is None else now
    headers = response.headers
    if "Retry-After" in headers:
        seconds = _seconds_until(headers["Retry-After"], now)
        if seconds is not None:
            return seconds
    for name in RESET_HEADERS:
        if name in headers:
            seconds = _seconds_until(headers[name], now)
            if seconds is not None:
                return seconds
    return None


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, (NewConnectionError, NameResolutionError))


class HttpClient:
    """One channel's HTTP session for one send, with a deadline for all retries."""

    def __init__(self, label: str, *, deadline: float = 120.0, timeout: tuple[float, float] = (5.0, 30.0),
                 session: requests.Session | None = None, backoff: float = 1.0, max_backoff: float = 30.0):
        self.label = label
        self.session = session or requests.Session()
        self.timeout = timeout
        self.deadline = time.monotonic() + deadline
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.requests = 0
        self._not_before = 0.0  # monotonic time a rate limit lets us continue

    def _sleep(self, seconds: float, why: str) -> None:
        if time.monotonic() + seconds > self.deadline:
            raise SendError(f"{self.label}: {why}; die Wartezeit von {seconds:.0f} s überschreitet die Frist "
                            "dieses Laufs – nächster Versuch im nächsten Lauf.", retry=True)
        logger.info("%s: %s – warte %.1f s.", self.label, why, seconds)
        time.sleep(seconds)

    def pause(self, attempt: int, why: str) -> None:
        """Jittered exponential backoff before trying again (within the deadline)."""
        self._sleep(self._backoff(attempt), why)

    def _backoff(self, attempt: int) -> float:
        return random.uniform(0.5, 1.0) * min(self.max_backoff, self.backoff * 2 ** attempt)

    def request(self, method: str, url: str, *, idempotent: bool, limited=None, accept: tuple[int, ...] = (),
                **kwargs) -> requests.Response:
        """`accept`: error statuses that are an answer, not a failure (404 on a delete: gone already).
        `limited(response)`: True when an answer other than 429 means "rate limit reached"
        (Meta's Graph API says so with error codes 4, 17, 32, 613 in a 400 or 403), or the
        seconds to wait when the answer says so in the adapter's own way (a longer wait than
        the standard headers name wins: X's daily caps, Meta's usage headers)."""
        attempt = 0
        while True:
            if self._not_before > time.monotonic():
                self._sleep(self._not_before - time.monotonic(), "Ratenlimit erschöpft")
            self.requests += 1
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                if not (_never_sent(exc) or idempotent):
                    raise OutcomeUnknown(f"{self.label}: keine Antwort nach dem Senden ({type(exc).__name__}); "
                                         "ob der Beitrag angekommen ist, ist offen.") from None
                self._sleep(self._backoff(attempt), f"Verbindungsfehler ({type(exc).__name__})")
                attempt += 1
                continue
            self._note_quota(response)
            status = response.status_code
            verdict = limited(response) if limited is not None and status >= 400 else False
            if status in accept and not verdict:  # a rate limit in an accepted status still waits
                return response
            if status == 429 or verdict:
                seconds = wait_for(response)
                if isinstance(verdict, (int, float)) and not isinstance(verdict, bool):
                    seconds = max(seconds or 0.0, float(verdict))
                self._sleep(self._backoff(attempt) if seconds is None else seconds + random.uniform(0, 0.25),
                            "HTTP 429 (zu viele Anfragen)" if status == 429 else f"HTTP {status}: Ratenlimit erreicht")
            elif status >= 500:
                if not idempotent:
                    raise OutcomeUnknown(f"{self.label}: HTTP {status} vom Server; ob der Beitrag angelegt "
                                         "wurde, ist offen.")
                self._sleep(self._backoff(attempt), f"HTTP {status} vom Server")
            elif status >= 400:
                raise SendError(f"{self.label}: HTTP {status}: {describe(response)}", status=status)
            else:
                return response
            attempt += 1

    def _note_quota(self, response: requests.Response) -> None:
        """When a success says the quota is used up, wait for its reset before the next call."""
        for name in REMAINING_HEADERS:
            if response.headers.get(name, "").strip() == "0":
                seconds = wait_for(response)
                if seconds:
                    self._not_before = time.monotonic() + seconds
                return


def describe(response: requests.Response, limit: int = 300) -> str:
    """A short, redacted description of an error answer for receipts and logs."""
    try:
        body = response.json()
    except ValueError:
        text = response.text
    else:
        text = str(body.get("error") or body.get("message") or body.get("detail") or body) \
            if isinstance(body, dict) else str(body)
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and error.get("message"):  # Meta and Google nest their errors
            text = str(error["message"])
    text = " ".join(redact(text).split())
    return text[:limit] + ("…" if len(text) > limit else "")
