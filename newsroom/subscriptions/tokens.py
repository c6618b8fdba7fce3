"""Signed, expiring links: no account and no password, the link in the mail is the proof.

A token is `<payload>.<signature>` in URL-safe base64: the payload names its purpose, the
subscriber, an id (`jti`) and its expiry; the signature is HMAC-SHA256 with the service secret
and the subscriber's own key, so a token dies with the subscriber's erasure. Single-use
purposes (a confirmation) record their jti in `used_token` when used. Every failure gives the
same answer (TokenInvalid), whether forged, expired, used or of an erased subscriber.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from newsroom.errors import NewsroomError, TokenInvalid

CONFIRM, MANAGE, UNSUBSCRIBE, FORM = "bestaetigen", "verwalten", "abmelden", "formular"
PURPOSES = (CONFIRM, MANAGE, UNSUBSCRIBE, FORM)
MAX_LENGTH = 600


@dataclass(frozen=True)
class Token:
    purpose: str
    subscriber: int | None
    jti: str
    expires: int  # Unix time
    issued: int
    extra: dict


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Tokens:
    def __init__(self, secret: str):
        if len(secret) < 32:
            raise NewsroomError("NEWSROOM_SUBSCRIPTIONS_SECRET ist zu kurz (mindestens 32 Zeichen).")
        self._secret = secret.encode("utf-8")

    def _sign(self, payload: str, subscriber_key: str) -> str:
        key = self._secret + b"\0" + subscriber_key.encode("utf-8")
        return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())

    def make(self, purpose: str, subscriber: int | None, subscriber_key: str, ttl: int, *,
             now: float | None = None, **extra) -> str:
        issued = int(now if now is not None else time.time())
        body = {"p": purpose, "s": subscriber, "j": secrets.token_hex(12), "e": issued + ttl, "i": issued, **extra}
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        return f"{payload}.{self._sign(payload, subscriber_key)}"

    def peek(self, token: str) -> Token:
        """The token's claims without checking the signature (to find whose key checks it)."""
        try:
            if not isinstance(token, str) or len(token) > MAX_LENGTH or token.count(".") != 1:
                raise ValueError
            body = json.loads(_unb64(token.split(".")[0]))
            extra = {k: v for k, v in body.items() if k not in "psjei"}
            found = Token(str(body["p"]), body["s"] if isinstance(body["s"], int) else None, str(body["j"]),
                          int(body["e"]), int(body["i"]), extra)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise TokenInvalid("Der Link ist ungültig.") from None
        return found

    def read(self, token: str, purpose: str, subscriber_key: str, *, now: float | None = None) -> Token:
        """The token's claims if it is genuine, of this purpose, signed for this subscriber and not expired."""
        found = self.peek(token)
        payload, signature = token.split(".")
        good = hmac.compare_digest(signature, self._sign(payload, subscriber_key))
        if not good or found.purpose != purpose or found.expires < (now if now is not None else time.time()):
            raise TokenInvalid("Der Link ist ungültig oder abgelaufen.")
        return found
