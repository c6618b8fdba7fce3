"""The links every mail carries: the person's manage page and one-click unsubscribe.

Both are signed tokens (tokens.py) bound to the subscriber and its own key, so they die
with an erasure; they are long-lived, since a mail is read (and its List-Unsubscribe used)
months after it was sent. The pages behind them answer below the service's path:
`verwalten/<token>` and `abmelden/<token>` (the latter also takes RFC 8058's one-click POST).
"""

from __future__ import annotations

from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.models import Subscriber
from newsroom.subscriptions.tokens import MANAGE, UNSUBSCRIBE, Tokens

LINK_TTL = 2 * 366 * 24 * 3600  # two years: an old mail's links keep working
MANAGE_PATH, UNSUBSCRIBE_PATH = "verwalten/", "abmelden/"


def manage_url(config: ServiceConfig, subscriber: Subscriber, *, now: float | None = None) -> str:
    token = Tokens(config.secret).make(MANAGE, subscriber.id, subscriber.key, LINK_TTL, now=now)
    return f"{config.public_url}{MANAGE_PATH}{token}"


def unsubscribe_url(config: ServiceConfig, subscriber: Subscriber, *, now: float | None = None) -> str:
    token = Tokens(config.secret).make(UNSUBSCRIBE, subscriber.id, subscriber.key, LINK_TTL, now=now)
    return f"{config.public_url}{UNSUBSCRIBE_PATH}{token}"
