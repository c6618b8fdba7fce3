"""The manage and unsubscribe links: signed for one subscriber and purpose, below the public address."""

from types import SimpleNamespace

import pytest

from newsroom.errors import TokenInvalid
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.links import LINK_TTL, manage_url, unsubscribe_url
from newsroom.subscriptions.tokens import MANAGE, UNSUBSCRIBE, Tokens

SECRET = "s" * 40


def test_links_name_the_page_and_carry_a_long_lived_token_of_their_purpose():
    config = ServiceConfig.load({"SUBSCRIPTIONS_URL": "https://service.example/abo"},
                                {"NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET,
                                 "NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": "sqlite://"})
    person = SimpleNamespace(id=7, key="k" * 64)
    manage, leave = manage_url(config, person, now=1000), unsubscribe_url(config, person, now=1000)
    assert manage.startswith("https://service.example/abo/verwalten/")
    assert leave.startswith("https://service.example/abo/abmelden/")
    tokens = Tokens(SECRET)
    found = tokens.read(leave.rsplit("/", 1)[1], UNSUBSCRIBE, person.key, now=1000 + LINK_TTL - 1)
    assert (found.subscriber, tokens.read(manage.rsplit("/", 1)[1], MANAGE, person.key, now=1000).subscriber) == (7, 7)
    assert LINK_TTL >= 365 * 24 * 3600
    with pytest.raises(TokenInvalid):  # a link is bound to its purpose
        tokens.read(leave.rsplit("/", 1)[1], MANAGE, person.key, now=1000)
