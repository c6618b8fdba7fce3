"""Instagram Reels: a story that carries a video goes to the `instagram` channel as one Reel, against
a Graph-API-shaped server (video container polled while Meta converts it, media_publish); the video
is checked from its MP4 boxes before anything is sent; kill -9, a lost answer and the daily limit
never make a second Reel."""

from __future__ import annotations

from pathlib import Path

import git
import pytest
import yaml

from newsroom.media.mp4_header import read_video
from tests.fakes.api import Drop
from tests.fakes.meta import IG_USER, FakeGraph
from tests.publishing_support import fresh_clone, publish_killed, start_publish
from tests.social.support import adapter, due, mp4, publish, receipt, release, statuses
from tests.support import PHOTO, REPO, seeded_origin, story_text

PUBLISH = rf"/v26.0/{IG_USER}/media_publish"
VIDEO_URL = "https://www.duesseldorf.de/medien/videos/radweg.mp4"
BODY = "Die neue Strecke im Video.\n\n[Video ansehen](media:videos/radweg.mp4)\n"
QUICK = {"INSTAGRAM_VIDEO_POLL_SECONDS": 0.05}


@pytest.fixture
def graph():
    with FakeGraph() as server:
        yield server


def video_files(poster: bool = False, **video) -> dict[str, str | bytes]:
    """The video, its captions and its description (the media portal asks for credit and captions)."""
    files = {"videos/radweg.mp4": mp4(**video),
             "videos/radweg.de.vtt": "WEBVTT\n\n00:00.000 --> 00:02.000\nDie neue Strecke.\n",
             "videos/radweg.mp4.yml": 'credit: "Video: Landeshauptstadt Düsseldorf"\ncaptions: videos/radweg.de.vtt\n'
                                      + ("poster: videos/radweg-poster.jpg\n" if poster else "")}
    if poster:
        files["videos/radweg-poster.jpg"] = PHOTO
        files["videos/radweg-poster.jpg.yml"] = 'alt: "Radweg am Rhein"\ncredit: "Foto: Test"\n'
    return files


def with_video(site, channels: str = "\n  instagram: true", poster: bool = False, **video) -> None:
    for path, data in video_files(poster, **video).items():
        site.write(f"media/{path}", data)
    due(site, channels, body=BODY, image="fotos/rhein.jpg")


def test_a_story_with_a_video_is_published_as_one_reel_after_the_video_is_converted(site, graph):
    with_video(site, poster=True)
    graph.video_polls = 3
    report = publish(site, graph.instagram_env, settings=QUICK)
    assert statuses(report) == ["sent"], report.outcomes[0].message
    [reel] = graph.reels()
    form = reel["form"]
    assert (form["media_type"], form["video_url"], form["share_to_feed"]) == ("REELS", VIDEO_URL, "true")
    assert form["cover_url"] == "https://www.duesseldorf.de/medien/videos/radweg-poster.jpg"
    assert "image_url" not in form and "alt_text" not in form  # Reels take no alt text
    assert form["caption"].startswith("Neue Radwege am Rheinufer\n\n")
    assert graph.fetched == [VIDEO_URL]  # Meta fetched the video from the live site, nothing else
    [container] = graph.containers
    assert len(graph.calls("GET", rf"/v26.0/{container}")) == 4  # IN_PROGRESS three times, then FINISHED
    record = receipt(site)["channels"]["instagram"]
    assert (record["status"], record["remote_id"], record["url"]) == ("sent", reel["id"], reel["permalink"])
    assert record["detail"]["container"] == container


def test_without_a_poster_meta_takes_the_first_frame_and_the_reel_may_stay_off_the_feed(site, graph):
    with_video(site)
    report = publish(site, graph.instagram_env, settings={**QUICK, "INSTAGRAM_REELS_SHARE_TO_FEED": False})
    assert statuses(report) == ["sent"]
    [reel] = graph.reels()
    assert "cover_url" not in reel["form"] and reel["form"]["share_to_feed"] == "false"


def test_a_video_still_converting_is_published_by_the_next_run_from_the_same_container(site, graph):
    with_video(site)
    graph.video_polls = 5
    first = publish(site, graph.instagram_env, settings={**QUICK, "INSTAGRAM_VIDEO_POLL_ATTEMPTS": 2})
    assert statuses(first) == ["retry"] and graph.media == []
    assert first.outcomes[0].message == "Instagram: Das Video wird noch verarbeitet; der nächste Lauf veröffentlicht es."
    second = publish(site, graph.instagram_env, settings=QUICK)
    assert statuses(second) == ["sent"]
    assert len(graph.containers) == 1 and len(graph.reels()) == 1 and len(graph.calls("POST", PUBLISH)) == 1


def test_a_video_meta_cannot_convert_fails_with_the_reason(site, graph):
    with_video(site)
    graph.container_outcome = "ERROR"
    report = publish(site, graph.instagram_env, settings=QUICK)
    assert statuses(report) == ["failed"] and graph.media == []
    assert report.outcomes[0].message == (
        "Instagram: Das Video wurde nicht angenommen (Error: Media download has failed. The media URI doesn't meet "
        "our requirements.). Meta lädt es von der Website: ist sie erreichbar und das Video ein MP4 oder MOV "
        "(H.264 oder HEVC, Ton AAC)?")


def test_a_publish_whose_answer_was_lost_is_found_and_no_second_reel_is_made(site, graph):
    with_video(site)
    graph.fail("POST", PUBLISH, Drop())
    report = publish(site, graph.instagram_env, settings=QUICK)
    assert statuses(report) == ["sent"]
    assert len(graph.reels()) == 1 and len(graph.calls("POST", PUBLISH)) == 1 and len(graph.containers) == 1
    assert receipt(site)["channels"]["instagram"]["remote_id"] == graph.reels()[0]["id"]


def test_the_daily_limit_leaves_the_reel_to_the_next_run(site, graph):
    with_video(site)
    graph.quota_used = 50
    first = publish(site, graph.instagram_env, settings=QUICK)
    assert statuses(first) == ["retry"] and graph.containers == {} and graph.media == []
    assert first.outcomes[0].message == ("Instagram: 50 von 50 Beiträgen der letzten 24 Stunden sind "
                                         "veröffentlicht (Tageslimit); nächster Versuch im nächsten Lauf.")
    graph.quota_used = 49  # a post of yesterday left the 24 hours
    assert statuses(publish(site, graph.instagram_env, settings=QUICK)) == ["sent"]
    assert len(graph.reels()) == 1


# -- the video, checked before anything is sent ----------------------------------------------------

def reel_problems(tmp_path, data: bytes, name: str = "clip.mp4", **settings) -> list[str]:
    media = tmp_path / "content/media/videos"
    media.mkdir(parents=True, exist_ok=True)
    (media / name).write_bytes(data)
    channel = adapter("instagram", PATH=str(tmp_path / "content"), **settings)
    post = channel.render(release(media_refs=(f"videos/{name}",)))
    assert post.payload["media_type"] == "REELS"
    return channel.validate(post)


@pytest.mark.parametrize("data, expected", [
    (mp4(), []),
    (mp4(3), []),
    (mp4(900, width=1920, height=1080, video="hvc1"), []),
    (mp4(2.5), ["Instagram: Das Video videos/clip.mp4 dauert 2,5 Sekunden; ein Reel muss 3 Sekunden bis 15 Minuten "
                "lang sein."]),
    (mp4(905), ["Instagram: Das Video videos/clip.mp4 dauert 15:05 Minuten; ein Reel muss 3 Sekunden bis 15 Minuten "
                "lang sein."]),
    (mp4(video="vp09"), ["Instagram: Das Bild des Videos videos/clip.mp4 ist als „vp09“ kodiert; Instagram nimmt "
                         "H.264 oder HEVC."]),
    (mp4(audio="Opus"), ["Instagram: Der Ton des Videos videos/clip.mp4 ist als „Opus“ kodiert; Instagram nimmt "
                         "AAC."]),
    (mp4(width=3840, height=2160), ["Instagram: Das Video videos/clip.mp4 ist 3840 Pixel breit; erlaubt sind "
                                    "höchstens 1920."]),
    (mp4(moov_first=False), ["Instagram: Im Video videos/clip.mp4 steht das Inhaltsverzeichnis (moov) hinter den "
                             "Daten; Meta verlangt es am Anfang. Bitte für das Web speichern, z. B. „ffmpeg -i "
                             "ein.mp4 -c copy -movflags +faststart aus.mp4“."]),
    (b"<html>Not found</html>", ["Instagram: Die Datei videos/clip.mp4 ist kein MP4- oder MOV-Video; Instagram nimmt "
                                 "nur diese."]),
], ids=["12s", "3s", "15min-hevc-landscape", "too-short", "too-long", "vp9", "opus", "too-wide", "moov-at-end",
        "no-video"])
def test_the_video_is_checked_from_its_boxes(tmp_path, data, expected):
    assert reel_problems(tmp_path, data) == expected


def test_size_and_an_unreadable_index_are_named(tmp_path):
    assert reel_problems(tmp_path, mp4(data=2_600_000), INSTAGRAM_REELS_MAX_BYTES=2_500_000) == [
        "Instagram: Das Video videos/clip.mp4 ist 2,6 MB groß; für ein Reel erlaubt sind höchstens 2,5 MB."]
    cut = mp4()[:40]  # the file ends inside its index
    assert reel_problems(tmp_path, cut) == [
        "Instagram: Die Länge des Videos videos/clip.mp4 lässt sich nicht lesen (beschädigte Datei?)."]


def test_a_mov_file_and_the_demo_clip_are_read_as_they_are(tmp_path):
    mov = tmp_path / "clip.mov"
    mov.write_bytes(mp4(brand=b"qt  ", audio=None))
    assert (read_video(mov).format, read_video(mov).audio_codec) == ("MOV", None)  # a silent video is fine
    clip = read_video(REPO / "content/media/videos/wochenrueckblick-2026-48.mp4")  # made by ffmpeg, not by us
    assert (clip.format, clip.duration, clip.width, clip.height, clip.video_codec, clip.moov_first) == (
        "MP4", 6.0, 640, 360, "avc1", True)


def test_a_story_without_a_video_stays_a_picture_post():
    channel = adapter("instagram")
    post = channel.render(release(image="fotos/rhein.jpg", media_refs=("dokumente/plan.pdf",)))
    assert "media_type" not in post.payload and post.payload["image_url"]


# -- kill -9 mid-run, then a fresh clone runs again --------------------------------------------------

STORY_ID = "a1b2c3d4e5f6"
RUN_SETTINGS = "INSTAGRAM_POLL_SECONDS = 0.05\nINSTAGRAM_VIDEO_POLL_SECONDS = 0.05\n"


def run_origin(tmp_path: Path, channels: str, media: dict, body: str = BODY) -> Path:
    """A bare origin with one story due for `channels`, its lead image and `media` (the video)."""
    media = {"fotos/rhein.jpg": PHOTO, "fotos/rhein.jpg.yml": 'alt: "Blick über den Rhein"\ncredit: "Foto: Test"\n',
             **media}
    return seeded_origin(tmp_path, {"2026/radwege.md": story_text(
        body, id=STORY_ID, date="2026-11-26 09:00", channels=channels, image="fotos/rhein.jpg")},
        settings=RUN_SETTINGS, media=media)


def killed_then_run_again(origin: Path, server: FakeGraph, channel: str) -> dict:
    """The first run dies (SIGKILL) just after Meta published, before it hears the answer; a second
    run in a fresh clone finishes. Returns the record of sends as the origin has it."""
    publish_killed(fresh_clone(origin, "runner-1"), server.instagram_env, now="2026-11-26 12:00", server=server,
                   hook="on_publish", at=1)
    second = start_publish(fresh_clone(origin, "runner-2"), server.instagram_env, now="2026-11-26 12:00")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, out + err
    text = git.Repo(origin).git.show(f"main:content/receipts/{STORY_ID}.yml")
    return yaml.safe_load(text)["channels"][channel]


def test_kill_9_after_meta_published_the_reel_then_a_fresh_clone_records_it_and_posts_no_second(tmp_path, graph):
    origin = run_origin(tmp_path, "\n  instagram: true", video_files())
    record = killed_then_run_again(origin, graph, "instagram")
    [reel] = graph.reels()
    assert len(graph.calls("POST", PUBLISH)) == 1 and len(graph.containers) == 1
    assert (record["status"], record["remote_id"]) == ("sent", reel["id"])
