"""Originals in PNG, WebP and TIFF as journalists download them (newsroom/media/originals.py and the
container modules beside it): credit, terms, caption and the medium's page inside the file as XMP
(and IPTC-IIM in TIFF), read back with an XML parser and Pillow; GPS, EXIF, texts, thumbnails and
private chunks gone; the picture data byte for byte and the pixels as delivered; the same file and
rights give the same bytes; hostile texts stay text; a broken container is a German error naming
the file."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import feedparser
import pytest
from PIL import Image, IptcImagePlugin, PngImagePlugin

from newsroom.errors import ContentError, ImageContainerError
from newsroom.media.embedded_rights import EmbeddedRights
from newsroom.media.files import read_facts
from newsroom.media.originals import CONTAINERS, without_metadata
from tests.support import snapshot
from tests.xmp_support import description, value

RIGHTS = EmbeddedRights(
    credit="Foto: Landeshauptstadt Düsseldorf/Jörg Weiß",
    license="Frei für die Berichterstattung, Quelle nennen.",
    caption="Der Hofgarten im Herbst.\nZweite Zeile.",
    page="https://www.duesseldorf.de/medienportal/medien/fotos/hofgarten/",
)
SECRETS = (b"Erika", b"SERIENNUMMER", b"Privat", b"Rechner-7")


def privacy_exif() -> Image.Exif:
    """What a phone or camera writes: orientation, artist, GPS position, owner and serial number."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = "Erika Mustermann"  # Artist
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 13.0, 30.0), 3: "E", 4: (6.0, 46.0, 40.0)})
    exif.get_ifd(0x8769).update({0xA430: "Erika Besitzerin", 0xA431: "SERIENNUMMER"})
    exif[0x8825] = exif[0x8769] = 0  # the pointers; Pillow writes the directories cached above
    return exif


def picture(mode="RGB", size=(60, 40)) -> Image.Image:
    image = Image.new(mode, size, {"RGB": (90, 160, 60), "RGBA": (90, 160, 60, 128)}.get(mode, 3))
    image.paste({"RGB": (250, 200, 30), "RGBA": (250, 200, 30, 255)}.get(mode, 7), (0, 0, 20, 10))
    return image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png(mode="RGB") -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Erika Mustermann")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta xmlns:x='adobe:ns:meta/'>Privat</x:xmpmeta>")
    info.add(b"tIME", b"\x07\xea\x0b\x14\x09\x00\x00")
    info.add(b"prIv", b"Rechner-7")
    options = {"transparency": 5} if mode == "P" else {}
    return encoded(picture(mode), "PNG", pnginfo=info, exif=privacy_exif(), **options) + b"Erika nach IEND"


def webp(mode="RGB", **options) -> bytes:
    return encoded(picture(mode), "WEBP", exif=privacy_exif(), xmp=b"<x:xmpmeta>Privat</x:xmpmeta>", **options)


def animated_webp() -> bytes:
    frames = [picture(), picture().transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    return encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=200, lossless=True,
                   exif=privacy_exif())


def tiff(mode="RGB", **options) -> bytes:
    info = privacy_exif()
    if options.get("compression"):  # libtiff, which compresses, does not write the EXIF and GPS directories
        del info[0x8825], info[0x8769]
        info[0xA431] = "SERIENNUMMER"  # BodySerialNumber in IFD0, where some scanners put it
    info[270] = "Erika am Rhein"  # ImageDescription
    info[305] = "Privat-Software"
    info[316] = "Rechner-7"  # HostComputer
    info[33432] = "Erika Mustermann"  # Copyright
    thumbnail = picture(mode, (12, 8))  # a second image, as scanners and cameras add a preview
    return encoded(picture(mode), "TIFF", exif=info, save_all=True, append_images=[thumbnail], **options)


SOURCES = {
    "png-rgb": ("PNG", lambda: png()),
    "png-palette": ("PNG", lambda: png("P")),
    "png-alpha": ("PNG", lambda: png("RGBA")),
    "webp-lossy": ("WEBP", lambda: webp(quality=80)),
    "webp-lossless-alpha": ("WEBP", lambda: webp("RGBA", lossless=True)),
    "webp-lossy-alpha": ("WEBP", lambda: webp("RGBA", quality=80)),
    "webp-animated": ("WEBP", animated_webp),
    "tiff-raw": ("TIFF", lambda: tiff()),
    "tiff-deflate": ("TIFF", lambda: tiff(compression="tiff_adobe_deflate")),
    "tiff-jpeg": ("TIFF", lambda: tiff(compression="jpeg")),
    "tiff-16-bit-big-endian": ("TIFF", lambda: tiff("I;16B")),
}


def handed_out(fmt: str, data: bytes, rights=RIGHTS, orientation=6) -> bytes:
    container = CONTAINERS[fmt]
    bare = without_metadata(fmt, data)
    result = container.stamped(bare, rights, orientation)
    assert len(result) == len(bare) + container.additions_size(rights, orientation)  # sizes known without reading
    return result


# -- readers independent of the code under test ---------------------------------------------------------

def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        size, name = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + size]
        assert struct.unpack(">I", data[at + 8 + size:at + 12 + size])[0] == zlib.crc32(name + body), name
        chunks.append((name, body))
        at += 12 + size
    return chunks


def riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    chunks, at = [], 12
    while at < len(data):
        name, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        chunks.append((name, data[at + 8:at + 8 + size]))
        at += 8 + size + (size & 1)
    return chunks


def packet_of(fmt: str, data: bytes) -> bytes:
    """The XMP packet where each format's specification puts it, found without the project's code."""
    if fmt == "PNG":
        [text] = [body for name, body in png_chunks(data) if name == b"iTXt"]
        keyword, rest = text.split(b"\x00", 1)
        assert keyword == b"XML:com.adobe.xmp" and rest[:4] == b"\x00\x00\x00\x00"  # not compressed, no language
        return rest[4:]
    if fmt == "WEBP":
        return dict(riff_chunks(data))[b"XMP "]
    with Image.open(io.BytesIO(data)) as image:
        assert image.tag_v2.tagtype[700] == 1  # BYTE, as XMP part 3 says
        return bytes(image.tag_v2[700])


def frames(data: bytes) -> list[tuple[str, tuple[int, int], bytes]]:
    with Image.open(io.BytesIO(data)) as image:
        result = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            result.append((image.mode, image.size, image.tobytes()))
        return result


# -- the files -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SOURCES)
def test_an_original_carries_the_rights_as_xmp(name):
    fmt, make = SOURCES[name]
    node = description(packet_of(fmt, handed_out(fmt, make())))
    assert value(node, "dc:creator/rdf:Seq/rdf:li") == value(node, "photoshop:Credit") == RIGHTS.credit
    assert value(node, "dc:rights/rdf:Alt/rdf:li") == value(node, "xmpRights:UsageTerms/rdf:Alt/rdf:li") \
        == RIGHTS.license
    assert value(node, "dc:description/rdf:Alt/rdf:li") == RIGHTS.caption
    assert value(node, "xmpRights:WebStatement") == RIGHTS.page
    assert value(node, "xmpRights:Marked") == "True"


@pytest.mark.parametrize("name", SOURCES)
def test_an_original_loses_gps_exif_texts_and_further_images_and_keeps_its_orientation(name):
    fmt, make = SOURCES[name]
    delivered = make()
    assert b"Erika" in delivered and b"SERIENNUMMER" in delivered
    result = handed_out(fmt, delivered)
    for secret in SECRETS:
        assert secret not in result, secret
    with Image.open(io.BytesIO(result)) as image:
        exif = image.getexif()
        assert exif.get_ifd(0x8825) == {} and exif.get_ifd(0x8769) == {}
        if fmt == "TIFF":  # IFD0 is the image's own directory: its structure, the orientation, the rights
            assert not {0x8825, 0x8769, 270, 305, 315, 316, 33432} & set(image.tag_v2)
            assert image.tag_v2[274] == 6 and getattr(image, "n_frames", 1) == 1
        else:
            assert dict(exif) == {0x0112: 6}
    if fmt == "PNG":
        names = [chunk for chunk, _body in png_chunks(result)]
        assert names[:3] == [b"IHDR", b"eXIf", b"iTXt"] and names[-1] == b"IEND"
        assert not {b"tEXt", b"zTXt", b"tIME", b"prIv"} & set(names) and names.count(b"iTXt") == 1
    if fmt == "WEBP":
        chunks = riff_chunks(result)
        assert chunks[0][0] == b"VP8X" and [name for name, _body in chunks[-2:]] == [b"EXIF", b"XMP "]
        assert chunks[0][1][0] & 0x0C == 0x0C  # EXIF and XMP flagged


@pytest.mark.parametrize("name", SOURCES)
def test_an_original_keeps_its_picture_data_byte_for_byte_and_its_pixels(name):
    fmt, make = SOURCES[name]
    delivered = make()
    result = handed_out(fmt, delivered)
    if fmt == "PNG":
        picture_chunks = {b"PLTE", b"tRNS", b"IDAT"}
        assert [c for c in png_chunks(result) if c[0] in picture_chunks] == \
            [c for c in png_chunks(delivered.removesuffix(b"Erika nach IEND")) if c[0] in picture_chunks]
    if fmt == "WEBP":
        picture_chunks = {b"ALPH", b"VP8 ", b"VP8L", b"ANIM", b"ANMF"}
        assert [c for c in riff_chunks(result) if c[0] in picture_chunks] == \
            [c for c in riff_chunks(delivered) if c[0] in picture_chunks]
    if fmt == "TIFF":
        with Image.open(io.BytesIO(delivered)) as before, Image.open(io.BytesIO(result)) as after:
            strips = [[data[o:o + n] for o, n in zip(image.tag_v2[273], image.tag_v2[279])]
                      for image, data in ((before, delivered), (after, result))]
        assert strips[0] == strips[1]
    assert frames(result) == frames(delivered)[:1 if fmt == "TIFF" else None]  # a TIFF's preview image goes


def test_a_simple_webp_gets_a_vp8x_header_with_its_canvas_and_alpha():
    for image, options, alpha in ((picture(), {"quality": 80}, 0), (picture("RGBA"), {"lossless": True}, 0x10)):
        simple = encoded(image, "WEBP", **options)
        assert riff_chunks(simple)[0][0] in (b"VP8 ", b"VP8L")  # no VP8X: nothing but the bitstream
        [header, *_rest] = riff_chunks(handed_out("WEBP", simple, orientation=1))
        assert header[0] == b"VP8X" and header[1][0] == 0x04 | alpha  # XMP; no EXIF when upright
        assert (int.from_bytes(header[1][4:7], "little") + 1, int.from_bytes(header[1][7:10], "little") + 1) == (60, 40)
        assert frames(handed_out("WEBP", simple, orientation=1)) == frames(simple)


def test_a_turned_original_keeps_its_size_as_shown(tmp_path):
    for name, data in (("hoch.tif", tiff()), ("hoch.png", png()), ("hoch.webp", webp())):
        path = tmp_path / name
        path.write_bytes(data)
        facts = read_facts(path, name, "photo")
        assert (facts.width, facts.height, facts.orientation) == (40, 60, 6), name  # 60 × 40 stored, turned by 90°


def test_a_tiff_original_carries_iptc_iim_read_by_pillow():
    with Image.open(io.BytesIO(handed_out("TIFF", tiff()))) as image:
        iptc = IptcImagePlugin.getiptcinfo(image)
    assert iptc[(1, 90)] == b"\x1b%G"
    assert iptc[(2, 80)].decode() == iptc[(2, 110)].decode() == RIGHTS.credit
    assert iptc[(2, 116)].decode() == RIGHTS.license and iptc[(2, 120)].decode() == RIGHTS.caption


@pytest.mark.parametrize("name", SOURCES)
def test_the_same_file_and_rights_give_the_same_bytes(name):
    fmt, make = SOURCES[name]
    first = handed_out(fmt, make())
    assert handed_out(fmt, make()) == first
    assert without_metadata(fmt, first) == without_metadata(fmt, make())  # handing out again changes nothing
    assert handed_out(fmt, first) == first
    assert handed_out(fmt, make(), EmbeddedRights(**{**RIGHTS.__dict__, "credit": "Foto: Andere"})) != first


HOSTILE = ('</rdf:li></rdf:Alt></dc:description><dc:publisher>Eingeschleust</dc:publisher> ]]> <![CDATA[ '
           '<?xpacket end="w"?> \u202eTFEL\u202c \u2066iso\u2069 \x00\x07\x1b\x7f\x85 & &amp; "A" \'e\'')


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF"])
def test_hostile_texts_stay_text_in_every_container(fmt):
    rights = EmbeddedRights(credit=f"Foto: {HOSTILE}", license=HOSTILE, caption=HOSTILE, page=RIGHTS.page)
    data = handed_out(fmt, SOURCES[{"PNG": "png-rgb", "WEBP": "webp-lossy", "TIFF": "tiff-raw"}[fmt]][1]())
    data = handed_out(fmt, data, rights)
    node = description(packet_of(fmt, data))
    assert {child.tag.split("}")[1] for child in node} == {
        "creator", "description", "rights", "Credit", "UsageTerms", "Marked", "WebStatement"}
    expected = "".join(c for c in HOSTILE if c not in "\u202e\u202c\u2066\u2069\x00\x07\x1b\x7f\x85").strip()
    assert value(node, "dc:description/rdf:Alt/rdf:li") == expected
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # the container is whole: every chunk and tag where it belongs


# -- broken files ----------------------------------------------------------------------------------------

def _bad_crc(data: bytes) -> bytes:
    at = data.index(b"IDAT") + 4
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


def _strip_beyond_the_end(data: bytes) -> bytes:
    return data[:len(data) - 200]


@pytest.mark.parametrize("name, make, reason", [
    ("halb.png", lambda: png()[:-60], "Der PNG-Block „IDAT“ ist abgeschnitten."),
    ("kaputt.png", lambda: _bad_crc(png()), "Die Prüfsumme des PNG-Blocks „IDAT“ stimmt nicht."),
    ("halb.tif", lambda: _strip_beyond_the_end(encoded(picture(), "TIFF")),
     "Die Bilddaten der TIFF-Datei sind abgeschnitten."),
    ("gross.tif", lambda: encoded(picture(), "TIFF", big_tiff=True),
     "BigTIFF-Dateien werden als Original nicht unterstützt."),
])
def test_a_broken_container_is_a_german_error_naming_the_file(tmp_path, name, make, reason):
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(ContentError) as caught:
        read_facts(path, f"content/media/fotos/{name}", "photo")
    assert str(caught.value) == f"content/media/fotos/{name}: Die Bilddatei ist beschädigt oder unvollständig: {reason}"


@pytest.mark.parametrize("name", SOURCES)
def test_a_cut_or_garbled_file_gives_a_german_reason_never_a_crash(name):
    import random

    fmt, make = SOURCES[name]
    data, chance = make(), random.Random(name)  # the same cases every run
    cases = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 60))]
    for _case in range(60):
        garbled = bytearray(data)
        for _byte in range(3):
            garbled[chance.randrange(len(garbled))] = chance.randrange(256)
        cases.append(bytes(garbled))
    refused = 0
    for case in cases:
        try:
            without_metadata(fmt, case)
        except ImageContainerError as exc:
            refused += 1
            assert str(exc).endswith(".") and str(exc)[0].isupper()
    assert refused  # (a cut in what is dropped anyway, a preview image or bytes after the end, may go through)


def test_a_webp_whose_chunk_runs_past_the_riff_is_refused():
    data = webp(quality=80)
    broken = data[:4] + struct.pack("<I", len(data) - 8 - 10) + data[8:]  # the RIFF ends inside the last chunk
    with pytest.raises(ImageContainerError, match="WebP-Block „XMP “ ist abgeschnitten"):
        without_metadata("WEBP", broken)


# -- in the build ----------------------------------------------------------------------------------------

def test_the_build_hands_out_stamped_originals_and_rewrites_only_what_changed(site, tmp_path):
    files = {"fotos/plan.png": png(), "fotos/luft.webp": webp(quality=80), "fotos/druck.tif": tiff()}
    for relative, data in files.items():
        site.write(f"media/{relative}", data)
        site.write(f"media/{relative}.yml", f'alt: Bild\ncredit: "Foto: Stadt/{Path(relative).stem}"\n'
                                            'license: "Frei für die Presse"\n')
    site.write("media/videos/kw47-poster.png", png())  # a video's poster goes out like an original
    site.write("media/videos/kw47.youtube.yml", 'title: Wochenrückblick\ncredit: "Stadt/Video"\nyoutube: Dus2026KW47\n'
                                                "poster: videos/kw47-poster.png\n")
    site.story(image="fotos/plan.png")
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    poster = (site.output / "medien/videos/kw47-poster.png").read_bytes()
    assert not [secret for secret in SECRETS if secret in poster]
    node = description(packet_of("PNG", poster))
    assert "Stadt/Video" in value(node, "photoshop:Credit")
    assert value(node, "xmpRights:WebStatement").endswith("/medienportal/medien/videos/kw47/")
    inodes = {}
    for relative, data in files.items():
        fmt = {".png": "PNG", ".webp": "WEBP", ".tif": "TIFF"}[Path(relative).suffix]
        out = site.output / "medien" / relative
        result = out.read_bytes()
        for secret in SECRETS:
            assert secret not in result, (relative, secret)
        node = description(packet_of(fmt, result))
        assert value(node, "photoshop:Credit") == f"Foto: Stadt/{Path(relative).stem}"
        assert value(node, "xmpRights:WebStatement").endswith(f"/medienportal/medien/fotos/{Path(relative).stem}/")
        assert frames(result) == frames(data)[:1]
        inodes[relative] = out.stat().st_ino
    # The story feed's enclosure states the size of the original as handed out.
    feed = feedparser.parse((site.output / "feeds/alle/rss.xml").read_bytes())
    [enclosure] = feed.entries[0].enclosures
    assert int(enclosure["length"]) == (site.output / "medien/fotos/plan.png").stat().st_size
    assert site.build().written == []

    site.write("media/fotos/luft.webp.yml", 'alt: Bild\ncredit: "Foto: Stadt/Erika Mustermann"\n')
    site.build()
    now = {relative: (site.output / "medien" / relative).stat().st_ino for relative in files}
    assert now["fotos/luft.webp"] != inodes["fotos/luft.webp"]  # written again with the new credit
    assert (now["fotos/plan.png"], now["fotos/druck.tif"]) == (inodes["fotos/plan.png"], inodes["fotos/druck.tif"])
    assert b"Erika Mustermann" in (site.output / "medien/fotos/luft.webp").read_bytes()
    cold = tmp_path / "cold"
    site.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert {k: v[0] for k, v in snapshot(site.output).items()} == {k: v[0] for k, v in snapshot(cold).items()}
