"""YouTube: resumable uploads against a YouTube-shaped server (interrupted, resumed, lost
answers), quota answers, and the title/description rules checked before anything is sent."""

from __future__ import annotations

import pytest

from newsroom.errors import ContentErrors
from tests.fakes.api import Answer, Drop, Stall
from tests.fakes.youtube import QUOTA, FakeYouTube
from tests.social.support import (
    CORRECTED,
    CORRECTION,
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
from tests.video_support import mp4

SESSION = "/upload/youtube/v3/videos"
VIDEO = mp4(data=1_024_000)  # 1 MB of a "clip": MP4 boxes around media data
BODY = "Die neue Strecke im Video.\n\n[Video ansehen](media:videos/radweg.mp4)\n"


@pytest.fixture
def youtube():
    with FakeYouTube() as server:
        yield server


def with_video(site, title: str | None = "Radweg am Rheinufer – Video", **fields) -> None:
    video_files(site, title)
    due(site, "\n  youtube: true", body=BODY, **fields)


def video_files(site, title: str | None = "Radweg am Rheinufer – Video") -> None:
    site.write("media/videos/radweg.mp4", VIDEO)
    # The media portal shows every video with captions (WCAG 1.2.2).
    site.write("media/videos/radweg.de.vtt", "WEBVTT\n\n00:00.000 --> 00:02.000\nDie neue Strecke.\n")
    sidecar = ('credit: "Video: Landeshauptstadt Düsseldorf"\ncaptions: videos/radweg.de.vtt\n'
               + (f'title: "{title}"\n' if title else ""))
    site.write("media/videos/radweg.mp4.yml", sidecar)


def test_a_story_without_video_cannot_go_to_youtube():
    channel = adapter("youtube")
    assert channel.validate(channel.render(release())) == [
        "YouTube braucht ein Video: Die Meldung bindet keines ein. Bitte das Video unter content/media/ ablegen "
        "und im Text verlinken, z. B. [Video ansehen](media:videos/clip.mp4); Formate: .3gp, .avi, .flv, .m4v, .mov, "
        ".mp4, .mpeg, .mpg, .webm, .wmv."]


def test_title_and_description_limits_count_characters_and_bytes():
    channel = adapter("youtube")
    title = "Sperrung der Rheinuferpromenade zwischen Altstadt und Landtag wegen Bauarbeiten am Hochwasserschutz " \
            "ab Montag"  # 109 characters
    own = "Überblick über die Änderungen für Fußgänger. " * 108  # 45 characters, 51 bytes each
    post = channel.render(release(title=title, own={"youtube": own}, media_refs=("videos/clip.mp4",)))
    assert channel.validate(post) == [
        "YouTube: Der Titel hat 109 Zeichen, erlaubt sind 100. Bitte einen kürzeren Titel angeben (Feld title in "
        "clip.mp4.yml).",
        "YouTube: Die Beschreibung hat 5.580 Bytes (UTF-8: Umlaute zählen 2, Emoji 4), erlaubt sind 5.000. Bitte "
        "unter channels.youtube.text kürzen."]
    assert len(post.text) == 4_932  # in characters it would fit (4,859 + 2 + the address)


def test_angle_brackets_are_refused_in_title_and_description():
    channel = adapter("youtube")
    post = channel.render(release(title="Radwege <Update>", summary="Mehr als 2 > 1 Kilometer",
                                  media_refs=("videos/clip.mp4",)))
    assert channel.validate(post) == ["YouTube: Der Titel enthält „<“ und „>“, das erlaubt YouTube nicht.",
                                      "YouTube: Die Beschreibung enthält „>“, das erlaubt YouTube nicht."]


def test_invoke_check_names_story_channel_and_problem(site):
    site.story(channels="\n  youtube: true")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.youtube“: YouTube braucht ein Video: Die Meldung bindet "
        "keines ein. Bitte das Video unter content/media/ ablegen und im Text verlinken, z. B. [Video ansehen]"
        "(media:videos/clip.mp4); Formate: .3gp, .avi, .flv, .m4v, .mov, .mp4, .mpeg, .mpg, .webm, .wmv."]


def test_the_linked_video_is_uploaded_resumably_with_its_title_and_recorded(site, youtube):
    with_video(site)
    report = publish(site, youtube.env)
    assert statuses(report) == ["sent"] and report.outcomes[0].message == ""
    [video] = youtube.videos
    assert video["bytes"] == VIDEO and video["type"] == "video/mp4"
    assert video["snippet"]["title"] == "Radweg am Rheinufer – Video"
    assert video["snippet"]["description"] == (
        "Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers.\n\nDie neue Strecke im Video.\n\n"
        f"Mehr zum Thema lesen Sie hier: {URL}\n\nLandeshauptstadt Düsseldorf · Amt für Verkehrsmanagement\n\n"
        "#Düsseldorf #Mobilität #Radverkehr")
    assert (video["snippet"]["categoryId"], video["snippet"]["defaultLanguage"]) == ("25", "de")
    assert video["status"]["privacyStatus"] == "public"
    record = receipt(site)["channels"]["youtube"]
    assert (record["remote_id"], record["url"]) == (video["id"], f"https://www.youtube.com/watch?v={video['id']}")


def test_without_a_title_of_its_own_the_video_takes_the_storys(site, youtube):
    with_video(site, title=None)
    assert statuses(publish(site, youtube.env)) == ["sent"]
    assert youtube.videos[0]["snippet"]["title"] == "Neue Radwege am Rheinufer"


def test_an_upload_broken_off_half_way_is_resumed_where_it_stopped(site, youtube):
    with_video(site)
    youtube.cut_next_upload = 300_000
    assert statuses(publish(site, youtube.env)) == ["sent"]
    [video] = youtube.videos
    assert video["bytes"] == VIDEO and len(youtube.sessions) == 1
    puts = youtube.calls("PUT", SESSION)
    assert [p.header("content-range") for p in puts] == ["", f"bytes */{len(VIDEO)}",
                                                          f"bytes 300000-{len(VIDEO) - 1}/{len(VIDEO)}"]
    assert puts[2].body == VIDEO[300_000:]


@pytest.mark.parametrize("fault", [Answer(503, {"error": {"code": 503, "message": "Backend Error"}}), Stall(2.5)],
                         ids=["503", "timeout"])
def test_a_5xx_or_timeout_during_the_upload_asks_the_session_and_resumes(site, youtube, fault):
    with_video(site)
    youtube.fail("PUT", SESSION, fault)
    assert statuses(publish(site, youtube.env)) == ["sent"]
    assert len(youtube.videos) == 1 and youtube.videos[0]["bytes"] == VIDEO and len(youtube.sessions) == 1


def test_a_finished_upload_whose_answer_was_lost_is_not_uploaded_again(site, youtube):
    with_video(site)
    youtube.fail("PUT", SESSION, Drop())
    report = publish(site, youtube.env)
    assert statuses(report) == ["sent"] and len(youtube.videos) == 1 and len(youtube.sessions) == 1
    assert receipt(site)["channels"]["youtube"]["remote_id"] == youtube.videos[0]["id"]


def test_a_used_up_quota_is_left_to_a_later_run_without_waiting(site, youtube):
    with_video(site)
    youtube.fail("POST", SESSION, Answer(403, QUOTA))
    report = publish(site, youtube.env)
    assert statuses(report) == ["retry"] and youtube.videos == [] and youtube.sessions == {}
    assert report.outcomes[0].message.startswith("YouTube: HTTP 403: Ratenlimit erreicht; die Wartezeit von")


def test_a_429_with_retry_after_is_waited_out(site, youtube):
    with_video(site)
    youtube.fail("POST", SESSION, Answer(429, {"error": {"code": 429, "message": "Too Many Requests"}},
                                         {"Retry-After": "1"}))
    assert statuses(publish(site, youtube.env)) == ["sent"]
    assert youtube.too_early == [] and len(youtube.calls("POST", SESSION)) == 2 and len(youtube.videos) == 1


def test_a_video_youtube_kept_private_is_sent_with_a_note_for_the_editors(site, youtube):
    with_video(site)
    youtube.unaudited = True
    report = publish(site, youtube.env)
    assert statuses(report) == ["sent"]
    assert report.outcomes[0].message == (
        "YouTube hat das Video als „private“ gespeichert (Uploads aus ungeprüften API-Projekten bleiben privat); "
        "bitte in YouTube Studio freigeben.")
    assert receipt(site)["channels"]["youtube"]["detail"]["privacy"] == "private"


def test_a_video_already_on_the_channel_is_found_not_uploaded_again(site, youtube):
    with_video(site)
    youtube.videos.append({"id": "vidEARLIER", "snippet": {"title": "x", "description": f"Früher: {URL}"},
                           "status": {}, "bytes": b"", "type": "video/mp4"})
    report = publish(site, youtube.env)
    assert statuses(report) == ["sent"] and len(youtube.videos) == 1 and youtube.sessions == {}
    assert receipt(site)["channels"]["youtube"]["remote_id"] == "vidEARLIER"


def test_a_revoked_refresh_token_fails_with_googles_words(site, youtube):
    with_video(site)
    report = publish(site, {**youtube.env, "NEWSROOM_YOUTUBE_REFRESH_TOKEN": "1//widerrufen"})
    assert statuses(report) == ["failed"] and youtube.videos == []
    assert report.outcomes[0].message == "YouTube: HTTP 400: invalid_grant"


# -- corrections (the description) and withdrawal (the video made private) ---------------------

VIDEOS = "/youtube/v3/videos"
CHANNEL = "\n  youtube: true"


def sent_video(site, youtube, **fields) -> dict:
    video_files(site)
    first_send(site, CHANNEL, youtube.env, body=BODY)
    amend(site, CHANNEL, body=BODY, **fields)
    return youtube.videos[0]


def test_a_correction_is_put_at_the_start_of_the_description_once(site, youtube):
    video = sent_video(site, youtube, corrections=CORRECTION)
    before = dict(video["snippet"])
    youtube.fail("PUT", VIDEOS, Drop())  # updated, then the connection closes without an answer
    report = follow_up(site, youtube.env)
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [(CORRECTED, "youtube", "sent")]
    snippet = video["snippet"]
    assert snippet["description"] == (f"{MARKER} zu unserer Meldung „Neue Radwege am Rheinufer“: Falsch war: Die "
                                      "Sperrung dauert bis Freitag. Richtig ist: Die Sperrung dauert bis Sonntag."
                                      f"\n\n{URL}\n\n{before['description']}")
    # The rest of the snippet went back as it was: videos.update replaces what it is not sent.
    assert {k: v for k, v in snippet.items() if k != "description"} == {
        k: v for k, v in before.items() if k != "description"}
    assert len(youtube.calls("PUT", VIDEOS)) == 2  # the lost answer repeated the same update
    record = receipt(site, CORRECTED)["channels"]["youtube"]
    assert (record["remote_id"], record["url"]) == (video["id"], f"https://www.youtube.com/watch?v={video['id']}")
    assert follow_up(site, youtube.env, "2026-11-26 13:20").outcomes == []
    assert snippet["description"].count(MARKER) == 1 and len(youtube.calls("PUT", VIDEOS)) == 2


def test_a_correction_already_in_the_description_is_not_put_there_twice(site, youtube):
    video = sent_video(site, youtube, corrections=CORRECTION)
    video["snippet"]["description"] = f"{MARKER}: von Hand eingetragen.\n\n{video['snippet']['description']}"
    report = follow_up(site, youtube.env)
    assert statuses(report) == ["sent"] and report.outcomes[0].message == "beim Kanal gefunden (früher gesendet)"
    assert youtube.calls("PUT", VIDEOS) == [] and video["snippet"]["description"].count(MARKER) == 1


def test_a_correction_needs_the_youtube_scope_and_says_so_in_googles_words(site, youtube):
    sent_video(site, youtube, corrections=CORRECTION)
    youtube.scopes = ("https://www.googleapis.com/auth/youtube.upload",
                      "https://www.googleapis.com/auth/youtube.readonly")
    report = follow_up(site, youtube.env)
    assert statuses(report) == ["failed"]
    assert report.outcomes[0].message == "YouTube: HTTP 403: Request had insufficient authentication scopes."


def test_a_withdrawal_makes_the_video_private_once(site, youtube):
    video = sent_video(site, youtube, status="withdrawn", withdrawal=WITHDRAWAL)
    youtube.fail("PUT", VIDEOS, Answer(429, {"error": {"code": 429, "message": "Too Many Requests"}},
                                       {"Retry-After": "1"}))
    report = follow_up(site, youtube.env)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "sent")]
    assert video["status"]["privacyStatus"] == "private" and youtube.videos == [video]
    assert video["status"]["embeddable"] is True and video["status"]["selfDeclaredMadeForKids"] is False
    record = receipt(site, WITHDRAWN)["channels"]["youtube"]
    assert record["detail"]["hidden"] == {video["id"]: "auf privat gestellt (vorher: public)"}
    assert follow_up(site, youtube.env, "2026-11-26 13:20").outcomes == []
    assert [u["part"] for u in youtube.updates] == ["status"]


def test_a_video_already_gone_counts_as_withdrawn(site, youtube):
    video = sent_video(site, youtube, status="withdrawn", withdrawal=WITHDRAWAL)
    youtube.videos.clear()  # deleted by hand in YouTube Studio
    assert statuses(follow_up(site, youtube.env)) == ["sent"]
    assert receipt(site, WITHDRAWN)["channels"]["youtube"]["detail"]["hidden"] == {
        video["id"]: "nicht mehr vorhanden (schon gelöscht)"}
    assert youtube.updates == []
