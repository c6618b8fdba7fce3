"""The links every mail carries: the person's manage page and one-click unsubscribe; and the
service's own: the confirmation of a sign-up and the sign-up form's token.

All are signed tokens (tokens.py) bound to the subscriber and its own key, so they die with an
erasure; manage and unsubscribe links are long-lived, since a mail is read (and its
List-Unsubscribe used) months after it was sent. The pages behind them (pages.py) answer below
the service's path: `bestaetigen/<token>`, `verwalten/<token>` and `abmelden/<token>` (the latter
also takes RFC 8058's one-click POST).
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.orm import Session

from newsroom.errors import TokenInvalid
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.models import Subscriber
from newsroom.subscriptions.tokens import CONFIRM, FORM, MANAGE, UNSUBSCRIBE, Token, Tokens

LINK_TTL = 2 * 366 * 24 * 3600  # two years: an old mail's links keep working
FORM_HOURS = 12  # a sign-up form left open over a working day still submits
CONFIRM_PATH, MANAGE_PATH, UNSUBSCRIBE_PATH = "bestaetigen/", "verwalten/", "abmelden/"


def tokens(config: ServiceConfig) -> Tokens:
    return Tokens(config.secret)


def scope_of(subscriber: Subscriber) -> dict:
    """What a person agreed to: the consent record's scope and the confirmation link's binding."""
    chosen: dict[str, list[str]] = {}
    for selection in subscriber.selections:
        chosen.setdefault(selection.dimension, []).append(selection.value)
    return {"kind": subscriber.kind, "selections": {k: sorted(v) for k, v in sorted(chosen.items())},
            "frequency": subscriber.frequency}


def scope_digest(subscriber: Subscriber) -> str:
    text = json.dumps(scope_of(subscriber), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def confirm_url(config: ServiceConfig, subscriber: Subscriber, *, now: float | None = None) -> str:
    """Single use, valid SUBSCRIPTIONS_CONFIRM_HOURS, bound to the choices it confirms."""
    ttl = int(config.settings["SUBSCRIPTIONS_CONFIRM_HOURS"]) * 3600
    token = tokens(config).make(CONFIRM, subscriber.id, subscriber.key, ttl, now=now, v=scope_digest(subscriber))
    return f"{config.public_url}{CONFIRM_PATH}{token}"


def manage_url(config: ServiceConfig, subscriber: Subscriber, *, now: float | None = None) -> str:
    """The manage page: change, pause, unsubscribe, export, delete."""
    token = Tokens(config.secret).make(MANAGE, subscriber.id, subscriber.key, LINK_TTL, now=now)
    return f"{config.public_url}{MANAGE_PATH}{token}"


def unsubscribe_url(config: ServiceConfig, subscriber: Subscriber, *, now: float | None = None) -> str:
    """For `List-Unsubscribe` (with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`): a POST
    to it unsubscribes at once, a GET shows a page with a button."""
    token = Tokens(config.secret).make(UNSUBSCRIBE, subscriber.id, subscriber.key, LINK_TTL, now=now)
    return f"{config.public_url}{UNSUBSCRIBE_PATH}{token}"


def form_token(config, *, now: float | None = None) -> str:
    """The service's sign-up form: proves the form came from the service (CSRF) and when (fill time)."""
    return tokens(config).make(FORM, None, "", FORM_HOURS * 3600, now=now)


def read_form_token(config, token: str, *, now: float | None = None) -> Token:
    return tokens(config).read(token, FORM, "", now=now)


def subscriber_for(config, session: Session, token: str, purpose: str) -> tuple[Subscriber, Token]:
    """The subscriber a genuine, unexpired token of `purpose` names; TokenInvalid otherwise
    (also when the subscriber was erased: the key that signed it is gone)."""
    claims = tokens(config).peek(token)
    subscriber = session.get(Subscriber, claims.subscriber) if claims.subscriber is not None else None
    if subscriber is None:
        raise TokenInvalid("Der Link ist ungültig.")
    return subscriber, tokens(config).read(token, purpose, subscriber.key)
