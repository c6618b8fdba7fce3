"""X corrections and withdrawals through the real publish run: a reply to the first post, found
again among the latest posts (X has no idempotency key), DELETE for every post; each exactly once."""

from __future__ import annotations

import time

import pytest

from tests.fakes.api import Answer, Drop
from tests.fakes.x import FakeX
from tests.publishing_support import commit_and_push, due_story, origin_receipt, publish
from tests.social.support import CORRECTED as FIRST
from tests.social.support import CORRECTION, URL, WITHDRAWAL
from tests.social.support import WITHDRAWN as GONE

CHANNELS = "\n  x: true"
TWEETS = "/2/tweets"


@pytest.fixture
def x():
    with FakeX() as server:
        yield server


def sent_story(site, x) -> dict:
    due_story(site, channels=CHANNELS)
    commit_and_push(site)
    assert [o.status for o in publish(site, environ=x.env).outcomes] == ["sent"]
    [tweet] = x.tweets
    return tweet


def correct(site) -> None:
    due_story(site, channels=CHANNELS, corrections=CORRECTION)
    commit_and_push(site, "Berichtigung", "2026-11-26 13:05")


def withdraw(site) -> None:
    due_story(site, channels=CHANNELS, status="withdrawn", withdrawal=WITHDRAWAL)
    commit_and_push(site, "Rücknahme", "2026-11-26 13:01")


def outcomes(report) -> list[tuple[str, str, str]]:
    return [(o.story_id, o.channel, o.status) for o in report.outcomes]


def too_many(seconds: float = 2) -> Answer:
    return Answer(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                        "status": 429},
                  {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                   "x-rate-limit-reset": str(int(time.time() + seconds))})


def test_a_correction_replies_to_the_first_post_once(site, x):
    first = sent_story(site, x)
    correct(site)
    report = publish(site, now="2026-11-26 13:10", environ=x.env)
    assert outcomes(report) == [(FIRST, "x", "sent")]
    [reply] = x.replies_to(first["id"])
    assert reply["original"] == ("Berichtigung vom 26.11.2026, 13:00 Uhr zu unserer Meldung „Neue Radwege am "
                                 "Rheinufer“: Falsch war: Die Sperrung dauert bis Freitag. Richtig ist: Die "
                                 f"Sperrung dauert bis Sonntag.\n\n{URL}")
    assert x.calls("POST", TWEETS)[-1].json() == {"text": reply["original"],
                                                   "reply": {"in_reply_to_tweet_id": first["id"]}}
    record = origin_receipt(site, FIRST)["channels"]["x"]
    assert (record["status"], record["remote_id"]) == ("sent", reply["id"])
    assert record["url"] == f"https://x.com/i/web/status/{reply['id']}"
    assert publish(site, now="2026-11-26 13:20", environ=x.env).outcomes == []
    assert len(x.tweets) == 2 and len(x.calls("POST", TWEETS)) == 2


@pytest.mark.parametrize("fault", ["lost-answer", "429"])
def test_a_correction_is_posted_once_across_a_lost_answer_and_a_429(site, x, fault):
    first = sent_story(site, x)
    correct(site)
    x.fail("POST", TWEETS, Drop() if fault == "lost-answer" else too_many())
    report = publish(site, now="2026-11-26 13:10", environ=x.env)
    assert outcomes(report) == [(FIRST, "x", "sent")]
    [reply] = x.replies_to(first["id"])
    assert origin_receipt(site, FIRST)["channels"]["x"]["remote_id"] == reply["id"]
    assert x.too_early == [] and len(x.tweets) == 2
    assert publish(site, now="2026-11-26 13:20", environ=x.env).outcomes == []
    assert len(x.tweets) == 2


def test_a_reply_of_another_correction_is_not_taken_for_this_one(site, x):
    first = sent_story(site, x)
    x.tweets.append({"id": "1860000000000000999", "text": "Berichtigung vom 25.11.2026, 09:00 Uhr …",
                     "original": "Berichtigung vom 25.11.2026, 09:00 Uhr …", "entities": {"urls": []},
                     "media": [], "referenced_tweets": [{"type": "replied_to", "id": first["id"]}]})
    correct(site)
    x.fail("POST", TWEETS, Drop())
    report = publish(site, now="2026-11-26 13:10", environ=x.env)
    assert outcomes(report) == [(FIRST, "x", "sent")]
    found = origin_receipt(site, FIRST)["channels"]["x"]["remote_id"]
    assert found != "1860000000000000999" and len(x.replies_to(first["id"])) == 2


def test_a_withdrawal_deletes_the_post_once(site, x):
    first = sent_story(site, x)
    withdraw(site)
    x.fail("DELETE", f"{TWEETS}/{first['id']}", too_many())
    report = publish(site, now="2026-11-26 13:05", environ=x.env)
    assert outcomes(report) == [(GONE, "x", "sent")]
    assert x.tweets == [] and x.deleted == [first["id"]] and x.too_early == []
    record = origin_receipt(site, GONE)["channels"]["x"]
    assert record["detail"]["deleted"] == {first["id"]: "gelöscht (200)"} and record["finished"]
    assert publish(site, now="2026-11-26 13:10", environ=x.env).outcomes == []
    assert len(x.calls("DELETE", rf"{TWEETS}/\d+")) == 2  # the 429 and the delete, nothing after


@pytest.mark.parametrize("how", ["by-hand", "lost-answer"])
def test_a_post_already_gone_counts_as_deleted(site, x, how):
    first = sent_story(site, x)
    withdraw(site)
    if how == "by-hand":
        x.tweets.clear()  # deleted in the app before the withdrawal
    else:
        x.fail("DELETE", f"{TWEETS}/{first['id']}", Drop())  # deleted, then the answer is lost: the repeat is a 404
    report = publish(site, now="2026-11-26 13:05", environ=x.env)
    assert outcomes(report) == [(GONE, "x", "sent")] and x.tweets == []
    record = origin_receipt(site, GONE)["channels"]["x"]
    assert record["detail"]["deleted"] == {first["id"]: "schon gelöscht (404)"}
    assert publish(site, now="2026-11-26 13:10", environ=x.env).outcomes == []


def test_a_withdrawal_after_a_correction_deletes_the_reply_then_the_post(site, x):
    first = sent_story(site, x)
    correct(site)
    assert outcomes(publish(site, now="2026-11-26 13:10", environ=x.env)) == [(FIRST, "x", "sent")]
    [reply] = x.replies_to(first["id"])
    due_story(site, channels=CHANNELS, corrections=CORRECTION, status="withdrawn",
              withdrawal=WITHDRAWAL.replace("13:00", "14:00"))
    commit_and_push(site, "Rücknahme", "2026-11-26 14:01")
    report = publish(site, now="2026-11-26 14:05", environ=x.env)
    assert outcomes(report) == [(GONE, "x", "sent")]
    assert x.tweets == [] and x.deleted == [reply["id"], first["id"]]
    record = origin_receipt(site, GONE)["channels"]["x"]
    assert record["detail"]["deleted"] == {reply["id"]: "gelöscht (200)", first["id"]: "gelöscht (200)"}
    assert publish(site, now="2026-11-26 14:10", environ=x.env).outcomes == []
