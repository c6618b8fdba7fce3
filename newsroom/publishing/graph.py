"""Meta's Graph API as the Facebook and Instagram adapters meet it: errors and rate limits.

Errors come as `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`,
usually with HTTP 400 or 403. Throttling is not a 429 but an error code: 4 (app), 17
(user), 32 (Page), 613 (custom), 80001–80014 (Business Use Case limits of Page and
Instagram tokens). How long to wait is in the usage headers (`X-Business-Use-Case-Usage`:
`estimated_time_to_regain_access` in minutes). Code 9 with subcode 2207042 is Instagram's
publishing limit (posts per 24 hours): nothing to wait for within one run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # requests is imported where a request is made: builds need not load it
    import requests

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
PUBLISHING_LIMIT = (9, 2207042)
DAY = 24 * 3600.0
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-Page-Usage", "X-App-Usage", "X-Ad-Account-Usage")


def api_url(base_url: str, settings: dict) -> str:
    """The versioned Graph API root, e.g. https://graph.facebook.com/v26.0."""
    return f"{base_url}/{settings['META_GRAPH_API_VERSION']}"


def error_of(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def regain_seconds(headers) -> float | None:
    """The longest `estimated_time_to_regain_access` (minutes) any usage header reports."""
    minutes: list[float] = []

    def collect(node) -> None:
        if isinstance(node, dict):
            value = node.get("estimated_time_to_regain_access")
            if isinstance(value, (int, float)):
                minutes.append(float(value))
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    for name in USAGE_HEADERS:
        if name in headers:
            try:
                collect(json.loads(headers[name]))
            except ValueError:
                continue
    return max(minutes) * 60 if minutes else None


def limited(response: requests.Response) -> bool | float:
    """For HttpClient: False for an ordinary error; True (back off) or the seconds to wait
    when the error says a rate limit was reached."""
    error = error_of(response)
    code, subcode = error.get("code"), error.get("error_subcode")
    if (code, subcode) == PUBLISHING_LIMIT:
        return DAY  # beyond any run's deadline: the next run tries again
    if code not in RATE_LIMIT_CODES:
        return False
    return regain_seconds(response.headers) or True



def token_expiry(client, graph_url: str, token: str):
    """When a Page or Instagram token stops working, as /debug_token says (`expires_at`, and
    `data_access_expires_at` after which it may read nothing); None when it never expires.
    The token asks about itself: both come from the same app."""
    from datetime import datetime

    from newsroom.dates import BERLIN

    answer = client.request("GET", f"{graph_url}/debug_token", idempotent=True, limited=limited,
                            params={"input_token": token, "access_token": token}).json().get("data") or {}
    moments = [int(answer.get(k) or 0) for k in ("expires_at", "data_access_expires_at")]
    moments = [m for m in moments if m > 0]
    return datetime.fromtimestamp(min(moments), BERLIN) if moments else None


def missing(response) -> bool:
    """Graph's answer for an object that does not exist: error 100, subcode 33."""
    error = error_of(response)
    return (error.get("code"), error.get("error_subcode")) == (100, 33)


def delete(client, url: str, auth: dict, label: str) -> str:
    """DELETE of a Graph node (a Page post, a Threads post) for `Channel.delete_each`: German, a node
    already gone counts as deleted. 400 is taken as an answer only for "does not exist"; rate limits wait."""
    from newsroom.errors import SendError
    from newsroom.publishing.http import describe

    response = client.request("DELETE", url, idempotent=True, limited=limited, accept=(400, 404), params=auth)
    if response.status_code == 404 or missing(response):
        return f"schon gelöscht ({response.status_code}, nicht mehr vorhanden)"
    if response.status_code == 400:
        raise SendError(f"{label}: HTTP 400: {describe(response)}", status=400)
    return f"gelöscht ({response.status_code})"
