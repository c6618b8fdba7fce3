"""The embedded default: builds render what each channel would receive, and never send."""

from __future__ import annotations

import dataclasses
import html
import io
import re

import pytest
from PIL import Image

import plugins.channel_preview.channel_preview as preview_plugin
from newsroom.errors import ContentErrors
from newsroom.publishing.text import german_number, weighted_length
from plugins.mastodon.mastodon import URL_LENGTH
from tests.publishing_support import STORY_ID, due_story
from tests.social.support import adapter
from tests.support import PHOTO

CREDIT = '"Foto: Landeshauptstadt Düsseldorf/Test"'


def panorama() -> bytes:
    """A PNG of 3:1, which Instagram refuses as it is: the media portal crops it."""
    buffer = io.BytesIO()
    Image.new("RGB", (1500, 500), (200, 60, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_build_writes_previews_and_overview_and_sends_nothing(site, mastodon):
    due_story(site)
    site.commit("Meldung", "2026-11-26 08:00")
    site.build()
    assert mastodon.log == []  # credentials present, and still nothing sent
    preview = site.root / "preview"
    page = (preview / "meldungen" / f"{STORY_ID}.html").read_text()
    assert "Nichts davon wurde gesendet" in page and "http://localhost:8000/aktuelles/2026/11/" in page
    overview = (preview / "status.txt").read_text()
    assert "Neue Radwege am Rheinufer" in overview and "mastodon   fällig" in overview
    for path in preview.rglob("*"):
        if path.is_file():
            assert mastodon.token not in path.read_text()
    assert not (site.output / "meldungen").exists() and "preview" not in {p.name for p in site.output.iterdir()}


def test_an_unchanged_build_rewrites_no_preview_and_a_change_rewrites_one(site):
    due_story(site)
    due_story(site, "2026/zwei.md", story_id="b2b2b2b2b2b2", title="Zweite Meldung")
    site.build()
    preview = site.root / "preview"  # the channel previews and the overview; the desk: tests/test_desk_page.py
    files = sorted(p for p in preview.rglob("*.html") if p.relative_to(preview).parts[0] != "desk")
    inodes = {p: p.stat().st_ino for p in files}
    site.build()
    assert {p: p.stat().st_ino for p in files} == inodes
    due_story(site, "2026/zwei.md", story_id="b2b2b2b2b2b2", title="Zweite Meldung, geändert")
    site.build()
    changed = sorted(p.name for p in files if p.stat().st_ino != inodes[p])
    assert changed == ["b2b2b2b2b2b2.html", "index.html"]


TOO_MANY_POSTS = ("content/stories/2026/radwege.md: Feld „channels.mastodon“: Mastodon: Der eigene Text braucht 7 "
                  "Beiträge (je höchstens 500 Zeichen), erlaubt sind 5 (SOCIAL_THREAD_MAX_POSTS). Bitte unter "
                  "channels.mastodon.text kürzen.")


def test_a_post_that_cannot_fit_fails_check_naming_story_channel_and_numbers(site):
    text = "Sehr lang. " * 300  # a thread of seven statuses
    due_story(site, channels=f"\n  mastodon:\n    text: \"{text}\"")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [TOO_MANY_POSTS]


def test_a_story_with_other_problems_has_its_posts_checked_in_the_same_round(site):
    text = "Sehr lang. " * 300
    due_story(site, department="Gartenamt", summary="Achtung: Sperrung", channels=f"\n  mastodon:\n    text: \"{text}\"")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    errors = [str(e) for e in caught.value.errors]  # sorted by line: the channel's, without one, first
    assert errors[0] == TOO_MANY_POSTS
    assert errors[1].startswith("content/stories/2026/radwege.md:6: Doppelpunkt an unerwarteter Stelle.")
    assert errors[2].startswith("content/stories/2026/radwege.md:8: Feld „department“: „Gartenamt“ ist nicht erlaubt.")
    assert len(errors) == 3
    assert not (site.root / "preview").exists()  # a check writes nothing


def test_removing_the_channels_removes_the_preview(site):
    due_story(site)
    site.build()
    page = site.root / "preview" / "meldungen" / f"{STORY_ID}.html"
    assert page.exists()
    due_story(site, channels=None)
    site.build()
    assert not page.exists()


# -- what each channel gets: its count, its image, the alt text ------------------------------

def section(page: str, channel: str) -> str:
    found = re.search(rf'<section class="kanal" aria-labelledby="kanal-{channel}">(.*?)</section>', page, re.S)
    assert found, f"no section for {channel}"
    return found.group(1)


def sent_text(part: str) -> str:
    return html.unescape(re.search(r"<pre>(.*?)</pre>", part, re.S).group(1))


def preview_page(site, story_id: str = STORY_ID) -> str:
    return (site.root / "preview" / "meldungen" / f"{story_id}.html").read_text(encoding="utf-8")


def test_each_channel_shows_its_count_in_its_own_unit(site):
    mastodon_text = "Ärger über 🚲-Wege am Rhein? Die Stadt hört zu, Bürgerforum im Dezember. " * 5
    x_text = "Radwege am Rhein 🚲🇩🇪: Düsseldorf baut zwei Kilometer. Mehr: https://www.duesseldorf.de/verkehr/"
    due_story(site, channels=f'\n  mastodon:\n    text: "{mastodon_text}"\n  x:\n    text: "{x_text}"\n  press: true')
    site.build()
    page = preview_page(site)
    mastodon, x = adapter("mastodon"), adapter("x")
    sent = sent_text(section(page, "mastodon"))
    count = weighted_length(sent, URL_LENGTH)  # how Mastodon's validate counts
    assert mastodon.count(sent) == count and count != len(sent)
    assert f"{german_number(count)} von {german_number(mastodon.text_limit().maximum)} Zeichen – passt." in page
    sent = sent_text(section(page, "x"))
    count = x.count(sent)  # twitter-text's weighted length: emoji count 2, links 23
    assert count != len(sent)
    assert f"{count} von {x.text_limit().maximum} Zeichen (gewichtet) – passt." in section(page, "x")
    assert 'class="zaehlung' not in section(page, "press")  # the press release has no limit


def test_a_draft_too_long_for_a_channel_is_marked_in_words_with_the_validators_numbers(site):
    text = "Sehr lang. " * 300  # more statuses and posts than a thread may have
    due_story(site, status="draft", channels=f'\n  mastodon:\n    text: "{text}"\n  bluesky:\n    text: "{text}"')
    site.build()  # a draft's problems never stop the build: its preview shows them
    page = preview_page(site)
    for name, posts, maximum in (("mastodon", 7, 500), ("bluesky", 12, 300)):
        channel = adapter(name)
        part = section(page, name)
        count = channel.count(sent_text(part))  # the thread's first post
        assert count <= maximum
        assert html.unescape(f"Problem: {channel.label}: Der eigene Text braucht {posts} Beiträge (je höchstens "
                             f"{maximum} Zeichen), erlaubt sind 5") in html.unescape(part)


def test_each_channel_shows_the_portals_crop_for_it_with_its_alt_text(site):
    site.write("media/fotos/panorama.png", panorama())
    site.write("media/fotos/panorama.png.yml", f"alt: Panorama des Rheinufers\ncredit: {CREDIT}\n")
    due_story(site, image="fotos/panorama.png", channels="\n  instagram: true\n  mastodon: true\n  facebook: true")
    site.build()
    page, pictures = preview_page(site), site.root / "preview" / "meldungen" / "bilder"
    crop = re.search(r'<img src="bilder/([^"]+)" alt="Panorama des Rheinufers"[^>]*>',
                     section(page, "instagram")).group(1)
    [portal] = (site.output / "medienportal/bilder").glob("*/panorama-instagram.jpg")
    assert (pictures / crop).read_bytes() == portal.read_bytes()
    with Image.open(pictures / crop) as image:
        assert image.format == "JPEG" and image.size == (400, 500)  # cut to 4:5 (INSTAGRAM_CROP)
    assert "400 × 500 Pixel, Seitenverhältnis 4:5" in section(page, "instagram")
    lead = re.search(r'<img src="bilder/([^"]+)"', section(page, "mastodon")).group(1)
    [wide] = (site.output / "medienportal/bilder").glob("*/panorama-wide.jpg")
    assert (pictures / lead).read_bytes() == wide.read_bytes()  # Mastodon's crop: 16:9 (CHANNEL_CROPS)
    card = re.search(r'<img src="bilder/([^"]+)"', section(page, "facebook")).group(1)
    [link_card] = (site.output / "medienportal/bilder").glob("*/panorama-card.jpg")
    assert (pictures / card).read_bytes() == link_card.read_bytes()  # the link card Facebook draws from og:image
    assert "Seitenverhältnis 1,91:1" in section(page, "facebook")
    assert sorted(p.name for p in pictures.iterdir()) == sorted({crop, lead, card})
    for name in ("instagram", "mastodon", "facebook"):
        assert "<strong>Alternativtext:</strong> Panorama des Rheinufers" in section(page, name)


def releases_changed(monkeypatch, **changes) -> None:
    """The releases the previews are drawn from, with `changes` (dataclasses.replace)."""
    real = preview_plugin.release_maker

    def maker(*args, **kwargs):
        make = real(*args, **kwargs)
        return lambda card: dataclasses.replace(make(card), **changes)

    monkeypatch.setattr(preview_plugin, "release_maker", maker)


def test_without_a_crop_from_the_media_portal_instagram_shows_the_lead_image_itself(site, monkeypatch):
    releases_changed(monkeypatch, image_renditions={})
    due_story(site, image="fotos/rhein.jpg", channels="\n  instagram: true")
    site.build()
    part = section(preview_page(site), "instagram")
    name = re.search(r'<img src="bilder/([^"]+)" alt="Blick über den Rhein"[^>]*>', part).group(1)
    assert (site.root / "preview/meldungen/bilder" / name).read_bytes() == PHOTO
    assert "Aufmacherbild: <code>fotos/rhein.jpg</code>" in part


def test_an_image_without_alt_text_is_warned_about(site, monkeypatch):
    """The media library requires alt text of photos; a release without one stands for any gap."""
    releases_changed(monkeypatch, image_alt=None)
    # A draft: Mastodon refuses a picture without alt text, and a draft's problems do not stop the build.
    due_story(site, image="fotos/rhein.jpg", channels="\n  mastodon: true", status="draft")
    site.build()
    part = section(preview_page(site), "mastodon")
    assert "Problem: Mastodon: Das Aufmacherbild „fotos/rhein.jpg“ hat keinen Alternativtext" in html.unescape(part)
    assert "Achtung: Zu diesem Bild fehlt der Alternativtext." in part
    assert "<code>content/media/fotos/rhein.jpg.yml</code> unter <code>alt</code>" in part
    assert 'alt="Aufmacherbild, Zuschnitt „Querformat“ fotos/rhein.jpg, ohne Alternativtext"' in part


def test_an_unchanged_rebuild_rewrites_no_preview_file_and_images_follow_their_media(site):
    site.write("media/fotos/panorama.png", panorama())
    site.write("media/fotos/panorama.png.yml", f"alt: Panorama\ncredit: {CREDIT}\n")
    due_story(site, image="fotos/panorama.png", channels="\n  instagram: true\n  mastodon: true")
    due_story(site, "2026/zwei.md", story_id="b2b2b2b2b2b2", title="Zweite Meldung", image="fotos/rhein.jpg")
    site.build()
    preview_folder = site.root / "preview"

    def stamps() -> dict:  # the channel previews and the overview; the desk: tests/test_desk_page.py
        return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in preview_folder.rglob("*")
                if p.is_file() and p.relative_to(preview_folder).parts[0] != "desk"}

    before = stamps()
    assert len(list((preview_folder / "meldungen" / "bilder").iterdir())) == 3
    site.build()
    assert stamps() == before
    site.write("media/fotos/rhein.jpg.yml", f"alt: Der Rhein bei Nacht\ncredit: {CREDIT}\n")
    site.build()  # a new alt text draws the preview again; the image copy keeps its bytes and inode
    assert "<strong>Alternativtext:</strong> Der Rhein bei Nacht" in preview_page(site, "b2b2b2b2b2b2")
    changed = sorted(p.name for p in before if p.stat().st_ino != before[p][0])
    assert changed == ["b2b2b2b2b2b2.html"]
    due_story(site, "2026/zwei.md", story_id="b2b2b2b2b2b2", title="Zweite Meldung")
    site.build()  # no image any more: its copy goes
    assert len(list((preview_folder / "meldungen" / "bilder").iterdir())) == 2
    assert "Dieser Kanal erhält kein Bild." in preview_page(site, "b2b2b2b2b2b2")


def test_a_channel_that_takes_no_alt_text_is_said_so_not_reported_missing(site):
    due_story(site, image="fotos/rhein.jpg", channels="\n  telegram: true\n  mastodon: true")
    site.build()
    page = preview_page(site)
    telegram = section(page, "telegram")
    assert "Telegram übermittelt keinen Alternativtext." in telegram and "fehlt der Alternativtext" not in telegram
    assert "rhein-wide" in telegram  # the 16:9 crop Telegram gets
    assert "<strong>Alternativtext:</strong> Blick über den Rhein" in section(page, "mastodon")
