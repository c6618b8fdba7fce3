"""Threads on Mastodon and Bluesky through the real publish run: an editor's own text too long for
one post goes out as numbered replies, each part exactly once across a lost answer, a run killed
between parts and a withdrawal; the picture with its alt text, the Thema's content warning or
self-label on every part."""

from __future__ import annotations

import html
import re

import git
import pytest
import yaml

from tests.fakes.api import Drop
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.publishing_support import fresh_clone, origin_receipt, publish_killed, start_publish
from tests.social.support import (
    CORRECTED,
    CORRECTION,
    STORY_ID,
    URL,
    WITHDRAWAL,
    WITHDRAWN,
    amend,
    due,
    first_send,
    follow_up,
    publish,
    receipt,
    statuses,
)
from tests.support import seeded_origin, story_text

STATUSES, MEDIA = "/api/v1/statuses", "/api/v2/media"
CREATE = "/xrpc/com.atproto.repo.createRecord"
SENTENCE = "Die neuen Radwege am Rhein sind breit, hell und sicher. "
LONG = {"mastodon": SENTENCE * 22,  # 1,231 characters: three statuses of at most 500
        "bluesky": SENTENCE * 10}  # 559 graphemes: three posts of at most 300
KEY = f"{STORY_ID}-mastodon-1"


def own(channel: str) -> str:
    return f'\n  {channel}:\n    text: "{LONG[channel].strip()}"'


def text_of(status: dict) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", status["content"]))


def numbers(text: str) -> str:
    return "".join(re.findall(r"\(\d/\d\)", text))


def chained(server: FakeMastodon) -> list[str]:
    """The instance's statuses as one thread: each a reply to the one before; their texts."""
    assert [s["in_reply_to_id"] for s in server.statuses] == [None, *(s["id"] for s in server.statuses[:-1])]
    return [text_of(s) for s in server.statuses]


# -- Mastodon ---------------------------------------------------------------------------------------

def test_mastodon_posts_a_thread_of_replies_with_warning_picture_and_alt_text(site):
    with FakeMastodon() as instance:
        due(site, own("mastodon"), image="fotos/rhein.jpg")
        report = publish(site, instance.env, settings={"MASTODON_CONTENT_WARNINGS": {"Verkehr": "Baustelle"}})
        assert statuses(report) == ["sent"]
        texts = chained(instance)
        assert [numbers(t) for t in texts] == ["(1/3)", "(2/3)", "(3/3)"] and texts[0].startswith(SENTENCE)
        assert texts[0].endswith(f"(1/3)\n\n{URL}")
        assert URL in instance.statuses[0]["content"] and all(URL not in s["content"] for s in instance.statuses[1:])
        joined = " ".join(re.sub(r" \(\d/3\)$", "", t.replace(f"\n\n{URL}", "")) for t in texts)
        assert joined == LONG["mastodon"].strip()  # split at sentences, nothing lost
        posts = instance.calls("POST", STATUSES)
        assert [p.header("idempotency-key") for p in posts] == [KEY, f"{KEY}#2", f"{KEY}#3"]
        forms = [p.form() for p in posts]
        assert [f.get("spoiler_text") for f in forms] == ["Baustelle"] * 3
        assert all(len(f["status"]) - len(URL) + 23 + len("Baustelle") <= 500 for f in forms)
        [upload] = instance.calls("POST", MEDIA)
        assert upload.multipart()["description"] == "Blick über den Rhein".encode()
        assert "media_ids[]" in forms[0] and not any("media_ids[]" in f for f in forms[1:])
        saved = receipt(site)["channels"]["mastodon"]
        assert saved["detail"]["thread"] == [s["id"] for s in instance.statuses]
        assert saved["remote_id"] == instance.statuses[0]["id"] and saved["url"] == instance.statuses[0]["url"]


def test_mastodon_a_lost_answer_on_the_second_part_makes_no_duplicate(site):
    with FakeMastodon() as instance:
        due(site, own("mastodon"))
        # The second status is created, then the connection closes before its answer.
        instance.on_write = lambda count: count == 1 and instance.fail("POST", STATUSES, Drop())
        assert statuses(publish(site, instance.env)) == ["sent"]
        assert len(chained(instance)) == 3
        keys = [p.header("idempotency-key") for p in instance.calls("POST", STATUSES)]
        assert keys == [KEY, f"{KEY}#2", f"{KEY}#2", f"{KEY}#3"]  # the repeat with the same key


def test_mastodon_withdrawal_deletes_every_part_and_a_correction_answers_the_first(site):
    with FakeMastodon() as instance:
        first_send(site, own("mastodon"), instance.env)
        ids = [s["id"] for s in instance.statuses]
        amend(site, own("mastodon"), corrections=CORRECTION)
        assert statuses(follow_up(site, instance.env)) == ["sent"]
        [reply] = instance.replies_to(ids[0])[1:]  # after the thread's second part
        assert text_of(reply).startswith("Berichtigung vom 26.11.2026, 13:00 Uhr")
        amend(site, own("mastodon"), corrections=CORRECTION, status="withdrawn",
              withdrawal=WITHDRAWAL.replace("13:00", "14:00"))
        assert statuses(follow_up(site, instance.env, now="2026-11-26 14:05")) == ["sent"]
        assert instance.deleted == [reply["id"], *ids] and instance.statuses == []
        deleted = origin_receipt(site, WITHDRAWN)["channels"]["mastodon"]["detail"]["deleted"]
        assert list(deleted) == [reply["id"], *ids]
        assert origin_receipt(site, CORRECTED)["channels"]["mastodon"]["remote_id"] == reply["id"]


def test_mastodon_more_parts_than_allowed_are_refused_with_channel_and_count(site):
    from newsroom.errors import ContentErrors

    site.story(channels=own("mastodon"))
    with pytest.raises(ContentErrors) as caught:
        site.check(SOCIAL_THREAD_MAX_POSTS=2)
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.mastodon“: Mastodon: Der eigene Text braucht 3 Beiträge (je "
        "höchstens 500 Zeichen), erlaubt sind 2 (SOCIAL_THREAD_MAX_POSTS). Bitte unter channels.mastodon.text "
        "kürzen."]


# -- Bluesky ----------------------------------------------------------------------------------------

def bluesky_thread(pds: FakeBluesky) -> list[dict]:
    [first] = [r for r in pds.records.values() if "reply" not in r["value"]]
    records = pds.thread_of(first["uri"])
    root = {"uri": first["uri"], "cid": first["cid"]}
    for before, record in zip(records, records[1:]):
        assert record["value"]["reply"] == {"root": root, "parent": {"uri": before["uri"], "cid": before["cid"]}}
    return records


def test_bluesky_posts_a_thread_with_its_picture_alt_text_and_self_label(site):
    with FakeBluesky() as pds:
        due(site, own("bluesky"), image="fotos/rhein.jpg")
        report = publish(site, pds.env, settings={"BLUESKY_SELF_LABELS": {"Verkehr": "graphic-media"}})
        assert statuses(report) == ["sent"]
        records = bluesky_thread(pds)
        assert len(records) == len(pds.records) == 3
        values = [r["value"] for r in records]
        assert values[0]["text"] == f"{SENTENCE * 2}{SENTENCE.strip()} (1/3)\n\n{URL}"
        assert values[1]["text"] == f"{SENTENCE * 4}{SENTENCE.strip()} (2/3)"
        assert values[2]["text"] == f"{SENTENCE}{SENTENCE.strip()} (3/3)"
        assert [v["labels"]["values"] for v in values] == [[{"val": "graphic-media"}]] * 3
        [picture] = values[0]["embed"]["images"]
        assert picture["alt"] == "Blick über den Rhein" and all("embed" not in v for v in values[1:])
        saved = receipt(site)["channels"]["bluesky"]["detail"]
        assert saved["thread"] == [r["uri"] for r in records] and saved["cids"] == [r["cid"] for r in records]
        assert saved["cid"] == records[0]["cid"]


def test_bluesky_a_lost_answer_on_the_second_part_makes_no_duplicate(site):
    with FakeBluesky() as pds:
        due(site, own("bluesky"))
        pds.on_write = lambda count: count == 1 and pds.fail("POST", CREATE, Drop())
        assert statuses(publish(site, pds.env)) == ["sent"]
        assert len(bluesky_thread(pds)) == len(pds.records) == 3
        assert receipt(site)["channels"]["bluesky"]["detail"]["thread"] == [r["uri"] for r in bluesky_thread(pds)]


def test_bluesky_a_thread_sent_under_other_record_keys_is_found_by_address_and_replies(site):
    with FakeBluesky() as pds:
        due(site, own("bluesky"))
        assert statuses(publish(site, pds.env)) == ["sent"]
        uris = [r["uri"] for r in bluesky_thread(pds)]
        # The record of sends is lost and the story's time moved: other record keys, the same posts.
        site.repo.git.pull("--ff-only", "origin", "main")
        site.repo.git.rm(f"content/receipts/{STORY_ID}.yml")
        due(site, own("bluesky"), date="2026-11-26 09:01")
        report = publish(site, pds.env)
        assert statuses(report) == ["sent"] and report.outcomes[0].message == "beim Kanal gefunden (früher gesendet)"
        assert len(pds.records) == 3 and receipt(site)["channels"]["bluesky"]["detail"]["thread"] == uris


def test_bluesky_withdrawal_deletes_every_part(site):
    with FakeBluesky() as pds:
        first_send(site, own("bluesky"), pds.env)
        uris = [r["uri"] for r in bluesky_thread(pds)]
        amend(site, own("bluesky"), status="withdrawn", withdrawal=WITHDRAWAL)
        assert statuses(follow_up(site, pds.env)) == ["sent"]
        assert pds.records == {} and pds.deleted == [uri.rsplit("/", 1)[-1] for uri in uris]
        assert list(origin_receipt(site, WITHDRAWN)["channels"]["bluesky"]["detail"]["deleted"]) == uris


# -- killed between two parts, as CI runs it: `invoke publish` in fresh clones of a bare origin ---------

@pytest.mark.parametrize("channel, k", [("mastodon", 1), ("mastodon", 2), ("bluesky", 2)])
def test_killed_between_parts_a_fresh_clone_posts_each_part_once(tmp_path, channel, k):
    origin = seeded_origin(tmp_path, {"2026/radwege.md": story_text(id=STORY_ID, date="2026-11-26 09:00",
                                                                    channels=own(channel))})
    with (FakeMastodon() if channel == "mastodon" else FakeBluesky()) as server:
        # The k-th part is created on the server, then the run dies before it hears the answer.
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_write", at=k)
        assert len(server.statuses if channel == "mastodon" else server.records) == k
        if channel == "mastodon":
            server.by_key.clear()  # an hour later the instance has forgotten the keys: only a lookup helps
        again = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, out + err
        ids = [s["id"] for s in server.statuses] if channel == "mastodon" else \
            [r["uri"] for r in bluesky_thread(server)]
        if channel == "mastodon":
            assert [numbers(t) for t in chained(server)] == ["(1/3)", "(2/3)", "(3/3)"]
        assert len(ids) == 3 and len(server.statuses if channel == "mastodon" else server.records) == 3
        record = yaml.safe_load(git.Repo(origin).git.show(f"main:content/receipts/{STORY_ID}.yml"))
        saved = record["channels"][channel]
        assert saved["status"] == "sent" and saved["detail"]["thread"] == ids


def test_a_thread_cut_off_and_then_withdrawn_has_every_posted_part_taken_back(tmp_path):
    """Killed after the second part went out (the first recorded, the second not), then the story is
    withdrawn: the next run counts both parts as sent instead of cancelling, and the withdrawal deletes them."""
    fields = {"id": STORY_ID, "date": "2026-11-26 09:00", "channels": own("mastodon")}
    origin = seeded_origin(tmp_path, {"2026/radwege.md": story_text(**fields)})
    with FakeMastodon() as server:
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_write", at=2)
        assert len(server.statuses) == 2
        server.by_key.clear()
        editor = git.Repo.clone_from(origin, tmp_path / "editor")
        story = tmp_path / "editor/content/stories/2026/radwege.md"
        story.write_text(story_text(**fields, status="withdrawn", withdrawal=WITHDRAWAL), encoding="utf-8")
        editor.git.add("-A")
        editor.git.commit("-m", "Zurückgezogen")
        editor.git.push("origin", "HEAD:main")
        posted = [s["id"] for s in server.statuses]
        for name in ("runner-2", "runner-3"):  # the first send is settled, then its withdrawal goes out
            run = start_publish(fresh_clone(origin, name), server.env, now="2026-11-26 13:05")
            out, err = run.communicate(timeout=300)
            assert run.returncode == 0, out + err
        record = yaml.safe_load(git.Repo(origin).git.show(f"main:content/receipts/{STORY_ID}.yml"))
        assert record["channels"]["mastodon"]["status"] == "sent"
        assert record["channels"]["mastodon"]["detail"]["thread"] == posted  # the unrecorded part found too
        assert sorted(server.deleted) == sorted(posted) and server.statuses == []
        assert len(posted) == 2  # never completed after the withdrawal
