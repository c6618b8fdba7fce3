"""Keyed hashes: what the service and the record of sends may keep instead of personal data."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_key() -> str:
    """A subscriber's own key: 32 random bytes. Erasing it makes every hash made with it unlinkable."""
    return secrets.token_hex(32)


def keyed(key: str, *parts: str, length: int = 32) -> str:
    message = "\0".join(parts).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()[:length]


def client_hash(secret: str, address: str) -> str:
    """A client (IP address) as the consent record and rate limits may keep it: never the address itself."""
    return keyed(secret, "client", address, length=24)


def address_hash(secret: str, email: str) -> str:
    """An e-mail address as a rate-limit bucket."""
    return keyed(secret, "address", email.casefold(), length=32)


def subscriber_ref(subscriber_key: str) -> str:
    """How the consent record names a subscriber: keyed with the subscriber's own key."""
    return keyed(subscriber_key, "consent", length=32)
