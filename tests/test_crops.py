"""Crops of a lead image for the channels: exact ratios around the focus point from the media
description, drawn once and cached with the renditions, the story page's og:image, and a bad
focus point refused in German with file, line and field."""

from __future__ import annotations

import io
from itertools import product

import pytest
from PIL import Image

from newsroom.errors import ContentErrors
from newsroom.media.crops import Crop, crop_window, crops_from_settings, output_size
from newsroom.media.library import MediaLibrary
from newsroom.settings import with_defaults
from tests.support import PHOTO, REPO, snapshot

CREDIT = '"Foto: Landeshauptstadt Düsseldorf/Test"'
STORY_PAGE = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"
# Three channels that need every purpose between them (the default maps instagram_story to "story").
CHANNEL_CROPS = {"instagram": "instagram", "x": "wide", "mastodon": "story"}
CHANNELS = "\n  instagram: true\n  x: true\n  mastodon: true"
SIZES = {"instagram": (1080, 1350), "card": (1200, 628), "wide": (1600, 900), "story": (1080, 1920)}


def marked(width: int, height: int, spot: tuple[int, int], colour=(90, 140, 90)) -> bytes:
    """A plain JPEG with a red square centred on `spot`, and EXIF naming its owner."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((230, 20, 20), (spot[0] - 30, spot[1] - 30, spot[0] + 30, spot[1] + 30))
    exif = Image.Exif()
    exif[0x013B] = "Erika Mustermann"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def red_centre(file) -> tuple[float, float] | None:
    with Image.open(file) as image:
        rgb = image.convert("RGB")
        red = [(x, y) for y in range(0, rgb.height, 2) for x in range(0, rgb.width, 2)
               if (lambda p: p[0] > 180 and p[1] < 90)(rgb.getpixel((x, y)))]
    if not red:
        return None
    return sum(x for x, _y in red) / len(red), sum(y for _x, y in red) / len(red)


def crop_files(site, stem: str) -> dict[str, object]:
    found = (site.output / "medienportal/bilder").glob(f"*/{stem}-*.jpg")
    return {f.stem.removeprefix(f"{stem}-"): f for f in found if not f.stem.split("-")[-1].isdigit()}


def describe(site, name: str, focus: str | None) -> None:
    site.write(f"media/fotos/{name}.yml", f"alt: Der Platz\ncredit: {CREDIT}\n" + (f"focus: {focus}\n" if focus else ""))


# -- the geometry ------------------------------------------------------------------------------

@pytest.mark.parametrize("size, ratio, focus, box", [
    ((4000, 3000), (16, 9), (0.5, 0.5), (0, 375, 4000, 2625)),  # no focus: the centre
    ((4000, 3000), (16, 9), (0.5, 0.6), (0, 675, 4000, 2925)),  # centred on the focus
    ((4000, 3000), (16, 9), (0.5, 0.1), (0, 0, 4000, 2250)),  # near the top: as far up as the picture goes
    ((4000, 3000), (4, 5), (0.6, 0.5), (1200, 0, 3600, 3000)),
    ((4000, 3000), (4, 5), (0.3, 0.5), (0, 0, 2400, 3000)),
    ((4000, 3000), (9, 16), (1.0, 0.0), (2312, 0, 4000, 3000)),  # a corner: against the right edge
    ((600, 400), (1200, 628), (0.5, 0.5), (0, 43, 600, 357)),
])
def test_the_window_is_the_largest_of_the_ratio_centred_on_the_focus_as_far_as_the_edges_allow(size, ratio, focus,
                                                                                                 box):
    assert crop_window(size, ratio, focus) == box


def test_the_focus_always_lies_inside_the_crop_and_in_its_middle_unless_an_edge_is_reached():
    for (width, height), ratio, fx, fy in product([(4000, 3000), (3000, 4000), (1200, 1200), (640, 427)],
                                                  [(1080, 1350), (1200, 628), (1600, 900), (1080, 1920), (1, 1)],
                                                  [0, 0.1, 0.33, 0.5, 0.8, 1], [0, 0.25, 0.5, 0.9, 1]):
        left, top, right, bottom = crop_window((width, height), ratio, (fx, fy))
        x, y = fx * width, fy * height
        assert left <= x <= right and top <= y <= bottom
        assert abs((right - left) * ratio[1] - (bottom - top) * ratio[0]) <= max(ratio)  # the ratio, to a pixel
        assert (right - left) == width or (bottom - top) == height  # the largest window
        if 0 < left and right < width:
            assert abs((left + right) / 2 - x) <= 1
        if 0 < top and bottom < height:
            assert abs((top + bottom) / 2 - y) <= 1


def test_the_default_crops_have_the_stated_pixel_sizes_and_small_pictures_are_not_enlarged():
    crops = crops_from_settings(with_defaults({}))
    assert {p: (c.width, c.height) for p, c in crops.items()} == SIZES
    assert crops_from_settings(with_defaults({"INSTAGRAM_CROP": "1:1"}))["instagram"].height == 1080
    card = Crop("card", (1.91, 1), 1200)
    assert output_size(crop_window((4000, 3000), (1200, 628)), card) == (1200, 628)
    assert output_size(crop_window((600, 400), (1200, 628)), card) == (600, 314)  # its own size, same ratio


# -- drawn in the build ----------------------------------------------------------------------

def test_each_purpose_is_cut_around_the_focus_drawn_once_and_the_link_card_is_the_pages_og_image(site):
    from newsroom.build.runner import build

    spot = (2040, 400)  # a 2400 × 2000 picture holds every crop at its full size
    site.write("media/fotos/platz.jpg", marked(2400, 2000, spot))
    describe(site, "platz.jpg", "[0.85, 0.2]")
    site.story(image="fotos/platz.jpg", channels=CHANNELS)
    site.commit("Meldung", "2026-11-20 09:00")
    sent = {}
    first = build(REPO / "pelicanconf.py", site.overrides(CHANNEL_CROPS=CHANNEL_CROPS),
                  after=lambda built, _settings: sent.update(built.media_pages.renditions("fotos/platz.jpg")))
    assert first.stats["media_photos_drawn"] == 3  # rhein.jpg's and platz.jpg's renditions, platz.jpg's crops
    files = crop_files(site, "platz")
    assert sorted(files) == sorted(SIZES)
    for purpose, file in files.items():
        data = file.read_bytes()
        with Image.open(file) as image:
            assert (image.format, image.size) == ("JPEG", SIZES[purpose]), purpose
            assert dict(image.getexif()) == {} and b"Erika" not in data, purpose
        # The red spot at the focus lies where the window centred on it puts it.
        left, top, right, _bottom = crop_window((2400, 2000), SIZES[purpose], (0.85, 0.2))
        scale = SIZES[purpose][0] / (right - left)
        x, y = red_centre(file)
        assert abs(x - (spot[0] - left) * scale) < 4 and abs(y - (spot[1] - top) * scale) < 4, purpose
    # Cut from the centre, the story and Instagram crops would miss the spot.
    assert crop_window((2400, 2000), SIZES["story"])[2] < spot[0] - 30
    # The channels get the crops (Release.image_renditions) from the media portal.
    assert {p: file.name for p, (url, file) in sent.items()} == {p: f"{p}.jpg" for p in SIZES}
    assert sent["wide"][0].endswith(f"/{files['wide'].relative_to(site.output).as_posix()}")

    page = site.page(STORY_PAGE)
    card = files["card"].relative_to(site.output).as_posix()
    assert (f'<meta property="og:image" content="http://localhost:8000/{card}">\n'
            '<meta property="og:image:width" content="1200">\n<meta property="og:image:height" content="628">\n'
            '<meta property="og:image:alt" content="Der Platz">') in page

    before = snapshot(site.output)
    again = site.build(CHANNEL_CROPS=CHANNEL_CROPS)
    assert (again.stats["media_photos_drawn"], again.written) == (0, [])
    assert snapshot(site.output) == before


def test_a_new_focus_redraws_that_pictures_crops_alone_like_a_cold_build(site, tmp_path):
    # 1200 × 1000: the link card at its full size; the Story crop stays the picture's own 562 pixels wide.
    site.write("media/fotos/markt.jpg", marked(1200, 1000, (200, 500)))
    describe(site, "markt.jpg", None)
    site.write("media/fotos/hafen.jpg", marked(1200, 1000, (600, 500), colour=(40, 60, 160)))
    describe(site, "hafen.jpg", None)
    site.story(image="fotos/markt.jpg", channels=CHANNELS)
    site.story("2026/hafen.md", id="b2c3d4e5f6a7", title="Neues vom Hafen", image="fotos/hafen.jpg", channels=CHANNELS)
    site.commit("Meldungen", "2026-11-20 09:00")
    site.build(CHANNEL_CROPS=CHANNEL_CROPS)
    markt, hafen = crop_files(site, "markt"), crop_files(site, "hafen")
    with Image.open(markt["story"]) as image:
        assert image.size == (562, 999)  # 9:16 at the picture's height, not enlarged to 1080 × 1920
    assert red_centre(markt["wide"]) is not None and red_centre(markt["story"]) is None  # centre crop: no spot
    markt_before = {p: f.read_bytes() for p, f in markt.items()}
    hafen_before = snapshot(hafen["card"].parent)
    web_before = {f.name: f.read_bytes() for f in markt["card"].parent.glob("markt-*[0-9].*")}

    describe(site, "markt.jpg", "[0.15, 0.5]")
    changed = site.build(CHANNEL_CROPS=CHANNEL_CROPS)
    assert changed.stats["media_photos_drawn"] == 1  # markt.jpg's crops; no web rendition, nothing of hafen.jpg
    markt = crop_files(site, "markt")
    assert red_centre(markt["story"]) is not None
    assert markt["story"].read_bytes() != markt_before["story"]
    assert snapshot(hafen["card"].parent) == hafen_before
    assert {f.name: f.read_bytes() for f in markt["card"].parent.glob("markt-*[0-9].*")} == web_before

    cold = tmp_path / "cold"
    site.build(CHANNEL_CROPS=CHANNEL_CROPS, OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"),
               BUILD_FULL=True)
    assert {k: v[0] for k, v in snapshot(site.output).items()} == {k: v[0] for k, v in snapshot(cold).items()}


# -- a bad focus point -------------------------------------------------------------------------

HINT = ("Zuerst waagerecht (0 = linker Rand, 1 = rechter Rand), dann senkrecht (0 = oberer Rand, 1 = unterer Rand), "
        "mit Dezimalpunkt, z. B. „focus: [0.5, 0.3]“.")


@pytest.mark.parametrize("focus, expected", [
    ("[0.5]", "3: Feld „focus“: Der Fokuspunkt hat nur einen Wert; erwartet werden genau zwei Zahlen von 0 bis 1 in "
              f"eckigen Klammern: {HINT}"),
    ("[0,5, 0,3]", "3: Feld „focus“: Der Fokuspunkt hat 4 Werte; erwartet werden genau zwei Zahlen von 0 bis 1 in "
                   f"eckigen Klammern: {HINT}"),
    ("Mitte", "3: Feld „focus“: Der Fokuspunkt ist keine Liste; erwartet werden genau zwei Zahlen von 0 bis 1 in "
              f"eckigen Klammern: {HINT}"),
    ("[0.5, 1.2]", f"3: Feld „focus“: „1.2“ ist keine Zahl von 0 bis 1 (ohne Anführungszeichen). {HINT}"),
    ('["0.5", "0.3"]', f"3: Feld „focus“: „0.5“ ist keine Zahl von 0 bis 1 (ohne Anführungszeichen). {HINT}"),
    ("\n  - 0.5\n  - -0.1", f"5: Feld „focus“: „-0.1“ ist keine Zahl von 0 bis 1 (ohne Anführungszeichen). {HINT}"),
    ("[.nan, 0.5]", f"3: Feld „focus“: „.nan“ ist keine Zahl von 0 bis 1 (ohne Anführungszeichen). {HINT}"),
])
def test_a_bad_focus_point_is_refused_naming_file_line_and_field(tmp_path, focus, expected):
    media = tmp_path / "content/media"
    (media / "fotos").mkdir(parents=True)
    (media / "fotos/platz.jpg").write_bytes(PHOTO)
    (media / "fotos/platz.jpg.yml").write_text(f"alt: Der Platz\ncredit: {CREDIT}\nfocus: {focus}\n", encoding="utf-8")
    library = MediaLibrary(media, tmp_path)
    with pytest.raises(ContentErrors) as caught:
        library.get("fotos/platz.jpg", source="t", line=None, field=None)
    assert [str(e) for e in caught.value.errors] == [f"content/media/fotos/platz.jpg.yml:{expected}"]


def test_a_good_focus_point_is_read_and_none_means_the_centre(tmp_path):
    media = tmp_path / "media"
    (media / "fotos").mkdir(parents=True)
    for name, focus in (("a", "focus: [0, 1]\n"), ("b", "focus: [0.25, 0.75]\n"), ("c", "")):
        (media / f"fotos/{name}.jpg").write_bytes(PHOTO)
        (media / f"fotos/{name}.jpg.yml").write_text(f"alt: A\ncredit: {CREDIT}\n{focus}", encoding="utf-8")
    library = MediaLibrary(media, tmp_path)
    assert [library.get(f"fotos/{n}.jpg", source="t", line=None, field=None).focus for n in "abc"] == [
        (0, 1), (0.25, 0.75), (0.5, 0.5)]
