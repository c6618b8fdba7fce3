"""Bluesky against a PDS-shaped server: graphemes, facets as UTF-8 byte offsets, link cards,
record keys derived from the idempotency key, one session reused, lost answers."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from newsroom.errors import ContentErrors, SettingsErrors
from tests.fakes.api import Answer, Drop, Stall
from tests.fakes.bluesky import DID, LIMITS, FakeBluesky
from tests.social.support import STORY_ID, URL, adapter, due, publish, receipt, release, settings, statuses

CREATE = "/xrpc/com.atproto.repo.createRecord"


@pytest.fixture
def pds():
    with FakeBluesky() as server:
        yield server


def richtext():
    adapter("bluesky")  # loads the plugins
    from plugins.bluesky import richtext

    return richtext


def test_graphemes_count_what_a_reader_sees_as_one_character():
    graphemes = richtext().graphemes
    assert graphemes("Düsseldorf") == 10
    # a family (5 code points), a flag (2), a thumb with skin tone (2), two spaces
    assert graphemes("👨‍👩‍👧 🇩🇪 👍🏽") == 5
    assert graphemes("e\u0301") == 1  # e with a combining accent


def test_facets_mark_links_and_hashtags_by_utf8_bytes_after_umlauts_and_emoji():
    channel = adapter("bluesky")
    own = "Größer, grüner, schöner 🌳🚲: der neue Radweg am Rhein. #Radverkehr"
    post = channel.render(release(own={"bluesky": own}))
    assert post.text == f"{own}\n\n{URL}"
    text = post.text.encode("utf-8")
    # "Größer, grüner, schöner " has 4 two-byte letters: 24 characters, 28 bytes; each emoji 4 bytes.
    assert post.payload["record"]["facets"] == [
        {"index": {"byteStart": 64, "byteEnd": 75}, "features": [{"$type": "app.bsky.richtext.facet#tag",
                                                                  "tag": "Radverkehr"}]},
        {"index": {"byteStart": 77, "byteEnd": 148}, "features": [{"$type": "app.bsky.richtext.facet#link",
                                                                   "uri": URL}]}]
    assert text[64:75] == b"#Radverkehr" and text[77:148] == URL.encode()
    assert post.text.index(URL) == 67  # characters: the byte offsets are not character offsets
    assert channel.validate(post) == []


def test_the_record_has_langs_and_the_picture_with_its_alt_text_else_a_link_card(tmp_path):
    channel = adapter("bluesky")
    small, big = tmp_path / "klein.jpg", tmp_path / "gross.jpg"
    small.write_bytes(b"\xff\xd8" + b"\x00" * 1000)
    big.write_bytes(b"\xff\xd8" + b"\x00" * 1_000_001)
    post = channel.render(release(image="fotos/klein.jpg", image_file=small))
    record = post.payload["record"]
    assert record["langs"] == ["de"] and record["$type"] == "app.bsky.feed.post"
    assert record["embed"] == {"$type": "app.bsky.embed.images", "images": [{"alt": "Blick über den Rhein"}]}
    assert post.payload["image"] == {"file": str(small), "mimeType": "image/jpeg", "source": "fotos/klein.jpg"}
    assert (post.image, post.alt) == (small, "Blick über den Rhein") and channel.validate(post) == []
    post = channel.render(release(image="fotos/gross.jpg", image_file=big))  # too big: the card, no picture
    assert "image" not in post.payload and (post.image, post.alt) == (None, "")
    assert post.payload["record"]["embed"] == {"$type": "app.bsky.embed.external", "external": {
        "uri": URL, "title": "Neue Radwege am Rheinufer",
        "description": "Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers."}}


def test_a_picture_without_alt_text_is_refused(tmp_path):
    channel = adapter("bluesky")
    small = tmp_path / "klein.jpg"
    small.write_bytes(b"\xff\xd8" + b"\x00" * 1000)
    post = channel.render(replace(release(image="fotos/klein.jpg", image_file=small), image_alt=None))
    assert channel.validate(post) == [
        "Bluesky: Das Aufmacherbild „fotos/klein.jpg“ hat keinen Alternativtext; ohne ihn wird es nicht gesendet. Bitte "
        "in der Beschreibung des Bildes (alt) ergänzen."]


def test_more_than_300_graphemes_make_a_thread_counted_in_graphemes():
    channel = adapter("bluesky")
    own = "Radweg 🚲 am Rhein, " * 12 + "👨‍👩‍👧" * 5  # 228 + 5 graphemes, line breaks 2, the address 71
    post = channel.render(release(own={"bluesky": own}))
    first, second = post.parts
    assert first == f"{'Radweg 🚲 am Rhein, ' * 11}Radweg 🚲 am (1/2)\n\n{URL}"  # ends at a word
    assert second == f"Rhein, {'👨‍👩‍👧' * 5} (2/2)"
    assert [channel.count(part) for part in post.parts] == [299, 18]
    assert post.text == first and post.posts == post.parts and channel.validate(post) == []
    assert post.payload["record"]["text"] == first
    [reply] = post.payload["replies"]
    assert reply["text"] == second and "embed" not in reply and reply["langs"] == ["de"]


def test_a_short_own_text_stays_one_post():
    channel = adapter("bluesky")
    post = channel.render(release(own={"bluesky": "Neue Radwege am Rhein."}))
    assert post.parts == () and post.posts == (f"Neue Radwege am Rhein.\n\n{URL}",)
    assert "replies" not in post.payload


def test_a_thema_with_a_self_label_labels_every_post_of_the_thread():
    channel = adapter("bluesky", BLUESKY_SELF_LABELS={"Verkehr": "graphic-media"})
    post = channel.render(release(own={"bluesky": "Ein Satz über die Radwege am Rhein. " * 12}))
    label = {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": "graphic-media"}]}
    assert len(post.parts) == 2
    assert [r["labels"] for r in [post.payload["record"], *post.payload["replies"]]] == [label, label]
    assert "labels" not in adapter("bluesky", BLUESKY_SELF_LABELS={"Kultur": "nudity"}).render(
        release()).payload["record"]


def test_only_blueskys_self_label_values_are_accepted():
    with pytest.raises(SettingsErrors) as caught:
        settings(BLUESKY_SELF_LABELS={"Verkehr": "gore"})
    assert "BLUESKY_SELF_LABELS: Eintrag „Verkehr“: „gore“ ist nicht erlaubt (möglich: graphic-media, nudity, " \
        "sexual, porn)." in str(caught.value)


def test_the_template_leaves_out_hashtags_then_the_summary_to_stay_within_300():
    channel = adapter("bluesky")
    tags = ("Radverkehr", "Rheinufer", "Klimaschutz")
    summary = ("Zwischen Altstadt und Landtag entstehen zwei Kilometer Radweg mit Beleuchtung, Bänken und Bäumen. "
               "Die Bauzeit beträgt ein Jahr, der Verkehr auf der Promenade bleibt jederzeit frei.")  # 180 characters
    # 280 without hashtags, 293 with #Düsseldorf, 304 with the Thema's #Mobilität too
    post = channel.render(release(summary=summary, tags=tags))
    assert post.text == f"Neue Radwege am Rheinufer\n\n{summary}\n\n{URL}\n\n#Düsseldorf"
    too_long = summary * 2  # no hashtag makes room for it: without the summary, the template's two fit again
    post = channel.render(release(summary=too_long, tags=tags))
    assert post.text == f"Neue Radwege am Rheinufer\n\n{URL}\n\n#Düsseldorf #Mobilität"
    assert channel.validate(post) == []


def test_record_keys_are_valid_tids_derived_from_the_key_at_the_storys_time():
    rt = richtext()
    published = datetime(2026, 11, 26, 8, tzinfo=timezone.utc).timestamp()  # 09:00 in Berlin
    key = f"{STORY_ID}-bluesky-1"
    assert rt.record_key(key, published) == rt.record_key(key, published)  # a retry gets the same key
    assert rt.record_key(key, published) != rt.record_key(f"{STORY_ID}-bluesky-2", published)
    assert rt.is_tid(rt.record_key(key, published))
    value = sum(rt.TID_ALPHABET.index(c) << (5 * (12 - i)) for i, c in enumerate(rt.record_key(key, published)))
    assert (value >> 10) // 1_000_000 == int(published)  # microseconds within the publication second
    assert rt.tid(1724171495793000, 512) == "3l25zusnsfck2"  # the spec's example


def test_invoke_check_names_story_channel_and_the_count_of_posts(site):
    site.story(channels='\n  bluesky:\n    text: "' + "Ein Satz über die Radwege am Rhein. " * 60 + '"')
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.bluesky“: Bluesky: Der eigene Text braucht 8 Beiträge (je "
        "höchstens 300 Zeichen), erlaubt sind 5 (SOCIAL_THREAD_MAX_POSTS). Bitte unter channels.bluesky.text kürzen."]


def test_a_due_story_is_posted_with_its_picture_alt_text_and_record_key(site, pds):
    due(site, "\n  bluesky: true", image="fotos/rhein.jpg")
    report = publish(site, pds.env)
    assert statuses(report) == ["sent"]
    [(rkey, record)] = pds.records.items()
    value = record["value"]
    assert value["text"] == (f"Neue Radwege am Rheinufer\n\nDie Stadt baut zwei Kilometer Radweg entlang des "
                             f"Rheinufers.\n\n{URL}\n\n#Düsseldorf #Mobilität")
    assert value["langs"] == ["de"] and value["createdAt"].endswith("Z")
    [picture] = value["embed"]["images"]
    assert value["embed"]["$type"] == "app.bsky.embed.images" and picture["alt"] == "Blick über den Rhein"
    assert pds.blobs[picture["image"]["ref"]["$link"]].startswith(b"\xff\xd8")
    assert picture["image"]["mimeType"] == "image/jpeg"
    [wide] = (site.root / ".cache/renditions").glob("*/wide.jpg")  # Bluesky's crop, 16:9 (CHANNEL_CROPS)
    assert pds.blobs[picture["image"]["ref"]["$link"]] == wide.read_bytes()
    assert rkey == richtext().record_key(f"{STORY_ID}-bluesky-1", datetime(2026, 11, 26, 8, tzinfo=timezone.utc)
                                         .timestamp())
    saved = receipt(site)["channels"]["bluesky"]
    assert (saved["remote_id"], saved["url"]) == (record["uri"], f"https://bsky.app/profile/{DID}/post/{rkey}")


def test_one_session_serves_every_post_and_an_expired_token_is_refreshed(site, pds):
    due(site, "\n  bluesky: true")
    due(site, "\n  bluesky: true", story_id="b2b2b2b2b2b2", name="2026/zwei.md", title="Zweite Meldung")
    assert statuses(publish(site, pds.env)) == ["sent", "sent"]
    assert pds.sessions_created == 1
    due(site, "\n  bluesky: true", story_id="c3c3c3c3c3c3", name="2026/drei.md", title="Dritte Meldung")
    pds.expire_access_tokens()
    assert statuses(publish(site, pds.env)) == ["sent"]
    assert pds.sessions_created == 1 and len(pds.records) == 3
    assert len(pds.calls("POST", "/xrpc/com.atproto.server.refreshSession")) == 1


def test_a_429_is_waited_out_until_ratelimit_reset(site, pds):
    due(site, "\n  bluesky: true")
    pds.fail("POST", CREATE, Answer(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                                    {**LIMITS, "ratelimit-remaining": "0",
                                     "ratelimit-reset": str(int(time.time()) + 2)}))
    assert statuses(publish(site, pds.env)) == ["sent"]
    assert pds.too_early == [] and len(pds.calls("POST", CREATE)) == 2 and len(pds.records) == 1


@pytest.mark.parametrize("fault", [Answer(502, {"error": "UpstreamFailure", "message": "Upstream Failure"}),
                                   Stall(2.5), Drop()], ids=["502", "timeout", "lost-answer"])
def test_every_failure_ends_in_exactly_one_post(site, pds, fault):
    due(site, "\n  bluesky: true")
    pds.fail("POST", CREATE, fault)
    report = publish(site, pds.env)
    assert statuses(report) == ["sent"] and len(pds.posts_for(URL)) == 1
    assert receipt(site)["channels"]["bluesky"]["remote_id"] == next(iter(pds.records.values()))["uri"]


@pytest.mark.parametrize("explicit", [False, True], ids=["500-on-existing-key", "409-RecordAlreadyExists"])
def test_a_retry_with_the_same_key_collides_instead_of_posting_twice(site, pds, explicit):
    due(site, "\n  bluesky: true")
    pds.explicit = explicit
    pds.fail("POST", CREATE, Drop())
    pds.hidden_reads = 4  # the lookups right after the lost answer do not see the post yet
    report = publish(site, pds.env)
    assert statuses(report) == ["sent"] and len(pds.records) == 1
    assert len(pds.calls("POST", CREATE)) >= 2  # the repeat hit the same record key


def test_wrong_credentials_fail_without_posting(site, pds):
    due(site, "\n  bluesky: true")
    report = publish(site, {**pds.env, "NEWSROOM_BLUESKY_APP_PASSWORD": "falsch-falsch-falsch"})
    assert statuses(report) == ["failed"] and pds.records == {}
    assert report.outcomes[0].message == "Bluesky: HTTP 401: AuthenticationRequired"
