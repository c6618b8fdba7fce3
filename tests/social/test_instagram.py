"""Instagram against a Graph-API-shaped server: container, status polling, media_publish;
caption and image rules checked from the file before anything is sent."""

from __future__ import annotations

import re

import pytest

from newsroom.errors import ContentErrors
from newsroom.publishing.channel import ClaimFiles, Delivery, SendContext
from newsroom.publishing.http import HttpClient
from newsroom.publishing.text import count_hashtags
from newsroom.secrets import redact
from tests.fakes.api import Answer, Drop, Stall
from tests.fakes.meta import IG_USER, FakeGraph, error, usage
from tests.publishing_support import publish as publish_run
from tests.social.support import (
    CORRECTED,
    CORRECTION,
    URL,
    WITHDRAWAL,
    WITHDRAWN,
    adapter,
    amend,
    due,
    first_send,
    follow_up,
    jpeg,
    png,
    publish,
    receipt,
    release,
    statuses,
)

PUBLISH = rf"/v26.0/{IG_USER}/media_publish"
CREATE = rf"/v26.0/{IG_USER}/media"


@pytest.fixture
def graph():
    with FakeGraph() as server:
        yield server


def problems_for(tmp_path, data: bytes, name: str = "bild.jpg", **release_fields) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    channel = adapter("instagram")
    return channel.validate(channel.render(release(image=f"fotos/{name}", image_file=path, **release_fields)))


def test_a_story_without_lead_image_cannot_go_to_instagram():
    channel = adapter("instagram")
    assert channel.validate(channel.render(release())) == [
        "Instagram braucht ein Bild: Die Meldung hat kein Aufmacherbild (Feld image)."]


@pytest.mark.parametrize("data, expected", [
    (jpeg(1080, 1350), []),  # 4:5, the tallest allowed
    (jpeg(1080, 566), []),  # 1.908:1, just inside 1.91:1
    (jpeg(1600, 900), []),
    (jpeg(1080, 1351), ["Instagram: Das Bild fotos/bild.jpg hat das Seitenverhältnis 0,80:1 (1080 × 1351 Pixel); "
                        "erlaubt ist 4:5 (0,8:1, hoch) bis 1,91:1 (quer). Bitte einen passenden Ausschnitt als "
                        "Aufmacherbild verwenden."]),
    (jpeg(2350, 1000), ["Instagram: Das Bild fotos/bild.jpg hat das Seitenverhältnis 2,35:1 (2350 × 1000 Pixel); "
                        "erlaubt ist 4:5 (0,8:1, hoch) bis 1,91:1 (quer). Bitte einen passenden Ausschnitt als "
                        "Aufmacherbild verwenden."]),
    # A phone photo stored 1600 × 900 but turned upright by its EXIF orientation is 9:16 as shown.
    (jpeg(1600, 900, orientation=6), ["Instagram: Das Bild fotos/bild.jpg hat das Seitenverhältnis 0,56:1 "
                                      "(900 × 1600 Pixel); erlaubt ist 4:5 (0,8:1, hoch) bis 1,91:1 (quer). Bitte "
                                      "einen passenden Ausschnitt als Aufmacherbild verwenden."]),
    (jpeg(1080, 1080, padding=8_100_000), ["Instagram: Das Bild fotos/bild.jpg ist 8,1 MB groß; erlaubt sind "
                                           "höchstens 8 MB."]),
], ids=["4:5", "1.91:1", "16:9", "too-tall", "too-wide", "exif-rotated", "too-big"])
def test_image_rules_are_read_from_the_file(tmp_path, data, expected):
    assert problems_for(tmp_path, data) == expected


def test_only_jpeg_is_taken(tmp_path):
    assert problems_for(tmp_path, png(1080, 1080), "bild.png") == [
        "Instagram: Das Bild fotos/bild.png ist im Format PNG; Instagram nimmt nur JPEG. Bitte eine JPEG-Fassung "
        "als Aufmacherbild verwenden."]
    avif = b"\x00\x00\x00\x1cftypavif" + b"\x00" * 40
    assert problems_for(tmp_path, avif, "bild.avif")[0].startswith("Instagram: Das Bild fotos/bild.avif ist im "
                                                                    "Format AVIF")


def test_caption_length_and_hashtags_are_limited(tmp_path):
    caption = "Ein langer Text über den Radverkehr. " * 62  # 2,294 characters, 2,293 once stripped; no link added
    assert problems_for(tmp_path, jpeg(1080, 1080), own={"instagram": caption}) == [
        "Instagram: Die Bildunterschrift hat 2.293 Zeichen, erlaubt sind 2.200. Bitte unter "
        "channels.instagram.text kürzen."]
    tags = " ".join(f"#Thema{n}" for n in range(31))
    assert problems_for(tmp_path, jpeg(1080, 1080), own={"instagram": f"Neue Radwege am Rhein. {tags}"}) == [
        "Instagram: Die Bildunterschrift hat 31 Hashtags, erlaubt sind 30. Bitte Schlagworte (tags) oder Hashtags "
        "unter channels.instagram.text streichen."]
    # The house template takes no more hashtags than Instagram allows: #Düsseldorf, #Mobilität and 28 tags.
    many = tuple(f"Thema{n}" for n in range(40))
    assert problems_for(tmp_path, jpeg(1080, 1080), tags=many) == []
    caption = adapter("instagram").render(release(tags=many)).text
    assert count_hashtags(caption) == 30 and caption.endswith("#Düsseldorf #Mobilität #Thema0 " + " ".join(
        f"#Thema{n}" for n in range(1, 28)))


def test_the_lookup_matches_the_caption_also_one_changed_since_a_claim(graph):
    """The caption holds no link: a post is found by its caption, whitespace evened out, and by the
    caption of every earlier claim of the send (an editor's typo fix after a lost answer)."""
    preview = adapter("instagram")
    channel = type(preview)(preview.settings, preview.urls, environ=graph.instagram_env)
    before = channel.render(release())
    after = channel.render(release(summary="Die Stadt baut zwei Kilometer Radweg am Rheinufer."))
    graph.media.append({"id": "9000000001", "caption": before.text.replace("\n\n", " \r\n\r\n "),
                        "permalink": "https://www.instagram.com/p/C000001/"})
    claimed = channel.prepare_claim(before, {}, ClaimFiles(lambda name: None))
    client = HttpClient("Instagram", deadline=10, timeout=(2, 2))
    assert channel.lookup(before, SendContext("k", client)) == Delivery("9000000001",
                                                                        "https://www.instagram.com/p/C000001/")
    assert channel.lookup(after, SendContext("k", client)) is None
    detail = channel.prepare_claim(after, claimed, ClaimFiles(lambda name: None))
    assert detail["captions"][0] == claimed["captions"][0] and len(detail["captions"]) == 2
    assert channel.lookup(after, SendContext("k", client, detail)).remote_id == "9000000001"


def test_invoke_check_names_story_channel_and_problem(site):
    site.story(channels="\n  instagram: true")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.instagram“: Instagram braucht ein Bild: Die Meldung hat "
        "kein Aufmacherbild (Feld image)."]


def test_a_due_story_is_published_after_the_container_is_ready(site, graph):
    due(site, "\n  instagram: true", image="fotos/rhein.jpg")
    graph.in_progress_polls = 2
    report = publish(site, graph.instagram_env)
    assert statuses(report) == ["sent"]
    [media] = graph.media
    # Meta fetches the media portal's Instagram rendition of the lead image (JPEG, no EXIF).
    assert re.fullmatch(r"https://www\.duesseldorf\.de/medienportal/bilder/[0-9a-f]{16}/rhein-instagram\.jpg",
                        media["image_url"]) and media["alt_text"] == "Blick über den Rhein"
    assert media["caption"].startswith("Neue Radwege am Rheinufer\n\n") and media["caption"].endswith(
        "Alle Informationen finden Sie über den Link in unserem Profil.\n\n#Düsseldorf #Mobilität #Radverkehr "
        "#Rheinufer")
    assert URL not in media["caption"] and "https://" not in media["caption"]
    [container] = graph.containers
    record = receipt(site)["channels"]["instagram"]
    assert (record["status"], record["remote_id"], record["url"]) == ("sent", media["id"], media["permalink"])
    assert record["detail"]["container"] == container
    assert len(graph.calls("GET", rf"/v26.0/{container}")) == 3  # IN_PROGRESS, IN_PROGRESS, FINISHED


def test_a_container_meta_could_not_fetch_fails_with_the_reason(site, graph):
    due(site, "\n  instagram: true", image="fotos/rhein.jpg")
    graph.container_outcome = "ERROR"
    report = publish(site, graph.instagram_env)
    assert statuses(report) == ["failed"] and graph.media == []
    assert report.outcomes[0].message == (
        "Instagram: Das Bild wurde nicht angenommen (Error: Media download has failed. The media URI doesn't meet "
        "our requirements.). Meta lädt es von der Website: ist sie erreichbar und das Bild ein JPEG?")


def test_a_used_up_daily_quota_waits_for_the_next_run(site, graph):
    due(site, "\n  instagram: true", image="fotos/rhein.jpg")
    graph.quota_used = 50
    report = publish(site, graph.instagram_env)
    assert statuses(report) == ["retry"] and graph.containers == {} and graph.media == []
    assert report.outcomes[0].message == ("Instagram: 50 von 50 Beiträgen der letzten 24 Stunden sind veröffentlicht "
                                          "(Tageslimit); nächster Versuch im nächsten Lauf.")


def test_the_publishing_limit_error_is_a_retry_not_a_failure(site, graph):
    due(site, "\n  instagram: true", image="fotos/rhein.jpg")
    graph.fail("POST", PUBLISH, Answer(400, error(9, "Application request limit reached", subcode=2207042)))
    report = publish(site, graph.instagram_env)
    assert statuses(report) == ["retry"] and graph.media == []


def test_a_429_without_retry_after_is_backed_off(site, graph):
    due(site, "\n  instagram: true", image="fotos/rhein.jpg")
    graph.fail("POST", CREATE, Answer(429, error(4, "(#4) Application request limit reached"), usage(0)))
    assert statuses(publish(site, graph.instagram_env)) == ["sent"]
    assert len(graph.calls("POST", CREATE)) == 2 and len(graph.containers) == 1 and len(graph.media) == 1


@pytest.mark.parametrize("fault", [Answer(500, error(2, "Service temporarily unavailable")), Stall(2.5)],
                         ids=["500", "timeout"])
def test_a_failed_publish_is_looked_up_then_publishes_the_same_container(site, graph, fault):
    due(site, "\n  instagram: true", image="fotos/rhein.jpg")
    graph.fail("POST", PUBLISH, fault)
    assert statuses(publish(site, graph.instagram_env)) == ["sent"]
    assert len(graph.media) == 1 and len(graph.containers) == 1  # the recorded container, reused
    assert len(graph.calls("POST", PUBLISH)) == 2


def test_a_publish_whose_answer_was_lost_is_found_and_not_repeated(site, graph):
    due(site, "\n  instagram: true", image="fotos/rhein.jpg")
    graph.fail("POST", PUBLISH, Drop())
    report = publish(site, graph.instagram_env)
    assert statuses(report) == ["sent"] and len(graph.media) == 1 and len(graph.calls("POST", PUBLISH)) == 1
    assert receipt(site)["channels"]["instagram"]["remote_id"] == graph.media[0]["id"]


# -- corrections and withdrawal: tasks for the desk (the API can neither edit nor delete) -------

CHANNEL = "\n  instagram: true"


def published(site, graph, **fields) -> dict:
    first_send(site, CHANNEL, graph.instagram_env, image="fotos/rhein.jpg")
    amend(site, CHANNEL, image="fotos/rhein.jpg", **fields)
    graph.log.clear()
    return graph.media[0]


def asked(graph) -> list[str]:
    """What a run asked of Instagram besides when its token runs out (every run asks that)."""
    return [f"{r.method} {r.path}" for r in graph.log if not r.path.endswith("/debug_token")]


def test_a_correction_is_a_manual_task_naming_the_post_and_the_text_recorded_once(site, graph):
    media = published(site, graph, corrections=CORRECTION)
    report = follow_up(site, graph.instagram_env)
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [(CORRECTED, "instagram", "manual")]
    assert report.ok and asked(graph) == []
    record = receipt(site, CORRECTED)["channels"]["instagram"]
    assert record["status"] == "manual"
    # Records are redacted (nothing secret is in this text: the call only shows it went through redact).
    assert record["error"] == redact(
        "Instagram: Die Bildunterschrift lässt sich über die Schnittstelle nicht ändern. Bitte in der Instagram-App "
        f"den Beitrag {media['permalink']} öffnen, „Bearbeiten“ wählen und die Berichtigung an den Anfang der "
        "Bildunterschrift setzen: Berichtigung vom 26.11.2026, 13:00 Uhr zu unserer Meldung „Neue Radwege am "
        "Rheinufer“: Falsch war: Die Sperrung dauert bis Freitag. Richtig ist: Die Sperrung dauert bis Sonntag.\n\n"
        f"{URL}")
    assert follow_up(site, graph.instagram_env, "2026-11-26 13:20").outcomes == []
    assert receipt(site, CORRECTED)["channels"]["instagram"]["attempts"] == 1


def test_a_withdrawal_is_a_manual_task_to_delete_the_post_recorded_once(site, graph):
    media = published(site, graph, status="withdrawn", withdrawal=WITHDRAWAL)
    report = follow_up(site, graph.instagram_env)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "manual")]
    record = receipt(site, WITHDRAWN)["channels"]["instagram"]
    assert (record["status"], record["error"]) == ("manual", (
        "Instagram: Beiträge lassen sich über die Schnittstelle nicht löschen. Bitte in der Instagram-App den "
        f"Beitrag {media['permalink']} öffnen und über „…“ löschen (oder archivieren, dann ist er nicht mehr "
        "öffentlich)."))
    assert asked(graph) == [] and graph.media == [media]
    assert follow_up(site, graph.instagram_env, "2026-11-26 13:20").outcomes == []


def test_a_manual_task_done_by_hand_is_entered_once_and_sends_nothing(site, graph):
    published(site, graph, status="withdrawn", withdrawal=WITHDRAWAL)
    follow_up(site, graph.instagram_env)
    done = publish_run(site, now="2026-11-26 13:30", environ=graph.instagram_env, story=WITHDRAWN,
                       channel="instagram", done=True)
    assert [(o.story_id, o.status) for o in done.outcomes] == [(WITHDRAWN, "sent")]
    assert "von Hand erledigt" in done.outcomes[0].message and asked(graph) == []
    record = receipt(site, WITHDRAWN)["channels"]["instagram"]
    assert record["status"] == "sent" and record["attempts"] == 2 and "error" not in record
    # Entered once: asking again finds no open task, and no run touches it any more.
    assert publish_run(site, now="2026-11-26 13:40", environ=graph.instagram_env, story=WITHDRAWN,
                       channel="instagram", done=True).outcomes == []
    assert follow_up(site, graph.instagram_env, "2026-11-26 13:50").outcomes == []
