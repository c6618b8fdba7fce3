"""Threads against a server shaped like Meta's Threads API: container, status, threads_publish;
the text within 500 characters with one hashtag, the 4:5 crop with its alt text, carousels;
each post exactly once (kill -9, a lost answer, a 429, an edit after sending); corrections as
replies, withdrawal as deletion; the token's expiry and its refresh."""

from __future__ import annotations

from dataclasses import replace

import git
import pytest
import yaml

from newsroom.errors import ContentErrors
from newsroom.publishing.channel import MediaLink
from newsroom.publishing.http import HttpClient
from tests.fakes.api import Answer, Drop, Stall
from tests.fakes.threads import REFRESHED, USER, FakeThreads, error
from tests.publishing_support import fresh_clone, publish_killed, start_publish
from tests.social.support import (
    CORRECTED,
    CORRECTION,
    IMAGE_URL,
    MARKER,
    URL,
    WITHDRAWAL,
    WITHDRAWN,
    adapter,
    amend,
    due,
    first_send,
    follow_up,
    publish,
    receipt,
    release,
    statuses,
)
from tests.support import seeded_origin, story_text

CREATE = rf"/v1.0/{USER}/threads"
PUBLISH = rf"/v1.0/{USER}/threads_publish"
CHANNEL = "\n  threads: true"


@pytest.fixture
def threads():
    with FakeThreads() as server:
        yield server


def own(text: str) -> str:
    return f'\n  threads:\n    text: "{text}"'


# -- render and validate ------------------------------------------------------------------------

def test_a_text_post_carries_the_link_in_the_text_and_as_link_attachment_with_one_hashtag():
    channel = adapter("threads", SOCIAL_HASHTAGS=["Düsseldorf"])
    post = channel.render(release(tags=("Radverkehr", "Rheinufer")))
    assert URL in post.text and post.payload["link_attachment"] == URL and post.payload["media_type"] == "TEXT"
    # Threads takes one hashtag, as the post's topic tag: the first of SOCIAL_HASHTAGS and the tags.
    assert [word for word in post.text.split() if word.startswith("#")] == ["#Düsseldorf"]
    assert channel.count(post.text) <= 500 and channel.validate(post) == []
    assert (post.alt, post.image, post.media) == ("", None, ())


def test_an_own_text_with_more_than_one_hashtag_is_refused_naming_the_count():
    channel = adapter("threads")
    post = channel.render(release(own={"threads": "Neue Radwege am Rhein #Radverkehr #Rheinufer"}))
    assert channel.validate(post) == ["Threads: Der Text hat 2 Hashtags, erlaubt sind 1. Bitte Schlagworte (tags) "
                                      "oder Hashtags unter channels.threads.text streichen."]


def test_an_image_post_sends_the_4_to_5_crop_with_its_alt_text(tmp_path):
    crop = tmp_path / "rhein-instagram.jpg"
    story = release(image="fotos/rhein.jpg", image_file=tmp_path / "rhein.jpg")
    crop_url = "https://www.duesseldorf.de/medienportal/bilder/0123456789abcdef/rhein-instagram.jpg"
    post = adapter("threads").render(replace(story, image_renditions={"instagram": (crop_url, crop)}))
    assert post.payload["media_type"] == "IMAGE" and post.payload["image_url"] == crop_url
    assert (post.alt, post.image, post.media) == ("Blick über den Rhein", crop, (crop_url,))
    assert post.payload["alt_text"] == "Blick über den Rhein" and "link_attachment" not in post.payload
    # Without the media portal's crop: the lead image as it is.
    plain = adapter("threads").render(story)
    assert (plain.payload["image_url"], plain.image) == (IMAGE_URL, tmp_path / "rhein.jpg")
    # A lead image Threads does not take (WebP) without a crop: a text post with the link preview.
    webp = adapter("threads").render(replace(story, image_url=IMAGE_URL.replace(".jpg", ".webp")))
    assert webp.payload["media_type"] == "TEXT" and (webp.alt, webp.image) == ("", None)


def test_several_photos_in_the_text_make_a_carousel_in_their_order():
    story = release(image="fotos/rhein.jpg", media_refs=("fotos/ufer.jpg", "fotos/karte.png", "dokumente/plan.pdf"))
    media = (MediaLink("fotos/rhein.jpg", IMAGE_URL, "Blick über den Rhein", "", "Blick über den Rhein"),
             MediaLink("fotos/ufer.jpg", "https://www.duesseldorf.de/medienportal/ufer/", "Das neue Ufer", "",
                       "Radweg am Ufer"),
             MediaLink("fotos/karte.png", "https://www.duesseldorf.de/medien/fotos/karte.png", "karte.png", ""),
             MediaLink("dokumente/plan.pdf", "https://www.duesseldorf.de/medien/dokumente/plan.pdf", "Plan", ""))
    post = adapter("threads").render(replace(story, media=media))
    assert post.payload["media_type"] == "CAROUSEL"
    # Threads fetches the files themselves (never the media portal's pages), each with its alt text.
    assert post.payload["children"] == [
        {"image_url": IMAGE_URL, "alt_text": "Blick über den Rhein"},
        {"image_url": "https://www.duesseldorf.de/medien/fotos/ufer.jpg", "alt_text": "Radweg am Ufer"},
        {"image_url": "https://www.duesseldorf.de/medien/fotos/karte.png", "alt_text": ""}]
    assert post.alt == "Blick über den Rhein" and len(post.media) == 3


def test_a_replaced_lead_image_is_sent_once():
    """The lead image's rights ended: the release shows its replacement (Release.image_path), which the
    media list names too; the carousel has it once, as its first picture."""
    story = release(image="fotos/agentur.jpg", media_refs=("fotos/ufer.jpg",))
    media = (MediaLink("fotos/rhein.jpg", IMAGE_URL, "Blick über den Rhein", "", "Blick über den Rhein"),
             MediaLink("fotos/ufer.jpg", "https://www.duesseldorf.de/medienportal/ufer/", "Das neue Ufer", "",
                       "Radweg am Ufer"))
    post = adapter("threads").render(replace(story, media=media, image_path="fotos/rhein.jpg"))
    assert post.payload["children"] == [
        {"image_url": IMAGE_URL, "alt_text": "Blick über den Rhein"},
        {"image_url": "https://www.duesseldorf.de/medien/fotos/ufer.jpg", "alt_text": "Radweg am Ufer"}]


def test_a_text_over_500_characters_is_refused_naming_the_channel_and_the_count():
    channel = adapter("threads")
    post = channel.render(release(own={"threads": "Radwege am Rhein. " * 24}))  # 431 + 2 + 71
    assert channel.validate(post) == [
        "Threads: Der Text hat 504 Zeichen, erlaubt sind 500. Bitte unter channels.threads.text kürzen."]
    # Emoji count as many characters as their UTF-8 bytes (four for 🚲).
    bikes = channel.render(release(own={"threads": "Radwege am Rhein. " * 22 + "🚲" * 8}))  # 396 + 32 + 73
    assert channel.count(bikes.text) == 501 and channel.validate(bikes) == [
        "Threads: Der Text hat 501 Zeichen (Emoji zählen mehrfach), erlaubt sind 500. Bitte unter "
        "channels.threads.text kürzen."]


def test_invoke_check_names_story_channel_and_count(site):
    site.story(channels=own("Radwege am Rhein. " * 27))
    with pytest.raises(ContentErrors) as caught:
        site.check()
    [problem] = [str(e) for e in caught.value.errors]
    assert problem.startswith("content/stories/2026/radwege.md: Feld „channels.threads“: Threads: Der Text hat ")
    assert problem.endswith(" Zeichen, erlaubt sind 500. Bitte unter channels.threads.text kürzen.")


# -- send -----------------------------------------------------------------------------------------

def test_a_due_story_is_published_from_its_recorded_container(site, threads):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    threads.in_progress_polls = 2
    report = publish(site, threads.env, settings={"THREADS_POLL_SECONDS": 0.05})
    assert statuses(report) == ["sent"]
    [post] = threads.posts_for(URL)
    assert post["media_type"] == "IMAGE" and post["alt_text"] == "Blick über den Rhein"
    assert post["image_url"].startswith("https://www.duesseldorf.de/") and post["image_url"].endswith(".jpg")
    [container] = threads.containers
    record = receipt(site)["channels"]["threads"]
    assert (record["status"], record["remote_id"], record["url"]) == ("sent", post["id"], post["permalink"])
    assert record["detail"]["container"] == container
    assert len(threads.calls("GET", rf"/v1.0/{container}")) == 3  # IN_PROGRESS, IN_PROGRESS, FINISHED


def test_a_story_without_picture_is_a_text_post_with_its_link_attachment(site, threads):
    due(site, CHANNEL)
    assert statuses(publish(site, threads.env)) == ["sent"]
    [post] = threads.posts_for(URL)
    assert post["media_type"] == "TEXT" and post["link_attachment_url"] == URL


def test_a_story_with_further_photos_is_one_carousel_of_item_containers(site, threads):
    site.add_media("fotos/ufer.jpg", title="Das neue Ufer", alt="Radweg am Ufer", credit="\"Foto: Test\"")
    due(site, CHANNEL, image="fotos/rhein.jpg", body="Der Weg.\n\n![Radweg am Ufer](media:fotos/ufer.jpg)\n")
    assert statuses(publish(site, threads.env)) == ["sent"]
    [post] = threads.posts_for(URL)
    assert post["media_type"] == "CAROUSEL" and len(threads.posts) == 1
    assert [(c["media_type"], c["is_carousel_item"], c["alt_text"]) for c in post["children"]] == [
        ("IMAGE", "true", "Blick über den Rhein"), ("IMAGE", "true", "Radweg am Ufer")]
    assert post["children"][1]["image_url"].endswith("/fotos/ufer.jpg")
    assert len(threads.calls("POST", PUBLISH)) == 1  # the carousel, not its items


def test_a_used_up_daily_quota_waits_for_the_next_run_without_a_container(site, threads):
    due(site, CHANNEL)
    threads.quota_used = 250
    report = publish(site, threads.env)
    assert statuses(report) == ["retry"] and threads.containers == {} and threads.posts == []
    assert report.outcomes[0].message == ("Threads: 250 von 250 Beiträgen der letzten 24 Stunden sind "
                                          "veröffentlicht (Tageslimit); nächster Versuch im nächsten Lauf.")


def test_a_container_threads_could_not_fetch_fails_with_the_reason(site, threads):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    threads.container_outcome = "ERROR"
    report = publish(site, threads.env)
    assert statuses(report) == ["failed"] and threads.posts == []
    assert report.outcomes[0].message.startswith("Threads: Der Beitrag wurde nicht angenommen "
                                                 "(FAILED_DOWNLOADING_IMAGE).")


def test_a_429_is_waited_out_until_its_retry_after(site, threads):
    due(site, CHANNEL)
    threads.fail("POST", PUBLISH, Answer(429, error(4, "Application request limit reached"), {"Retry-After": "2"}))
    assert statuses(publish(site, threads.env)) == ["sent"]
    assert threads.too_early == [] and len(threads.posts) == 1 and len(threads.containers) == 1
    assert len(threads.calls("POST", PUBLISH)) == 2


def test_a_rate_limit_error_code_is_backed_off(site, threads):
    due(site, CHANNEL)
    threads.fail("POST", CREATE, Answer(400, error(4, "Application request limit reached")))
    assert statuses(publish(site, threads.env)) == ["sent"]
    assert len(threads.calls("POST", CREATE)) == 2 and len(threads.posts) == 1


def test_a_publish_whose_answer_was_lost_is_found_and_not_repeated(site, threads):
    due(site, CHANNEL)
    threads.fail("POST", PUBLISH, Drop())
    report = publish(site, threads.env)
    assert statuses(report) == ["sent"] and len(threads.posts) == 1 and len(threads.calls("POST", PUBLISH)) == 1
    assert receipt(site)["channels"]["threads"]["remote_id"] == threads.posts[0]["id"]


@pytest.mark.parametrize("fault", [Answer(500, error(2, "Service temporarily unavailable")), Stall(2.5)],
                         ids=["500", "timeout"])
def test_a_failed_publish_is_looked_up_then_publishes_the_same_container(site, threads, fault):
    due(site, CHANNEL)
    threads.fail("POST", PUBLISH, fault)
    assert statuses(publish(site, threads.env)) == ["sent"]
    assert len(threads.posts_for(URL)) == 1 and len(threads.containers) == 1  # the recorded container, reused
    assert len(threads.calls("POST", PUBLISH)) == 2


def test_an_edit_after_sending_posts_nothing_again(site, threads):
    due(site, CHANNEL)
    assert statuses(publish(site, threads.env)) == ["sent"]
    site.repo.git.pull("origin", "main")  # the editor's checkout gets the receipt
    due(site, CHANNEL, title="Neue Radwege am Rheinufer (korrigiert)", slug="neue-radwege-am-rheinufer")
    report = publish(site, threads.env)
    assert report.outcomes == [] and len(threads.posts) == 1 and len(threads.calls("POST", CREATE)) == 1


def test_wrong_credentials_fail_without_posting(site, threads):
    due(site, CHANNEL)
    report = publish(site, {**threads.env, "NEWSROOM_THREADS_TOKEN": "THAAwrong"})
    assert statuses(report) == ["failed"] and threads.posts == []
    assert "Invalid OAuth access token" in report.outcomes[0].message and "THAAwrong" not in str(receipt(site))


# -- kill -9 mid-run, then a fresh clone runs again ---------------------------------------------------

STORIES = {f"t{n}00000000{n}": f"2026-11-26 0{n + 5}:00" for n in range(1, 4)}


@pytest.mark.parametrize("k", [1, 3])
def test_kill_9_after_the_kth_post_then_a_fresh_clone_posts_each_exactly_once(tmp_path, k):
    origin = seeded_origin(tmp_path, {f"2026/{story_id}.md": story_text(
        id=story_id, title=f"Meldung {story_id}", date=date, channels=CHANNEL) for story_id, date in STORIES.items()})
    with FakeThreads() as server:
        # The k-th post goes out, then the run dies before it hears the answer.
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_publish", at=k)
        assert len(server.posts) == k
        second = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, out + err
        assert {story_id: sum(f"meldung-{story_id}" in p["text"] for p in server.posts) for story_id in STORIES} == {
            story_id: 1 for story_id in STORIES}
        repo = git.Repo(origin)
        assert {story_id: yaml.safe_load(repo.git.show(f"main:content/receipts/{story_id}.yml"))["channels"]
                ["threads"]["status"] for story_id in STORIES} == {story_id: "sent" for story_id in STORIES}


# -- corrections and withdrawal ------------------------------------------------------------------

def published(site, threads, **fields) -> dict:
    first_send(site, CHANNEL, threads.env)
    amend(site, CHANNEL, **fields)
    threads.log.clear()
    return threads.posts[0]


def test_a_correction_is_one_reply_to_the_first_post_and_found_again_after_a_lost_answer(site, threads):
    post = published(site, threads, corrections=CORRECTION)
    threads.fail("POST", PUBLISH, Drop())
    # Right after the lost answer a reader replies, quoting the marker: the newest reply is not ours.
    threads.on_publish = lambda count: threads.reader_reply(post["id"], f"{MARKER}? Das stimmt doch gar nicht.")
    report = follow_up(site, threads.env)
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [(CORRECTED, "threads", "sent")]
    [reply] = [r for r in threads.replies_to(post["id"]) if r["mine"]]
    assert reply["text"].startswith(MARKER) and URL in reply["text"] and len(threads.calls("POST", PUBLISH)) == 1
    record = receipt(site, CORRECTED)["channels"]["threads"]
    assert (record["status"], record["remote_id"]) == ("sent", reply["id"])
    threads.on_publish = None
    assert follow_up(site, threads.env, "2026-11-26 13:20").outcomes == []
    assert len(threads.replies_to(post["id"])) == 2 and threads.replies_to(post["id"])[1]["mine"] is False


def test_a_withdrawal_deletes_the_reply_and_the_post_and_a_gone_post_counts_as_deleted(site, threads):
    post = published(site, threads, corrections=CORRECTION)
    follow_up(site, threads.env)
    [reply] = threads.replies_to(post["id"])
    with threads.lock:  # someone deleted the post in the app already
        threads.posts.remove(post)
    amend(site, CHANNEL, corrections=CORRECTION, status="withdrawn", withdrawal=WITHDRAWAL)
    report = follow_up(site, threads.env, "2026-11-26 13:20")
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "sent")]
    assert threads.posts == [] and threads.deleted == [reply["id"]]
    deleted = receipt(site, WITHDRAWN)["channels"]["threads"]["detail"]["deleted"]
    assert deleted == {reply["id"]: "gelöscht (200)", post["id"]: "schon gelöscht (400, nicht mehr vorhanden)"}
    assert follow_up(site, threads.env, "2026-11-26 13:30").outcomes == []


# -- credentials ---------------------------------------------------------------------------------

def test_the_token_says_when_it_runs_out_and_is_refreshed_for_sixty_days(threads):
    preview = adapter("threads")
    channel = type(preview)(preview.settings, preview.urls, environ=threads.env)
    threads.token_expires_at = 1_765_000_000
    assert channel.credential_expiry(HttpClient("Threads")).timestamp() == 1_765_000_000
    assert channel.refresh_credentials(HttpClient("Threads")) == {"TOKEN": REFRESHED}
    [call] = threads.calls("GET", "/refresh_access_token")
    assert call.query["grant_type"] == "th_refresh_token"
