"""The media portal: descriptions merged from sidecar and IPTC/XMP, renditions without
personal EXIF, the rendition cache, album ZIPs, the feed, and every kind of bad input."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import feedparser
import pytest
from PIL import Image, IptcImagePlugin

from newsroom.errors import ContentErrors
from newsroom.media.library import MediaLibrary
from tests.support import snapshot
from tests.video_support import mp4

ITEM = "medienportal/medien/fotos/{}/index.html"
CREDIT = '"Foto: Landeshauptstadt Düsseldorf/Test"'


def photo(width=64, height=48, *, fmt="JPEG", exif: Image.Exif | None = None, xmp: bytes | None = None,
          colour=(200, 60, 40)) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    image.paste((20, 20, 200), (0, 0, width // 2, height // 4))  # a mark in the top left corner
    buffer = io.BytesIO()
    options = {}
    if exif is not None:
        options["exif"] = exif
    if xmp is not None:
        options["xmp"] = xmp
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned by 90° clockwise
    exif[0x010F] = "Kamera"
    exif[0x013B] = "Erika Mustermann"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 13.0, 30.0), "E", (6.0, 46.0, 40.0)
    return exif


def xmp(**fields: str) -> bytes:
    body = "".join(
        f"<{tag}><rdf:Alt><rdf:li xml:lang='x-default'>{value}</rdf:li></rdf:Alt></{tag}>" if alt else
        f"<{tag}>{value}</{tag}>"
        for tag, value, alt in (("dc:title", fields.get("title"), True), ("dc:description", fields.get("caption"), True),
                                ("photoshop:Credit", fields.get("credit"), False),
                                ("Iptc4xmpCore:AltTextAccessibility", fields.get("alt"), True))
        if value)
    return (f"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
            f"<rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/' "
            f"xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/' "
            f"xmlns:Iptc4xmpCore='http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/'>{body}</rdf:Description>"
            f"</rdf:RDF></x:xmpmeta>").encode()


def add(site, relative: str, data: bytes, **sidecar: str) -> None:
    site.write(f"media/{relative}", data)
    if sidecar:
        site.write(f"media/{relative}.yml", "".join(f"{k}: {v}\n" for k, v in sidecar.items()))


def errors_of(site) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        site.check()
    return [str(e) for e in caught.value.errors]


def renditions(site, stem: str) -> list[Path]:
    return sorted((site.output / "medienportal/bilder").glob(f"*/{stem}-*"))


# -- descriptions ----------------------------------------------------------------------------

def test_the_sidecar_wins_field_by_field_over_embedded_xmp(site):
    add(site, "fotos/markt.jpg", photo(xmp=xmp(title="Titel aus XMP", caption="Unterschrift aus XMP",
                                                credit="Foto: Agentur", alt="Beschreibung aus XMP")),
        caption="Unterschrift aus der Beschreibungsdatei", credit=CREDIT)
    library = MediaLibrary(site.content / "media", site.root)
    item = library.get("fotos/markt.jpg", source="test", line=None, field=None)
    assert (item.title, item.caption, item.credit, item.alt) == (
        "Titel aus XMP", "Unterschrift aus der Beschreibungsdatei", "Foto: Landeshauptstadt Düsseldorf/Test",
        "Beschreibung aus XMP")
    site.build()
    page = site.page(ITEM.format("markt"))
    assert "<h1 data-pagefind-ignore>Titel aus XMP</h1>" in page and "Unterschrift aus der Beschreibungsdatei" in page
    assert "Foto: Agentur" not in page


def test_embedded_alt_text_and_credit_make_a_sidecar_unnecessary(site):
    add(site, "fotos/agentur.jpg", photo(xmp=xmp(credit="Foto: Agentur/Name", alt="Ein roter Platz")))
    site.build()
    page = site.page(ITEM.format("agentur"))
    assert 'alt="Ein roter Platz"' in page and "Foto: Agentur/Name" in page


def test_iptc_iim_fills_what_xmp_lacks(site):
    from tools.make_demo_media import iptc_block, with_app13

    data = with_app13(photo(xmp=xmp(alt="Blick auf den Markt")), iptc_block({5: "Markt (IPTC)", 110: "Foto: IPTC"}))
    add(site, "fotos/iptc.jpg", data)
    item = MediaLibrary(site.content / "media", site.root).get("fotos/iptc.jpg", source="t", line=None, field=None)
    assert (item.title, item.credit, item.alt) == ("Markt (IPTC)", "Foto: IPTC", "Blick auf den Markt")


# -- renditions --------------------------------------------------------------------------------

def test_renditions_are_upright_and_carry_no_gps_or_personal_exif(site):
    original = photo(1200, 800, exif=gps_exif(), xmp=xmp(title="Mit Ort", credit="Foto: Privat", alt="Ein Platz"))
    add(site, "fotos/handy.jpg", original, alt="Ein Platz", credit=CREDIT)
    site.build()
    files = renditions(site, "handy")
    assert {f.name for f in files} == {f"handy-{w}.{x}" for w in (320, 640) for x in ("jpg", "webp")}  # 800 wide upright
    for file in files:
        data = file.read_bytes()
        with Image.open(file) as image:
            assert image.height > image.width  # stored on its side, shown upright
            assert dict(image.getexif()) == {}, file.name
            assert "exif" not in image.info
            # XMP written anew from the merged description (tests/test_embedded_rights.py), not the file's own
            assert b"Landeshauptstadt D\xc3\xbcsseldorf/Test" in image.info["xmp"]
            # the blue mark of the top left corner is now top right: turned clockwise
            assert image.convert("RGB").getpixel((image.width - 2, 2))[2] > 150
        assert b"Erika" not in data and b"Kamera" not in data and b"Privat" not in data
    # The original keeps its picture data and its orientation; its metadata is replaced (newsroom/media/originals.py).
    handed_out = (site.output / "medien/fotos/handy.jpg").read_bytes()
    assert handed_out.endswith(original[original.index(b"\xff\xda"):])  # the compressed picture, byte for byte
    with Image.open(io.BytesIO(handed_out)) as image:
        assert dict(image.getexif()) == {0x0112: 6} and image.getexif().get_ifd(0x8825) == {}
        assert IptcImagePlugin.getiptcinfo(image)[(2, 110)] == "Foto: Landeshauptstadt Düsseldorf/Test".encode()
    assert b"Erika" not in handed_out and b"Kamera" not in handed_out and b"Privat" not in handed_out


def test_png_webp_and_tiff_get_webp_and_jpeg_renditions(site):
    add(site, "fotos/plan.png", photo(500, 300, fmt="PNG"), alt="Plan", credit=CREDIT)
    add(site, "fotos/luft.webp", photo(500, 300, fmt="WEBP"), alt="Luftbild", credit=CREDIT)
    add(site, "fotos/druck.tif", photo(500, 300, fmt="TIFF"), alt="Druckvorlage", credit=CREDIT)
    site.build()
    for stem in ("plan", "luft", "druck"):
        assert [f.name for f in renditions(site, stem)] == [f"{stem}-320.jpg", f"{stem}-320.webp"]
        page = site.page(ITEM.format(stem))
        assert re.search(r'<source type="image/webp" srcset="[^"]+-320\.webp 320w"', page)
        assert "500 × 300" in page  # the original's pixel size next to its download


def test_a_rebuild_without_media_change_draws_nothing_and_writes_nothing(site):
    add(site, "fotos/markt.jpg", photo(800, 600), alt="Markt", credit=CREDIT)
    first = site.build()
    assert first.stats["media_photos_drawn"] == 2  # markt.jpg and the test site's rhein.jpg
    before = snapshot(site.output)
    again = site.build()
    assert (again.stats["media_photos_drawn"], again.stats["media_files_read"], again.written) == (0, 0, [])
    assert snapshot(site.output) == before


def test_files_with_the_same_bytes_each_get_renditions_naming_their_own_page(site):
    same = photo(800, 600)
    add(site, "fotos/markt.jpg", same, alt="Markt", credit=CREDIT)
    add(site, "fotos/markt-kopie.jpg", same, alt="Markt, Kopie", credit=CREDIT)
    built = site.build()
    assert built.stats["media_photos_drawn"] == 3  # each of the pair, and the test site's rhein.jpg
    assert renditions(site, "markt") and renditions(site, "markt-kopie")
    for stem in ("markt", "markt-kopie"):  # every file names its page in the portal (xmpRights:WebStatement)
        [file] = [f for f in renditions(site, stem) if f.name == f"{stem}-640.jpg"]
        with Image.open(file) as image:
            assert f"/medienportal/medien/fotos/{stem}/</xmpRights:WebStatement>".encode() in image.info["xmp"]


def test_renditions_are_keyed_by_content_and_pruned_when_stale(site):
    add(site, "fotos/markt.jpg", photo(800, 600), alt="Markt", credit=CREDIT)
    site.build()
    cache = site.root / ".cache/renditions"
    folders = {p.name for p in cache.iterdir()}
    # The same bytes under another name: drawn again, since the files name the medium's page.
    (site.content / "media/fotos/markt.jpg").rename(site.content / "media/fotos/platz.jpg")
    (site.content / "media/fotos/markt.jpg.yml").rename(site.content / "media/fotos/platz.jpg.yml")
    renamed = site.build()
    assert renamed.stats["media_photos_drawn"] == 1 and renditions(site, "platz") and not renditions(site, "markt")
    folders = {p.name for p in cache.iterdir()}
    # New bytes: one photo drawn, the old renditions leave the cache and the site.
    add(site, "fotos/platz.jpg", photo(800, 600, colour=(10, 120, 10)))
    changed = site.build()
    assert changed.stats["media_photos_drawn"] == 1
    assert len({p.name for p in cache.iterdir()} - folders) == 1 and len(folders - {p.name for p in cache.iterdir()}) == 1
    assert len({f.parent for f in renditions(site, "platz")}) == 1


def test_an_edited_description_redraws_its_pages_like_a_full_build(site, tmp_path):
    add(site, "fotos/markt.jpg", photo(), alt="Markt", credit=CREDIT, title="Marktplatz")
    site.story(image="fotos/markt.jpg")
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    add(site, "fotos/markt.jpg", photo(), alt="Markt", credit=CREDIT, title="Der Marktplatz am Rathaus")
    site.build()
    story = site.page("aktuelles/2026/11/neue-radwege-am-rheinufer/index.html")
    assert "Der Marktplatz am Rathaus</a>" in story  # the story's list of its media
    full = tmp_path / "full"
    site.build(OUTPUT_PATH=str(full), BUILD_FULL=True)
    assert {k: v[0] for k, v in snapshot(site.output).items()} == {k: v[0] for k, v in snapshot(full).items()}


# -- pages, downloads, feed ------------------------------------------------------------------

def test_item_page_lists_downloads_and_the_stories_that_use_it(site):
    add(site, "fotos/markt.jpg", photo(1200, 800), alt="Markt", credit=CREDIT, album="Stadtansichten",
        tags="[Markt, Altstadt]", date='"2025-06-01"', license='"Frei für die Presse"')
    site.story(image="fotos/markt.jpg")
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    page = site.page(ITEM.format("markt"))
    assert '<a href="/medien/fotos/markt.jpg" download>Original</a></th><td>JPEG</td>' in page
    assert re.search(r'download>Web, 1024 Pixel breit</a></th><td>JPEG</td>\s*<td>1024 × 683</td><td>\d+ kB</td>', page)
    assert '<a href="/aktuelles/2026/11/neue-radwege-am-rheinufer/">Neue Radwege am Rheinufer</a>' in page
    assert '<a href="/medienportal/schlagworte/altstadt/">Altstadt</a>' in page
    assert '<a href="/medienportal/themen/verkehr/">Verkehr</a>' in page  # the Thema of the story using it
    for path in ("medienportal/index.html", "medienportal/alben/stadtansichten/index.html",
                 "medienportal/jahre/2025/index.html", "medienportal/themen/verkehr/index.html",
                 "medienportal/schlagworte/markt/index.html"):
        assert 'href="/medienportal/medien/fotos/markt/"' in site.page(path), path


def test_album_zip_is_deterministic_and_names_sources(site, tmp_path):
    add(site, "fotos/a.jpg", photo(), alt="A", credit=CREDIT, album="Rheinufer", license='"Frei"')
    add(site, "fotos/b.png", photo(fmt="PNG"), alt="B", credit=CREDIT, album="Rheinufer", original="false")
    site.build()
    other = tmp_path / "other"
    site.build(OUTPUT_PATH=str(other), CACHE_PATH=str(tmp_path / "other-cache"))
    zipped = site.output / "medienportal/alben/rheinufer/rheinufer.zip"
    assert zipped.read_bytes() == (other / "medienportal/alben/rheinufer/rheinufer.zip").read_bytes()
    with zipfile.ZipFile(zipped) as archive:
        assert archive.namelist() == ["LIESMICH.txt", "a.jpg", "b.jpg"]  # b's original is not passed on
        readme = archive.read("LIESMICH.txt").decode()
    assert "Quelle: Foto: Landeshauptstadt Düsseldorf/Test" in readme and "Nutzung: Frei" in readme
    assert 'href="/medien/fotos/b.png"' not in site.page(ITEM.format("b"))


def test_media_rss_feed_has_credit_thumbnail_and_enclosure(site):
    add(site, "fotos/markt.jpg", photo(800, 600), alt="Markt", credit=CREDIT, title="Marktplatz",
        date='"2026-11-01"', tags="[Markt]")
    site.build()
    feed = feedparser.parse((site.output / "feeds/medien/rss.xml").read_bytes())
    assert feed.bozo == 0
    entry = next(e for e in feed.entries if e.title == "Marktplatz")
    assert entry.id == "tag:duesseldorf.de,2022:media/fotos/markt.jpg"
    assert entry.media_credit[0]["content"] == "Foto: Landeshauptstadt Düsseldorf/Test"
    assert re.search(r"/medienportal/bilder/[0-9a-f]{16}/markt-320\.jpg$", entry.media_thumbnail[0]["url"])
    assert entry.enclosures[0]["type"] == "image/jpeg" and entry.enclosures[0]["href"].endswith("markt-640.jpg")
    assert "medien" in site.page("feeds/index.html")


def test_youtube_clip_loads_nothing_from_youtube_before_consent(site):
    add(site, "videos/kw47-poster.jpg", photo(640, 360))
    site.write("media/videos/kw47.youtube.yml", f"title: Wochenrückblick\ncredit: {CREDIT}\nyoutube: Dus2026KW47\n"
                                                "poster: videos/kw47-poster.jpg\nseries: Video-Wochenrückblick\n")
    site.build()
    page = site.page("medienportal/medien/videos/kw47/index.html")
    assert "<iframe" not in page
    # Only a link a visitor may follow; nothing the browser would load by itself.
    assert re.findall(r'(?:src|srcset|poster|data)="https?://[^"]*youtube', page) == []
    assert 'data-youtube="Dus2026KW47"' in page and '<button type="button" class="yt-load">' in page
    assert "Neueste Folge: Wochenrückblick" in site.page("medienportal/reihen/video-wochenrueckblick/index.html")


def test_video_page_has_player_poster_and_captions(site):
    site.write("media/videos/clip.mp4", mp4())
    site.write("media/videos/clip.de.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n")
    add(site, "videos/clip.jpg", photo(320, 180))
    site.write("media/videos/clip.mp4.yml", f"credit: {CREDIT}\ncaptions: videos/clip.de.vtt\nposter: videos/clip.jpg\n")
    site.build()
    page = site.page("medienportal/medien/videos/clip/index.html")
    assert '<source src="/medien/videos/clip.mp4" type="video/mp4">' in page
    assert '<track kind="captions" src="/medien/videos/clip.de.vtt" srclang="de" label="Deutsch" default>' in page
    assert re.search(r'poster="/medienportal/bilder/[0-9a-f]{16}/clip-320\.jpg"', page)


def test_a_lead_image_unfit_for_instagram_gets_a_rendition_that_fits(site):
    add(site, "fotos/panorama.png", photo(1500, 500, fmt="PNG"), alt="Panorama", credit=CREDIT)
    site.story(image="fotos/panorama.png", channels="\n  instagram: true")
    site.commit("Meldung", "2026-11-20 09:00")
    site.check()  # the original (PNG, 3:1) would be refused; the rendition is not
    site.build()
    [file] = (site.output / "medienportal/bilder").glob("*/panorama-instagram.jpg")
    with Image.open(file) as image:
        assert image.format == "JPEG" and image.size == (400, 500)  # cut to 4:5 (INSTAGRAM_CROP), not enlarged


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("files, expected", [
    ({"fotos/ohne.jpg": photo(), "fotos/ohne.jpg.yml": f"credit: {CREDIT}\n"},
     "content/media/fotos/ohne.jpg.yml: Feld „alt“: Pflichtfeld fehlt oder ist leer."),
    ({"fotos/ohne.jpg": photo(), "fotos/ohne.jpg.yml": "alt: Ein Bild\ncredit:\n"},
     "content/media/fotos/ohne.jpg.yml:2: Feld „credit“: Pflichtfeld fehlt oder ist leer."),
    ({"fotos/ohne.jpg": photo(), "fotos/ohne.jpg.yml": 'alt: Ein Bild\ncredit: "Foto:"\n'},
     "content/media/fotos/ohne.jpg.yml:2: Feld „credit“: Die Quelle „Foto:“ nennt niemanden: Nach dem Doppelpunkt "
     "fehlt der Name."),
    ({"fotos/ohne.jpg": photo()},
     "content/media/fotos/ohne.jpg: Zur Mediendatei fehlt die Beschreibung ohne.jpg.yml (mit alt und credit)."),
    ({"fotos/kaputt.jpg": b"kein Bild", "fotos/kaputt.jpg.yml": f"alt: A\ncredit: {CREDIT}\n"},
     "content/media/fotos/kaputt.jpg: Die Bilddatei lässt sich nicht lesen (unbekanntes Format)."),
    ({"fotos/kopf.jpg": b"\xff\xd8\xff\xe0 kaputt", "fotos/kopf.jpg.yml": f"alt: A\ncredit: {CREDIT}\n"},
     "content/media/fotos/kopf.jpg: Die Bilddatei lässt sich nicht lesen (beschädigt)."),
    ({"fotos/halb.jpg": photo(300, 200)[:-300], "fotos/halb.jpg.yml": f"alt: A\ncredit: {CREDIT}\n"},
     "content/media/fotos/halb.jpg: Die Bilddatei ist beschädigt oder unvollständig: Die JPEG-Segmente lassen sich "
     "nicht bis zum Bildende lesen."),
    ({"fotos/halb.tif": photo(300, 200, fmt="TIFF")[:-200], "fotos/halb.tif.yml": f"alt: A\ncredit: {CREDIT}\n"},
     "content/media/fotos/halb.tif: Die Bilddatei ist beschädigt oder unvollständig: Die Bilddaten der TIFF-Datei "
     "sind abgeschnitten."),
    ({"fotos/weg.jpg.yml": f"alt: A\ncredit: {CREDIT}\n"},
     "content/media/fotos/weg.jpg.yml: Die beschriebene Datei weg.jpg fehlt. Bitte die Datei ablegen oder die "
     "Beschreibung löschen."),
    ({"videos/clip.mp4": mp4(), "videos/clip.mp4.yml": f"credit: {CREDIT}\n"},
     "content/media/videos/clip.mp4.yml: Feld „captions“: Pflichtfeld fehlt: Untertitel als WebVTT-Datei "
     "(Barrierefreiheit)."),
    ({"videos/clip.mp4": b"kein Video", "videos/clip.mp4.yml": f"credit: {CREDIT}\n"},
     "content/media/videos/clip.mp4: Die Datei ist kein MP4-Video (beschädigt oder falsches Format)."),
    ({"videos/clip.mp4": mp4(),
      "videos/clip.mp4.yml": f"credit: {CREDIT}\ncaptions: ../../../etc/passwd\n"},
     "content/media/videos/clip.mp4.yml:2: Feld „captions“: „../../../etc/passwd“ verweist auf eine Datei außerhalb "
     "von content/media/."),
    ({"videos/kw.youtube.yml": f"credit: {CREDIT}\nyoutube: Dus2026KW47\n"},
     "content/media/videos/kw.youtube.yml: Feld „poster“: Pflichtfeld fehlt: ein eigenes Vorschaubild (vor der "
     "Zustimmung wird nichts von YouTube geladen)."),
    ({"dokumente/plan.pdf": b"%PDF-1.4 abgeschnitten", "dokumente/plan.pdf.yml": f"credit: {CREDIT}\n"},
     "content/media/dokumente/plan.pdf: Die Datei ist kein vollständiges PDF (beschädigt oder falsches Format)."),
    ({"fotos/a.jpg": photo(), "fotos/a.jpg.yml": f"alt: A\ncredit: {CREDIT}\n",
      "fotos/a.png": photo(fmt="PNG"), "fotos/a.png.yml": f"alt: A\ncredit: {CREDIT}\n"},
     "content/media/fotos/a.png: Die Seite im Medienportal hätte dieselbe Adresse /medienportal/medien/fotos/a/ "
     "wie fotos/a.jpg. Bitte eine der Dateien umbenennen."),
])
def test_bad_media_stop_check_and_build_with_a_german_message(site, files, expected):
    site.build()
    before = snapshot(site.output)
    for relative, data in files.items():
        site.write(f"media/{relative}", data)
    assert expected in errors_of(site)
    with pytest.raises(ContentErrors) as caught:
        site.build()
    assert expected in [str(e) for e in caught.value.errors]
    assert snapshot(site.output) == before  # nothing half-written
    assert not (site.root / ".output.staging").exists() and not (site.root / ".output.journal").exists()


@pytest.mark.parametrize("image, expected", [
    ("fotos/fehlt.jpg", "Feld „image“: Die Mediendatei „fotos/fehlt.jpg“ gibt es nicht in content/media/."),
    ("../../pelicanconf.py", "Feld „image“: „../../pelicanconf.py“ verweist auf eine Datei außerhalb von "
                             "content/media/."),
])
def test_a_story_referring_to_a_missing_or_outside_medium_is_an_error(site, image, expected):
    site.story(image=image)
    assert f"content/stories/2026/radwege.md:15: {expected}" in errors_of(site)
