"""What is due, decided from cards and records (no network, no git)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from types import SimpleNamespace

from newsroom.dates import BERLIN
from newsroom.publishing.plan import make_plan, this_run
from newsroom.publishing.records import ChannelRecord, Receipt

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN)


def card(story_id="s1", hours_ago=1.0, status="published", channels=("press", "mastodon"), embargo_hours_ago=None):
    ts = (NOW - timedelta(hours=hours_ago)).timestamp()
    embargo = (NOW - timedelta(hours=embargo_hours_ago)).timestamp() if embargo_hours_ago is not None else None
    return SimpleNamespace(id=story_id, source=f"content/stories/{story_id}.md", title=story_id, ts=ts,
                           status=status, channels=channels, embargo_ts=embargo, former_ids=(), key=story_id)


def plan(cards, receipts=None, **options):
    receipts = receipts or {}
    return make_plan(cards, receipts.get, set(receipts), NOW, window_hours=48, lease_seconds=1800,
                     overview_days=14, ahead=("press",), **options)


def states(result):
    return {(e.story_id, e.channel): e.state for e in result.entries}


def test_the_press_goes_out_at_the_embargo_time_other_channels_wait_for_the_public_time():
    result = plan([card(hours_ago=-2, embargo_hours_ago=0.5)])
    assert states(result) == {("s1", "press"): "due", ("s1", "mastodon"): "scheduled"}
    assert states(plan([card(hours_ago=-2, embargo_hours_ago=-1)])) == {("s1", "press"): "scheduled",
                                                                         ("s1", "mastodon"): "scheduled"}


def test_window_drafts_and_explicit_requests():
    result = plan([card("new", 47), card("old", 49), card("draft", 1, status="draft"), card("ancient", 24 * 30)])
    assert states(result) == {("new", "press"): "due", ("new", "mastodon"): "due", ("old", "press"): "outside",
                              ("old", "mastodon"): "outside", ("draft", "press"): "draft",
                              ("draft", "mastodon"): "draft"}
    assert [item[0] for item in result.older_unsent] == ["ancient"]
    chosen = plan([card("ancient", 24 * 30)], story="ancient", channel="mastodon")
    assert states(chosen) == {("ancient", "mastodon"): "due"}


def record(status, run=None, minutes_ago=1):
    claimed = (datetime.now(BERLIN) - timedelta(minutes=minutes_ago)).isoformat()
    return ChannelRecord(status, "s1-mastodon-1", run or this_run(), claimed)


def test_claims_of_live_runs_are_left_alone_dead_or_expired_ones_are_recovered():
    def with_claim(run, minutes_ago=1):
        receipts = {"s1": Receipt("s1", {"mastodon": record("claimed", run, minutes_ago)})}
        return states(plan([card(channels=("mastodon",))], receipts))[("s1", "mastodon")]

    assert with_claim(this_run()) == "in_flight"  # this very process is alive
    assert with_claim(f"{os.uname().nodename}:999999999") == "recover"  # no such process here
    assert with_claim("other-runner:42") == "in_flight"  # another host, lease not over
    assert with_claim("other-runner:42", minutes_ago=31) == "recover"


def test_sent_is_final_failed_and_unknown_wait_for_a_person():
    for status, automatic, explicit in [("sent", "sent", "sent"), ("failed", "failed", "resend"),
                                        ("unknown", "unknown", "resend"), ("retry", "due", "due")]:
        receipts = {"s1": Receipt("s1", {"mastodon": record(status)})}
        cards = [card(channels=("mastodon",))]
        assert states(plan(cards, receipts))[("s1", "mastodon")] == automatic, status
        assert states(plan(cards, receipts, story="s1"))[("s1", "mastodon")] == explicit, status
