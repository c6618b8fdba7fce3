"""HttpClient against a local server: rate limits waited out, nothing posted twice."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
import requests

from newsroom.errors import OutcomeUnknown, SendError
from newsroom.publishing.http import HttpClient, wait_for
from tests.fakes.api import Answer, FakeApi, Response, Stall


def response(headers: dict) -> requests.Response:
    made = requests.Response()
    made.status_code = 429
    made.headers.update(headers)
    return made


def test_wait_for_reads_every_documented_header_shape():
    now = 1_800_000_000.0
    assert wait_for(response({"Retry-After": "7"}), now) == 7
    date = format_datetime(datetime.fromtimestamp(now + 30, timezone.utc), usegmt=True)
    assert wait_for(response({"Retry-After": date}), now) == pytest.approx(30)
    assert wait_for(response({"x-rate-limit-reset": str(int(now + 90))}), now) == 90  # X: Unix time
    iso = datetime.fromtimestamp(now + 60, timezone.utc).isoformat().replace("+00:00", "Z")
    assert wait_for(response({"X-RateLimit-Reset": iso}), now) == pytest.approx(60)  # Mastodon: ISO 8601
    assert wait_for(response({"ratelimit-reset": "12"}), now) == 12
    assert wait_for(response({}), now) is None


@pytest.fixture
def server():
    with FakeApi() as running:
        running.route("POST", "/p", lambda request: Response(200, {"id": "1"}))
        yield running


def client(**options) -> HttpClient:
    return HttpClient("Test", timeout=(1.0, 1.0), backoff=0.05, **options)


def test_a_rate_limit_reset_header_is_waited_out(server):
    server.fail("POST", "/p", Answer(429, {"error": "rate"}, {"x-rate-limit-reset": str(int(time.time()) + 2)}))
    assert client().request("POST", server.url + "/p", idempotent=False).json() == {"id": "1"}
    times = [r.at for r in server.log]
    assert len(times) == 2 and times[1] - times[0] >= 0.9  # the reset lies 1–2 s ahead


def test_a_5xx_is_retried_only_when_the_request_is_idempotent(server):
    server.fail("POST", "/p", Answer(503, {"error": "busy"}))
    assert client().request("POST", server.url + "/p", idempotent=True).status_code == 200
    server.fail("POST", "/p", Answer(503, {"error": "busy"}))
    with pytest.raises(OutcomeUnknown):
        client().request("POST", server.url + "/p", idempotent=False)
    assert len(server.log) == 3


def test_a_timeout_after_sending_is_unknown_never_retried_blindly(server):
    server.fail("POST", "/p", Stall(1.5))
    with pytest.raises(OutcomeUnknown):
        client().request("POST", server.url + "/p", idempotent=False)
    assert len(server.log) == 1


def test_other_4xx_fail_at_once(server):
    server.fail("POST", "/p", Answer(403, {"error": "forbidden"}))
    with pytest.raises(SendError) as caught:
        client().request("POST", server.url + "/p", idempotent=True)
    assert caught.value.status == 403 and not caught.value.retry and len(server.log) == 1


def test_a_refused_connection_is_retried_until_the_deadline():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    with pytest.raises(SendError) as caught:
        HttpClient("Test", deadline=0.5, backoff=0.05).request("POST", f"http://127.0.0.1:{port}/p", idempotent=False)
    assert caught.value.retry  # not sent: the next run may try again
