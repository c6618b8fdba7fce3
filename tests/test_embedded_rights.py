"""Credit, terms and caption inside every picture the site hands out: IPTC-IIM and XMP in JPEG,
XMP in WebP, read back with Pillow's IPTC reader and an XML parser; hostile texts stay text; the
same description gives the same bytes, and a corrected credit draws that photo's files alone."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import feedparser
import pytest
from PIL import Image, IptcImagePlugin

from newsroom.media.embedded_rights import EmbeddedRights, app13, xmp
from newsroom.media.metadata import embedded_metadata
from newsroom.media.renditions import RenditionSettings, crop_drawer, web_drawer
from tests.support import snapshot
from tests.xmp_support import description, value

RIGHTS = EmbeddedRights(
    credit="Foto: Landeshauptstadt Düsseldorf/Jörg Weiß",
    license="Frei für die Berichterstattung über „Grünflächen“, Quelle nennen.",
    caption="Die Königsallee im Frühling: Bäume, Wasser, Straßenbahn.\nZweite Zeile.",
    page="https://www.duesseldorf.de/medienportal/medien/fotos/koe/",
)
SETTINGS = RenditionSettings(widths=(320, 640), formats=("webp", "jpg"), jpeg_quality=82, webp_quality=78)


def source(tmp_path: Path, width=800, height=600) -> Path:
    path = tmp_path / "koe.jpg"
    image = Image.new("RGB", (width, height), (90, 160, 60))
    image.paste((250, 200, 30), (0, 0, width // 3, height // 3))
    image.save(path, "JPEG", quality=90)
    return path


def drawn(tmp_path: Path, rights=RIGHTS) -> dict[str, bytes]:
    return {name: data for name, data, *_rest in web_drawer(SETTINGS, 800, "koe.jpg", rights)(source(tmp_path))}


def riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, at = [], 12
    while at < len(data):
        name, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        chunks.append((name, data[at + 8:at + 8 + size]))
        at += 8 + size + (size & 1)
    return chunks


def test_jpeg_renditions_carry_iptc_iim_in_utf8_read_by_pillow(tmp_path):
    files = drawn(tmp_path)
    assert sorted(files) == ["320.jpg", "320.webp", "640.jpg", "640.webp"]
    with Image.open(io.BytesIO(files["640.jpg"])) as image:
        iptc = IptcImagePlugin.getiptcinfo(image)
    assert iptc[(1, 90)] == b"\x1b%G"  # UTF-8 declared
    assert iptc[(2, 80)].decode() == iptc[(2, 110)].decode() == "Foto: Landeshauptstadt Düsseldorf/Jörg Weiß"
    assert iptc[(2, 116)].decode() == "Frei für die Berichterstattung über „Grünflächen“, Quelle nennen."
    assert iptc[(2, 120)].decode() == "Die Königsallee im Frühling: Bäume, Wasser, Straßenbahn.\nZweite Zeile."
    assert (2, 5) not in iptc  # the title stays on the page (newsroom/media/embedded_rights.py)
    # The segments' order: JFIF, XMP, IPTC, then the picture
    data = files["640.jpg"]
    assert data.index(b"\xff\xe0") < data.index(b"http://ns.adobe.com/xap/1.0/\x00") < data.index(b"Photoshop 3.0\x00")


def test_jpeg_and_webp_renditions_carry_the_same_xmp(tmp_path):
    files = drawn(tmp_path)
    with Image.open(io.BytesIO(files["640.jpg"])) as jpeg, Image.open(io.BytesIO(files["640.webp"])) as webp:
        packets = [jpeg.info["xmp"], webp.info["xmp"]]
    assert packets[0] == packets[1] == xmp(RIGHTS)
    node = description(packets[0])
    assert value(node, "dc:creator/rdf:Seq/rdf:li") == "Foto: Landeshauptstadt Düsseldorf/Jörg Weiß"
    assert value(node, "photoshop:Credit") == "Foto: Landeshauptstadt Düsseldorf/Jörg Weiß"
    assert value(node, "dc:rights/rdf:Alt/rdf:li") == RIGHTS.license
    assert value(node, "xmpRights:UsageTerms/rdf:Alt/rdf:li") == RIGHTS.license
    assert value(node, "xmpRights:Marked") == "True"
    assert value(node, "xmpRights:WebStatement") == "https://www.duesseldorf.de/medienportal/medien/fotos/koe/"
    assert value(node, "dc:description/rdf:Alt/rdf:li") == RIGHTS.caption
    # The library reads its own files back as it reads an agency's (newsroom/media/metadata.py).
    with Image.open(io.BytesIO(files["640.jpg"])) as image:
        found = embedded_metadata(image)
    assert (found["credit"], found["license"], found["caption"]) == (RIGHTS.credit, RIGHTS.license, RIGHTS.caption)


def test_webp_has_the_xmp_chunk_flagged_in_vp8x_and_no_exif(tmp_path):
    chunks = riff_chunks(drawn(tmp_path)["640.webp"])
    names = [name for name, _data in chunks]
    assert names[0] == b"VP8X" and b"XMP " in names and b"EXIF" not in names
    flags = chunks[0][1][0]
    assert flags & 0x04 and not flags & 0x08  # XMP present, EXIF absent
    assert dict(chunks)[b"XMP "] == xmp(RIGHTS)


def test_crops_carry_the_rights_too(tmp_path):
    from newsroom.media.crops import Crop

    draw = crop_drawer([Crop("card", (1.91, 1), 300)], (0.5, 0.5), 500_000, "koe.jpg", (800, 600), RIGHTS)
    [(name, data, *_rest)] = list(draw(source(tmp_path)))
    with Image.open(io.BytesIO(data)) as image:
        assert IptcImagePlugin.getiptcinfo(image)[(2, 110)].decode() == RIGHTS.credit
        assert description(image.info["xmp"]) is not None


def test_the_same_rights_give_the_same_bytes(tmp_path):
    first = drawn(tmp_path)
    assert drawn(tmp_path) == first
    assert drawn(tmp_path, EmbeddedRights(**{**RIGHTS.__dict__, "credit": "Foto: Andere"})) != first


@pytest.mark.parametrize("hostile", [
    '</rdf:li></rdf:Alt></dc:description><dc:publisher>Eingeschleust</dc:publisher><dc:description><rdf:Alt><rdf:li>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>',
    "Ende ]]> und <![CDATA[ Anfang",
    '<?xpacket end="w"?> danach',
    "Text mit \u202eTFEL-OT-THGIR\u202c und \u2066isoliert\u2069 und Steuerzeichen \x07\x1b\x7f\x85",
    "& &amp; &#x3C; \"Anführung\" 'einfach'",
])
def test_hostile_texts_stay_text_and_inject_no_element(tmp_path, hostile):
    rights = EmbeddedRights(credit=f"Foto: {hostile}", license=hostile, caption=hostile,
                            page="https://www.duesseldorf.de/medienportal/")
    packet = xmp(rights)
    node = description(packet)
    assert packet.count(b"<x:xmpmeta") == 1 and packet.count(b"<?xpacket") == 2
    tags = {child.tag.split("}")[1] for child in node}
    assert tags == {"creator", "description", "rights", "Credit", "UsageTerms", "Marked", "WebStatement"}
    expected = "".join(c for c in hostile if c not in "\u202e\u202c\u2066\u2069\x07\x1b\x7f\x85").strip()
    assert value(node, "dc:description/rdf:Alt/rdf:li") == expected
    assert value(node, "photoshop:Credit") == f"Foto: {expected}"
    data = io.BytesIO()
    Image.new("RGB", (8, 8)).save(data, "JPEG", extra=app13(rights))
    with Image.open(data) as image:
        assert IptcImagePlugin.getiptcinfo(image)[(2, 120)].decode() == expected


# -- in the build ------------------------------------------------------------------------------------

def add(site, relative: str, colour, **sidecar: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (700, 500), colour).save(buffer, "JPEG")
    site.write(f"media/{relative}", buffer.getvalue())
    site.write(f"media/{relative}.yml", "".join(f"{k}: {v}\n" for k, v in sidecar.items()))


def renditions(folder: Path, stem: str) -> dict[str, tuple[bytes, int]]:
    return {k: v for k, v in snapshot(folder).items() if k.startswith("medienportal/bilder/") and f"/{stem}-" in k}


def test_a_corrected_credit_draws_that_photos_files_again_and_only_them(site, tmp_path):
    add(site, "fotos/markt.jpg", (200, 60, 40), alt="Markt", credit='"Foto: Stadt/Erika Muster"',
        license='"Frei für die Presse"')
    add(site, "fotos/hafen.jpg", (20, 60, 200), alt="Hafen", credit='"Foto: Stadt/Test"')
    site.story(image="fotos/markt.jpg")
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    markt, hafen = renditions(site.output, "markt"), renditions(site.output, "hafen")
    originals = {name: (site.output / f"medien/fotos/{name}.jpg").stat().st_ino for name in ("markt", "hafen")}
    assert len(markt) == 4 + 1  # two widths as JPEG and WebP, the link card crop
    again = site.build()
    assert (again.stats["media_photos_drawn"], again.written) == (0, [])

    add(site, "fotos/markt.jpg", (200, 60, 40), alt="Markt", credit='"Foto: Stadt/Erika Mustermann"',
        license='"Frei für die Presse"')
    corrected = site.build()
    assert corrected.stats["media_photos_drawn"] == 2  # the web renditions and the crop of markt.jpg
    assert renditions(site.output, "hafen") == hafen  # same bytes, same inodes: not written again
    now = renditions(site.output, "markt")
    assert len(now) == 5 and not set(now) & set(markt)  # new addresses; the old files left output/
    for path, (data, _inode) in now.items():
        with Image.open(io.BytesIO(data)) as image:
            assert b"Erika Mustermann" in image.info["xmp"], path
            if path.endswith(".jpg"):
                assert IptcImagePlugin.getiptcinfo(image)[(2, 80)] == "Foto: Stadt/Erika Mustermann".encode()
    # The originals too: markt.jpg's is written again with the new credit, hafen.jpg's is left alone.
    assert (site.output / "medien/fotos/hafen.jpg").stat().st_ino == originals["hafen"]
    handed_out = site.output / "medien/fotos/markt.jpg"
    assert handed_out.stat().st_ino != originals["markt"]
    with Image.open(handed_out) as image:
        assert IptcImagePlugin.getiptcinfo(image)[(2, 80)] == "Foto: Stadt/Erika Mustermann".encode()
    # The story feed's enclosure states the size of the original as handed out.
    feed = feedparser.parse((site.output / "feeds/alle/rss.xml").read_bytes())
    [enclosure] = feed.entries[0].enclosures
    assert enclosure["href"].endswith("/medien/fotos/markt.jpg")
    assert int(enclosure["length"]) == handed_out.stat().st_size
    cold = tmp_path / "cold"
    site.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert {k: v[0] for k, v in snapshot(site.output).items()} == {k: v[0] for k, v in snapshot(cold).items()}


# -- originals ------------------------------------------------------------------------------------------

def test_a_jpeg_original_keeps_its_picture_data_and_loses_gps_comments_and_trailing_images():
    from newsroom.media.jpeg_original import jpeg_without_metadata, original_additions, stamped_jpeg

    exif = Image.Exif()
    exif[0x0112] = 8
    exif[0xA431] = "SERIENNUMMER"  # BodySerialNumber
    exif.get_ifd(0x8825)[2] = (51.0, 13.0, 30.0)
    buffer = io.BytesIO()
    Image.new("RGB", (90, 60), (10, 200, 30)).save(buffer, "JPEG", progressive=True, exif=exif,
                                                   comment=b"Kommentar", xmp=b"<x:xmpmeta>Privat</x:xmpmeta>")
    delivered = buffer.getvalue() + b"\xff\xd8" + b"ZWEITES BILD MIT GPS" + b"\xff\xd9"  # as MPF appends them
    bare = jpeg_without_metadata(delivered)
    handed_out = stamped_jpeg(bare, RIGHTS, 8)
    assert len(handed_out) == len(bare) + len(original_additions(RIGHTS, 8))
    for secret in (b"SERIENNUMMER", b"Kommentar", b"Privat", b"ZWEITES BILD"):
        assert secret not in handed_out, secret
    picture = delivered[delivered.index(b"\xff\xda"):len(buffer.getvalue())]
    assert handed_out.endswith(picture)  # not compressed again
    with Image.open(io.BytesIO(handed_out)) as image:
        image.load()
        assert dict(image.getexif()) == {0x0112: 8} and image.size == (90, 60)
        assert IptcImagePlugin.getiptcinfo(image)[(2, 110)].decode() == RIGHTS.credit
    # CMYK keeps Adobe's APP14 (without it the colours invert); a PNG is not a JPEG.
    cmyk = io.BytesIO()
    Image.new("CMYK", (20, 20), (0, 50, 100, 0)).save(cmyk, "JPEG")
    assert b"Adobe" in jpeg_without_metadata(cmyk.getvalue())
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    assert jpeg_without_metadata(png.getvalue()) is None
