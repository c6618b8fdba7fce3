"""The `instagram_story` channel: a story's 9:16 picture or short video as one Instagram Story of the
feed's account (NEWSROOM_INSTAGRAM_*), against a Graph-API-shaped server; found again after a lost
answer or a kill -9 through its recorded container, never posted twice; withdrawal within 24 hours
a task for the desk, after that nothing to do."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from newsroom.errors import ContentErrors
from newsroom.publishing.channel import WITHDRAW, Post, Release
from newsroom.publishing.records import MANUAL
from tests.fakes.api import Answer, Drop
from tests.fakes.meta import IG_USER, FakeGraph, error, usage
from tests.social.support import (
    CORRECTED,
    CORRECTION,
    STORY_ID,
    URL,
    WITHDRAWAL,
    WITHDRAWN,
    adapter,
    amend,
    due,
    first_send,
    follow_up,
    jpeg,
    mp4,
    png,
    publish,
    receipt,
    release,
    statuses,
)
from tests.social.test_instagram_reels import BODY, QUICK, killed_then_run_again, run_origin, video_files

PUBLISH = rf"/v26.0/{IG_USER}/media_publish"
CREATE = rf"/v26.0/{IG_USER}/media"
CHANNEL = "\n  instagram_story: true"
STORY_TEXT = "(Story ohne Text; Link im Profil)"


@pytest.fixture
def graph():
    with FakeGraph() as server:
        yield server


def test_a_story_is_posted_once_with_the_portal_s_picture_and_no_text(site, graph):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    report = publish(site, graph.instagram_env)
    assert statuses(report) == ["sent"], report.outcomes[0].message
    assert report.outcomes[0].post.text == STORY_TEXT
    [story] = graph.stories
    form = story["form"]
    assert form["media_type"] == "STORIES" and story["media_type"] == "IMAGE"
    # The media portal's 9:16 crop (CHANNEL_CROPS; the order of fallbacks:
    # test_the_9_16_crop_comes_first_then_the_instagram_crop_then_the_lead_image).
    assert form["image_url"].endswith("/rhein-story.jpg") and "/medienportal/bilder/" in form["image_url"]
    assert set(form) == {"media_type", "image_url", "access_token"}  # no caption, no alt text: a Story takes none
    assert graph.media == []  # nothing in the feed
    record = receipt(site)["channels"]["instagram_story"]
    assert (record["status"], record["remote_id"], record["url"]) == ("sent", story["id"], story["permalink"])
    assert record["detail"]["container"] == next(iter(graph.containers))


def test_the_9_16_crop_comes_first_then_the_instagram_crop_then_the_lead_image(tmp_path):
    story_crop, feed_crop, lead = tmp_path / "story.jpg", tmp_path / "feed.jpg", tmp_path / "rhein.jpg"
    story_crop.write_bytes(jpeg(1080, 1920))
    feed_crop.write_bytes(jpeg(1080, 1350))
    lead.write_bytes(jpeg(1600, 900))
    channel = adapter("instagram_story")
    base = release(image="fotos/rhein.jpg", image_file=lead)
    crops = {"story": ("https://www.duesseldorf.de/x/rhein-story.jpg", story_crop),
             "instagram": ("https://www.duesseldorf.de/x/rhein-instagram.jpg", feed_crop)}
    for offered, address, file in ((crops, crops["story"][0], story_crop),
                                   ({"instagram": crops["instagram"]}, crops["instagram"][0], feed_crop),
                                   ({}, base.image_url, lead)):
        post = channel.render(Release(base.story, base.url, base.body_html, base.image_url, lead, base.image_alt,
                                      base.image_credit, offered))
        assert (post.payload["image_url"], post.image, post.text) == (address, file, STORY_TEXT)
        assert channel.validate(post) == []


def test_what_a_story_cannot_carry_is_named_before_anything_is_sent(tmp_path):
    channel = adapter("instagram_story")
    assert channel.validate(channel.render(release())) == [
        "Instagram-Story braucht ein Bild oder ein Video: Die Meldung hat kein Aufmacherbild (Feld image) und "
        "verlinkt kein Video."]
    picture = tmp_path / "rhein.png"
    picture.write_bytes(png(1080, 1920))
    assert channel.validate(channel.render(release(image="fotos/rhein.png", image_file=picture,
                                                   own={"instagram_story": "Jetzt im Profil!"}))) == [
        "Instagram-Story: Das Bild fotos/rhein.png ist im Format PNG; Instagram nimmt nur JPEG. Bitte eine "
        "JPEG-Fassung als Aufmacherbild verwenden.",
        "Instagram-Story: Eine Story trägt keinen Text (die Schnittstelle nimmt keinen). Bitte "
        "channels.instagram_story.text leeren; was die Story sagen soll, gehört ins Bild."]


def video_channel(tmp_path, data: bytes):
    media = tmp_path / "content/media/videos"
    media.mkdir(parents=True, exist_ok=True)
    (media / "clip.mp4").write_bytes(data)
    return adapter("instagram_story", PATH=str(tmp_path / "content"))


def test_a_short_video_goes_out_as_a_video_story_a_long_one_leaves_the_picture(tmp_path):
    lead = tmp_path / "rhein.jpg"
    lead.write_bytes(jpeg(1080, 1920))
    channel = video_channel(tmp_path, mp4(12))
    post = channel.render(release(image="fotos/rhein.jpg", image_file=lead, media_refs=("videos/clip.mp4",)))
    assert post.payload["video_url"] == "https://www.duesseldorf.de/medien/videos/clip.mp4"
    assert "image_url" not in post.payload and channel.validate(post) == []
    channel = video_channel(tmp_path, mp4(90))
    post = channel.render(release(image="fotos/rhein.jpg", image_file=lead, media_refs=("videos/clip.mp4",)))
    assert "video_url" not in post.payload and post.payload["image_url"]
    # Without a picture the long video is what there is, and the check says why it cannot go.
    post = channel.render(release(media_refs=("videos/clip.mp4",)))
    assert channel.validate(post) == ["Instagram-Story: Das Video videos/clip.mp4 dauert 1:30 Minuten; eine Story "
                                      "muss 3 Sekunden bis 60 Sekunden lang sein."]


def test_a_video_story_is_published_once_the_video_is_converted(site, graph):
    for path, data in video_files(seconds=15).items():
        site.write(f"media/{path}", data)
    due(site, CHANNEL, body=BODY)
    graph.video_polls = 2
    assert statuses(publish(site, graph.instagram_env, settings=QUICK)) == ["sent"]
    [story] = graph.stories
    assert (story["media_type"], story["form"]["video_url"]) == (
        "VIDEO", "https://www.duesseldorf.de/medien/videos/radweg.mp4")
    assert len(graph.calls("GET", rf"/v26.0/{next(iter(graph.containers))}")) == 3


def test_a_publish_whose_answer_was_lost_is_found_by_its_container_and_not_repeated(site, graph):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    graph.fail("POST", PUBLISH, Drop())
    report = publish(site, graph.instagram_env)
    assert statuses(report) == ["sent"] and report.outcomes[0].message == "nach verlorener Antwort beim Kanal gefunden"
    [story] = graph.stories
    assert len(graph.calls("POST", PUBLISH)) == 1 and len(graph.containers) == 1
    assert receipt(site)["channels"]["instagram_story"]["remote_id"] == story["id"]
    assert len(graph.calls("GET", rf"/v26.0/{IG_USER}/stories")) == 1


def test_a_story_posted_by_hand_before_the_container_was_made_is_not_taken_for_this_one(site, graph):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    graph.stories.append({"id": "17999", "media_type": "IMAGE", "media_product_type": "STORY", "form": {},
                          "permalink": "https://www.instagram.com/stories/duesseldorf/17999/",
                          "timestamp": an_hour_ago.strftime("%Y-%m-%dT%H:%M:%S+0000")})
    graph.fail("POST", PUBLISH, Drop())
    assert statuses(publish(site, graph.instagram_env)) == ["sent"]
    [ours] = [s for s in graph.stories if s["id"] != "17999"]
    assert receipt(site)["channels"]["instagram_story"]["remote_id"] == ours["id"]


def test_the_daily_limit_leaves_the_story_to_the_next_run(site, graph):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    graph.quota_used = 50
    first = publish(site, graph.instagram_env)
    assert statuses(first) == ["retry"] and graph.containers == {} and graph.stories == []
    assert first.outcomes[0].message == ("Instagram-Story: 50 von 50 Beiträgen der letzten 24 Stunden sind "
                                         "veröffentlicht (Tageslimit); nächster Versuch im nächsten Lauf.")
    graph.quota_used = 10
    assert statuses(publish(site, graph.instagram_env)) == ["sent"] and len(graph.stories) == 1


def test_a_rate_limit_with_its_time_to_regain_access_leaves_the_story_to_the_next_run(site, graph):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    # Meta's Business Use Case limit: come back in 5 minutes, beyond the run's budget for a send.
    graph.fail("POST", CREATE, Answer(400, error(80002, "(#80002) There have been too many calls to this Instagram "
                                                       "account."), usage(5)))
    first = publish(site, graph.instagram_env)
    assert statuses(first) == ["retry"] and graph.containers == {} and graph.stories == []
    graph.fail("POST", CREATE, Answer(429, error(4, "(#4) Application request limit reached"), usage(0)))
    assert statuses(publish(site, graph.instagram_env)) == ["sent"]  # a short limit is waited out in the run
    assert len(graph.calls("POST", CREATE)) == 3 and len(graph.stories) == 1


def test_invoke_check_names_the_story_the_channel_and_the_problem(site):
    site.story(channels=CHANNEL)
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.instagram_story“: Instagram-Story braucht ein Bild oder "
        "ein Video: Die Meldung hat kein Aufmacherbild (Feld image) und verlinkt kein Video."]


def test_kill_9_after_meta_published_the_story_then_a_fresh_clone_records_it_and_posts_no_second(tmp_path, graph):
    origin = run_origin(tmp_path, CHANNEL, {}, body="Die Arbeiten beginnen im Frühjahr.\n")
    record = killed_then_run_again(origin, graph, "instagram_story")
    [story] = graph.stories
    assert len(graph.calls("POST", PUBLISH)) == 1 and len(graph.containers) == 1
    assert (record["status"], record["remote_id"], record["url"]) == ("sent", story["id"], story["permalink"])


# -- withdrawal: by hand within 24 hours, nothing after ------------------------------------------------

def test_a_withdrawal_within_24_hours_is_a_task_for_the_desk_recorded_once(site, graph):
    first_send(site, CHANNEL, graph.instagram_env, image="fotos/rhein.jpg")
    amend(site, CHANNEL, image="fotos/rhein.jpg", status="withdrawn", withdrawal=WITHDRAWAL)
    graph.log.clear()
    [story] = graph.stories
    report = follow_up(site, graph.instagram_env)
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [(WITHDRAWN, "instagram_story", MANUAL)]
    assert report.outcomes[0].message == (
        "Instagram-Story: Stories lassen sich über die Schnittstelle nicht löschen. Bitte in der Instagram-App die "
        f"Story {story['permalink']} öffnen und über „…“ löschen. Nach 24 Stunden ist sie von selbst fort; dann ist "
        "nichts zu tun.")
    assert [r for r in graph.log if not r.path.endswith("/debug_token")] == []
    assert follow_up(site, graph.instagram_env, "2026-11-26 13:20").outcomes == []


def test_a_correction_sends_nothing_a_story_carries_no_text(site, graph):
    first_send(site, CHANNEL, graph.instagram_env, image="fotos/rhein.jpg")
    amend(site, CHANNEL, image="fotos/rhein.jpg", corrections=CORRECTION)
    graph.log.clear()
    report = follow_up(site, graph.instagram_env)
    assert [(o.story_id, o.status, o.message) for o in report.outcomes] == [(
        CORRECTED, "sent", "Eine Story trägt keinen Text und ist nach 24 Stunden fort: keine Berichtigung nötig.")]
    assert [r for r in graph.log if not r.path.endswith("/debug_token")] == [] and len(graph.stories) == 1


def test_after_24_hours_a_withdrawn_story_is_gone_by_itself():
    channel = adapter("instagram_story")
    published = (datetime.now(timezone.utc) - timedelta(hours=25)).isoformat()
    original = {"remote_id": "17900", "url": "https://www.instagram.com/stories/duesseldorf/17900/",
                "detail": {"container": "9000000001", "container_at": published}}
    post = Post("instagram_story", STORY_ID, "", link=URL, action=WITHDRAW, original=original)
    delivery = channel.deliver(post, None)
    assert (delivery.remote_id, delivery.note) == (
        "17900", "Die Story ist nach 24 Stunden von selbst verschwunden; nichts zu tun.")


def test_the_story_uses_the_feed_s_credentials():
    channel = adapter("instagram_story")
    assert channel.missing_credentials() == ["NEWSROOM_INSTAGRAM_USER_ID", "NEWSROOM_INSTAGRAM_TOKEN"]
    assert channel.label == "Instagram-Story"
