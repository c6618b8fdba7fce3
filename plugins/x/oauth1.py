"""OAuth 1.0a request signing (RFC 5849, HMAC-SHA1) as X's user-context endpoints want it.

A `requests` auth object: every attempt, retries included, is signed anew with a fresh
nonce and timestamp. Query parameters and form-encoded bodies are part of the signature;
JSON and multipart bodies are not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import requests


def percent(value: str) -> str:
    return quote(str(value), safe="~")


def base_string(method: str, url: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    base_url = urlunsplit((scheme, host, parts.path or "/", "", ""))
    pairs = sorted((percent(k), percent(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join((method.upper(), percent(base_url), percent(normalized)))


def signature(method: str, url: str, params: list[tuple[str, str]], consumer_secret: str, token_secret: str) -> str:
    key = f"{percent(consumer_secret)}&{percent(token_secret)}".encode()
    digest = hmac.new(key, base_string(method, url, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class OAuth1(requests.auth.AuthBase):
    def __init__(self, consumer_key: str, consumer_secret: str, token: str, token_secret: str):
        self.consumer_key, self.consumer_secret = consumer_key, consumer_secret
        self.token, self.token_secret = token, token_secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        oauth = {"oauth_consumer_key": self.consumer_key, "oauth_nonce": secrets.token_hex(16),
                 "oauth_signature_method": "HMAC-SHA1", "oauth_timestamp": str(int(time.time())),
                 "oauth_token": self.token, "oauth_version": "1.0"}
        params = parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
        kind = request.headers.get("Content-Type", "")
        if kind.startswith("application/x-www-form-urlencoded") and request.body:
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            params += parse_qsl(body, keep_blank_values=True)
        oauth["oauth_signature"] = signature(request.method, request.url, params + list(oauth.items()),
                                             self.consumer_secret, self.token_secret)
        request.headers["Authorization"] = "OAuth " + ", ".join(
            f'{percent(k)}="{percent(v)}"' for k, v in sorted(oauth.items()))
        return request
