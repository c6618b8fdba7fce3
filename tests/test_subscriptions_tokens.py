"""Links without accounts: signed, expiring, bound to purpose and subscriber; forgeries look like every other failure."""

import pytest

from newsroom.errors import TokenInvalid
from newsroom.subscriptions.tokens import CONFIRM, MANAGE, Tokens

SECRET = "s" * 40
KEY = "k" * 64


def test_a_token_reads_back_for_its_purpose_and_subscriber():
    tokens = Tokens(SECRET)
    token = tokens.make(CONFIRM, 7, KEY, ttl=3600, now=1000)
    found = tokens.read(token, CONFIRM, KEY, now=2000)
    assert (found.purpose, found.subscriber, found.expires) == (CONFIRM, 7, 4600)


@pytest.mark.parametrize("change", ["purpose", "key", "expired", "forged", "garbage", "other secret"])
def test_every_wrong_token_is_refused_with_the_same_answer(change):
    tokens = Tokens(SECRET)
    token = tokens.make(CONFIRM, 7, KEY, ttl=3600, now=1000)
    payload, signature = token.split(".")
    cases = {
        "purpose": lambda: tokens.read(token, MANAGE, KEY, now=2000),
        "key": lambda: tokens.read(token, CONFIRM, "x" * 64, now=2000),  # the subscriber was erased and came back
        "expired": lambda: tokens.read(token, CONFIRM, KEY, now=4601),
        "forged": lambda: tokens.read(payload[:-1] + ("B" if payload[-1] == "A" else "A") + "." + signature, CONFIRM,
                                      KEY, now=2000),
        "garbage": lambda: tokens.read("<script>.x", CONFIRM, KEY, now=2000),
        "other secret": lambda: Tokens("t" * 40).read(token, CONFIRM, KEY, now=2000),
    }
    with pytest.raises(TokenInvalid):
        cases[change]()


def test_a_short_secret_is_refused():
    from newsroom.errors import NewsroomError

    with pytest.raises(NewsroomError):
        Tokens("kurz")
