"""Bluesky corrections and withdrawals through the real publish run: a reply whose refs are the
first post's uri and CID, deleteRecord for every post; each exactly once."""

from __future__ import annotations

import time

import pytest
import yaml

from tests.fakes.api import Answer, Drop
from tests.fakes.bluesky import LIMITS, FakeBluesky
from tests.publishing_support import STORY_ID, commit_and_push, due_story, origin_receipt, publish
from tests.social.support import CORRECTED as FIRST
from tests.social.support import CORRECTION, URL, WITHDRAWAL
from tests.social.support import WITHDRAWN as GONE

CHANNELS = "\n  bluesky: true"
CREATE, DELETE = "/xrpc/com.atproto.repo.createRecord", "/xrpc/com.atproto.repo.deleteRecord"
GET = "/xrpc/com.atproto.repo.getRecord"


@pytest.fixture
def pds():
    with FakeBluesky() as server:
        yield server


def sent_story(site, pds) -> dict:
    due_story(site, channels=CHANNELS)
    commit_and_push(site)
    assert [o.status for o in publish(site, environ=pds.env).outcomes] == ["sent"]
    [record] = pds.records.values()
    return record


def correct(site) -> None:
    due_story(site, channels=CHANNELS, corrections=CORRECTION)
    commit_and_push(site, "Berichtigung", "2026-11-26 13:05")


def withdraw(site) -> None:
    due_story(site, channels=CHANNELS, status="withdrawn", withdrawal=WITHDRAWAL)
    commit_and_push(site, "Rücknahme", "2026-11-26 13:01")


def outcomes(report) -> list[tuple[str, str, str]]:
    return [(o.story_id, o.channel, o.status) for o in report.outcomes]


def reads_of(pds, record: dict) -> list:
    return [r for r in pds.calls("GET", GET) if r.query.get("rkey") == record["uri"].rsplit("/", 1)[-1]]


def test_a_correction_replies_to_the_first_post_by_uri_and_cid_once(site, pds):
    first = sent_story(site, pds)
    assert origin_receipt(site)["channels"]["bluesky"]["detail"]["cid"] == first["cid"]
    before = len(reads_of(pds, first))  # the first send's own lookup
    correct(site)
    report = publish(site, now="2026-11-26 13:10", environ=pds.env)
    assert outcomes(report) == [(FIRST, "bluesky", "sent")]
    [reply] = pds.replies_to(first["uri"])
    ref = {"uri": first["uri"], "cid": first["cid"]}
    value = reply["value"]
    assert value["reply"] == {"root": ref, "parent": ref}
    assert value["text"] == ("Berichtigung vom 26.11.2026, 13:00 Uhr zu unserer Meldung „Neue Radwege am "
                             "Rheinufer“: Falsch war: Die Sperrung dauert bis Freitag. Richtig ist: Die Sperrung "
                             f"dauert bis Sonntag.\n\n{URL}")
    [link] = value["facets"]
    data = value["text"].encode("utf-8")
    assert data[link["index"]["byteStart"]:link["index"]["byteEnd"]] == URL.encode()
    assert value["langs"] == ["de"] and "embed" not in value
    record = origin_receipt(site, FIRST)["channels"]["bluesky"]
    assert (record["remote_id"], record["detail"]["cid"]) == (reply["uri"], reply["cid"])
    assert len(reads_of(pds, first)) == before  # the CID came from the record of sends
    # Re-running sends nothing.
    assert publish(site, now="2026-11-26 13:20", environ=pds.env).outcomes == []
    assert len(pds.records) == 2 and len(pds.calls("POST", CREATE)) == 2


def test_a_first_send_recorded_without_cid_is_answered_with_the_cid_read_once(site, pds):
    first = sent_story(site, pds)
    site.repo.git.pull("--rebase", "origin", "main")
    path = site.content / "receipts" / f"{STORY_ID}.yml"
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    del saved["channels"]["bluesky"]["detail"]["cid"]  # as sends recorded before CIDs were kept
    path.write_text(yaml.safe_dump(saved, allow_unicode=True, sort_keys=False), encoding="utf-8")
    commit_and_push(site, "Versandprotokoll ohne CID", "2026-11-26 12:30")
    before = len(reads_of(pds, first))
    correct(site)
    report = publish(site, now="2026-11-26 13:10", environ=pds.env)
    assert outcomes(report) == [(FIRST, "bluesky", "sent")]
    [reply] = pds.replies_to(first["uri"])
    ref = {"uri": first["uri"], "cid": first["cid"]}
    assert reply["value"]["reply"] == {"root": ref, "parent": ref}
    assert len(reads_of(pds, first)) == before + 1


@pytest.mark.parametrize("fault", ["lost-answer", "429"])
def test_a_correction_is_posted_once_across_a_lost_answer_and_a_429(site, pds, fault):
    first = sent_story(site, pds)
    correct(site)
    if fault == "429":
        pds.fail("POST", CREATE, Answer(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                                        {**LIMITS, "ratelimit-remaining": "0",
                                         "ratelimit-reset": str(int(time.time()) + 2)}))
    else:
        pds.fail("POST", CREATE, Drop())  # the reply is created, then the connection closes
    report = publish(site, now="2026-11-26 13:10", environ=pds.env)
    assert outcomes(report) == [(FIRST, "bluesky", "sent")]
    [reply] = pds.replies_to(first["uri"])
    assert origin_receipt(site, FIRST)["channels"]["bluesky"]["remote_id"] == reply["uri"]
    assert pds.too_early == [] and len(pds.records) == 2
    assert publish(site, now="2026-11-26 13:20", environ=pds.env).outcomes == []
    assert len(pds.records) == 2


def test_a_withdrawal_deletes_the_post_once(site, pds):
    first = sent_story(site, pds)
    withdraw(site)
    pds.fail("POST", DELETE, Answer(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                                    {**LIMITS, "ratelimit-remaining": "0",
                                     "ratelimit-reset": str(int(time.time()) + 2)}))
    report = publish(site, now="2026-11-26 13:05", environ=pds.env)
    assert outcomes(report) == [(GONE, "bluesky", "sent")]
    rkey = first["uri"].rsplit("/", 1)[-1]
    assert pds.records == {} and pds.deleted == [rkey] and pds.too_early == []
    assert pds.calls("POST", DELETE)[-1].json() == {"repo": first["uri"].split("/")[2],
                                                     "collection": "app.bsky.feed.post", "rkey": rkey}
    record = origin_receipt(site, GONE)["channels"]["bluesky"]
    assert record["detail"]["deleted"] == {first["uri"]: "gelöscht"} and record["finished"]
    assert publish(site, now="2026-11-26 13:10", environ=pds.env).outcomes == []
    assert len(pds.calls("POST", DELETE)) == 2  # the 429 and the delete, nothing after


@pytest.mark.parametrize("how", ["by-hand", "lost-answer"])
def test_a_post_already_gone_counts_as_deleted(site, pds, how):
    first = sent_story(site, pds)
    withdraw(site)
    if how == "by-hand":
        pds.records.clear()  # deleted in the app before the withdrawal
    else:
        pds.fail("POST", DELETE, Drop())  # deleted, then the connection closes; the repeat finds nothing
    report = publish(site, now="2026-11-26 13:05", environ=pds.env)
    assert outcomes(report) == [(GONE, "bluesky", "sent")]
    assert pds.records == {}
    record = origin_receipt(site, GONE)["channels"]["bluesky"]
    assert record["detail"]["deleted"] == {first["uri"]: "schon gelöscht"}
    assert publish(site, now="2026-11-26 13:10", environ=pds.env).outcomes == []


def test_a_withdrawal_after_a_correction_deletes_the_reply_then_the_post(site, pds):
    first = sent_story(site, pds)
    correct(site)
    assert outcomes(publish(site, now="2026-11-26 13:10", environ=pds.env)) == [(FIRST, "bluesky", "sent")]
    [reply] = pds.replies_to(first["uri"])
    due_story(site, channels=CHANNELS, corrections=CORRECTION, status="withdrawn",
              withdrawal=WITHDRAWAL.replace("13:00", "14:00"))
    commit_and_push(site, "Rücknahme", "2026-11-26 14:01")
    report = publish(site, now="2026-11-26 14:05", environ=pds.env)
    assert outcomes(report) == [(GONE, "bluesky", "sent")]
    assert pds.records == {} and pds.deleted == [reply["uri"].rsplit("/", 1)[-1], first["uri"].rsplit("/", 1)[-1]]
    record = origin_receipt(site, GONE)["channels"]["bluesky"]
    assert record["detail"]["deleted"] == {reply["uri"]: "gelöscht", first["uri"]: "gelöscht"}
    assert publish(site, now="2026-11-26 14:10", environ=pds.env).outcomes == []
