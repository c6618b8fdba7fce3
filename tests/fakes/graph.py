"""What Meta's Graph APIs answer alike (graph.facebook.com and graph.threads.net), for both fakes
(meta.py, threads.py): the token as an `access_token` parameter, errors as `{"error": {message,
type, code, error_subcode, fbtrace_id}}` (an unknown token: code 190; an object that does not
exist: code 100, subcode 33), a publishing limit's quota entry, and a container's status, which
says IN_PROGRESS while Meta fetches and converts its media."""

from __future__ import annotations

from .api import Request, Response

INVALID_TOKEN = "Invalid OAuth access token - Cannot parse access token"
DAY = 86400  # seconds: the publishing limits count the last 24 hours


def error(code: int, message: str, kind: str = "OAuthException", subcode: int | None = None,
          trace: str = "AbCdEfGh123") -> dict:
    body = {"message": message, "type": kind, "code": code, "fbtrace_id": trace}
    if subcode is not None:
        body["error_subcode"] = subcode
    return {"error": body}


def token_of(request: Request) -> str | None:
    """The access token: a form field of a POST, else a query parameter."""
    return request.form().get("access_token") if request.method == "POST" else request.query.get("access_token")


def invalid_token(kind: str = "OAuthException", trace: str = "AbCdEfGh123") -> Response:
    return Response(400, error(190, INVALID_TOKEN, kind, trace=trace))


def absent(message: str, kind: str, trace: str = "AbCdEfGh123") -> Response:
    """An object that does not exist (or may not be seen with this token)."""
    return Response(400, error(100, message, kind, 33, trace))


def quota(used: int, total: int, prefix: str = "") -> dict:
    """One quota of a publishing limit's entry: `prefix` "reply_" for Threads' replies."""
    return {f"{prefix}quota_usage": used, f"{prefix}config": {"quota_total": total, "quota_duration": DAY}}


def polled(container: dict) -> str:
    """A container's status as one status question finds it: IN_PROGRESS for its first `polls_left`
    questions, then its `outcome` (FINISHED, ERROR, PUBLISHED …)."""
    if container["polls_left"]:
        container["polls_left"] -= 1
        return "IN_PROGRESS"
    return container["outcome"]


def refreshed_token(token: str) -> Response:
    """A long-lived token for another 60 days."""
    return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": 5183944})
