"""Videos (MP4, and QuickTime made by ffmpeg) as journalists download them (newsroom/media/mp4_original.py
through newsroom/media/originals.py): the rights as XMP in a `uuid` box at the end, read back with an XML
parser; location and owner atoms turned into `free` boxes of the same size; the media data and every
other box byte for byte; the same file and rights give the same bytes; hostile texts stay text; a
broken file is a German error naming the file; ffprobe and ffmpeg still read a handed-out video;
the build hands out the stamped video and rewrites it only when its rights change."""

from __future__ import annotations

import random
import shutil
import struct
import subprocess

import pytest

from newsroom.errors import ContentError, ImageContainerError
from newsroom.media.embedded_rights import EmbeddedRights
from newsroom.media.files import read_facts
from newsroom.media.originals import stamped_file, stamped_size, without_metadata
from tests.support import snapshot
from tests.video_support import box, mp4
from tests.xmp_support import NS, description, value

XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
RIGHTS = EmbeddedRights(
    credit="Video: Landeshauptstadt Düsseldorf/Jörg Weiß",
    license="Frei für die Berichterstattung, Quelle nennen.",
    caption="Der Rheinufertunnel im Herbst.",
    page="https://www.duesseldorf.de/medienportal/medien/videos/tunnel/",
)
POSITION = b"+51.2277+006.7735/"
OWNER = b"Erika Mustermann"
DEVICE = b"com.apple.quicktime.location.ISO6709"
TITLE = box(b"\xa9nam", struct.pack(">HH", 8, 0) + b"Tunnel!!")  # not a secret: kept


def _text_atom(kind: bytes, text: bytes) -> bytes:
    return box(kind, struct.pack(">HH", len(text), 0x15C7) + text)  # QuickTime: length, language, text


def with_user_data(data: bytes, *, extra_top: bytes = b"", last: bytes = b"") -> bytes:
    """A video from tests/video_support.py with position, owner, Apple keys and a title in its
    moov/udta (and the same position in the track's udta); `extra_top` goes between moov and mdat."""
    top = boxes(data)
    ftyp, moov, mdat = (data[at:at + length] for at, _h, length, _k in top)
    keys = box(b"meta", bytes(4) + box(b"keys", bytes(4) + struct.pack(">I", 1) + box(b"mdta", DEVICE)))
    loci = box(b"loci", bytes(4) + b"\x15\xc7Heim\x00" + bytes(13) + b"Erde\x00\x00")
    udta = box(b"udta", _text_atom(b"\xa9xyz", POSITION) + TITLE + _text_atom(b"\xa9own", OWNER) + loci + keys)
    trak_at = moov.index(b"trak") - 4
    trak = moov[trak_at:]
    trak = box(b"trak", trak[8:] + box(b"udta", _text_atom(b"\xa9xyz", POSITION) + bytes(4)))
    moov = box(b"moov", moov[8:trak_at] + trak + udta)
    return ftyp + moov + extra_top + mdat + last


def boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[int, int, int, bytes]]:
    """(offset, header, length, type): a walker of its own, independent of the one under test."""
    end = len(data) if end is None else end
    found, at = [], start
    while at + 8 <= end:
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        header = 8 + (16 if kind == b"uuid" else 0)
        if length == 1:
            length, header = struct.unpack(">Q", data[at + 8:at + 16])[0], header + 8
        assert header <= length and at + length <= end, (kind, at, length)
        found.append((at, header, length, kind))
        at += length
    assert not any(data[at:end]), "bytes after the last box"
    return found


def tree(data: bytes, start: int = 0, end: int | None = None, depth: int = 0) -> list[tuple]:
    """Every box down through moov, trak and udta: (depth, offset, length, type)."""
    found = []
    for at, header, length, kind in boxes(data, start, end):
        found.append((depth, at, length, kind))
        if kind in (b"moov", b"trak", b"udta"):
            found.extend(tree(data, at + header, at + length, depth + 1))
    return found


def handed_out(data: bytes, rights: EmbeddedRights = RIGHTS) -> bytes:
    class Facts:
        format, orientation = "MP4", 1
    return stamped_file(Facts, data, rights)


def xmp_packets(data: bytes) -> list[bytes]:
    return [data[at + header:at + length] for at, header, length, kind in boxes(data)
            if kind == b"uuid" and data[at + 8:at + 24] == XMP_UUID]


def test_a_video_carries_the_rights_as_xmp_in_a_uuid_box_at_its_end():
    data = with_user_data(mp4())
    result = handed_out(data)
    top = boxes(result)
    assert [kind for *_rest, kind in top] == [b"ftyp", b"moov", b"mdat", b"uuid"]
    assert result[:top[-1][0]] == without_metadata("MP4", data)  # everything before the XMP box keeps its place
    [packet] = xmp_packets(result)
    node = description(packet)
    assert value(node, "dc:creator/rdf:Seq/rdf:li") == RIGHTS.credit
    assert value(node, "photoshop:Credit") == RIGHTS.credit
    assert value(node, "dc:rights/rdf:Alt/rdf:li") == RIGHTS.license
    assert value(node, "xmpRights:UsageTerms/rdf:Alt/rdf:li") == RIGHTS.license
    assert value(node, "dc:description/rdf:Alt/rdf:li") == RIGHTS.caption
    assert value(node, "xmpRights:WebStatement") == RIGHTS.page


def test_location_owner_and_apple_keys_become_free_boxes_of_the_same_size_and_nothing_else_changes():
    data = with_user_data(mp4())
    result = handed_out(data)
    for secret in (POSITION, OWNER, DEVICE, b"Heim"):
        assert secret in data and secret not in result, secret
    assert b"Tunnel!!" in result  # the title is no secret
    before, after = tree(data), tree(result)[:-1]  # the last: the XMP box
    assert [(depth, at, length) for depth, at, length, _k in before] == [(d, a, n) for d, a, n, _k in after]
    neutralised = 0
    for (_d, at, length, kind), (_d2, _a, _n, now) in zip(before, after):
        if kind in (b"\xa9xyz", b"\xa9own", b"loci", b"meta"):
            assert now == b"free" and result[at + 8:at + length] == bytes(length - 8)
            neutralised += 1
        elif kind not in (b"moov", b"trak", b"udta"):  # a parent holds neutralised boxes
            assert now == kind and result[at:at + length] == data[at:at + length], kind
    assert neutralised == 5  # two positions (movie and track), owner, loci, the Apple keys
    [mdat] = [(at, length) for _d, at, length, kind in before if kind == b"mdat"]
    assert result[mdat[0]:sum(mdat)] == data[mdat[0]:sum(mdat)]


def test_an_xmp_box_of_the_camera_becomes_free_space_or_goes_when_it_is_last():
    camera = box(b"uuid", XMP_UUID + b"<x:xmpmeta>Erika Mustermann, Kamera 7</x:xmpmeta>")
    inside = with_user_data(mp4(), extra_top=camera)
    result = handed_out(inside)
    assert b"Erika" not in result and len(xmp_packets(result)) == 1
    kinds = [kind for *_rest, kind in boxes(result)]
    assert kinds == [b"ftyp", b"moov", b"free", b"mdat", b"uuid"]
    assert len(result) == len(inside) + len(result) - len(without_metadata("MP4", inside))
    at_end = with_user_data(mp4(), last=camera)
    bare = without_metadata("MP4", at_end)
    assert len(bare) == len(at_end) - len(camera) and b"Erika" not in bare
    other = box(b"uuid", bytes(16) + b"Kameradaten")  # a uuid box of another kind stays
    assert without_metadata("MP4", with_user_data(mp4(), last=other)).endswith(other)


def test_the_same_video_and_rights_give_the_same_bytes_and_the_size_the_pages_state(tmp_path):
    data = with_user_data(mp4())
    assert handed_out(data) == handed_out(bytes(data))
    assert handed_out(data) != handed_out(data, EmbeddedRights("Video: Stadt"))
    path = tmp_path / "tunnel.mp4"
    path.write_bytes(data)
    facts = read_facts(path, "content/media/videos/tunnel.mp4", "video")
    assert stamped_size(facts, RIGHTS) == len(handed_out(data))


def test_a_last_box_running_to_the_end_of_the_file_gets_its_size_before_the_xmp_box():
    data = mp4()
    at = data.index(b"mdat") - 4
    open_ended = data[:at] + b"\x00\x00\x00\x00" + data[at + 4:]
    result = handed_out(open_ended)
    assert result[:at] + result[at + 4:len(data)] == open_ended[:at] + open_ended[at + 4:]
    assert [kind for *_rest, kind in boxes(result)] == [b"ftyp", b"moov", b"mdat", b"uuid"]


@pytest.mark.parametrize("hostile", [
    "</rdf:li></rdf:Seq></dc:creator><dc:title>Gefälscht</dc:title><dc:creator><rdf:Seq><rdf:li>",
    '<?xpacket end="w"?>]]><!-- & "Anführung" \'x\'',
    "Nullbyte\x00 und Steuerzeichen\x1b und Richtung\u202e umgedreht",
])
def test_hostile_texts_stay_text(hostile):
    result = handed_out(mp4(), EmbeddedRights(hostile, hostile, hostile, "https://x/?a=1&b=<2>"))
    node = description(xmp_packets(result)[0])
    expected = "".join(ch for ch in hostile if ch not in "\x00\x1b\u202e").strip()
    assert value(node, "photoshop:Credit") == expected
    assert value(node, "dc:description/rdf:Alt/rdf:li") == expected
    assert value(node, "xmpRights:WebStatement") == "https://x/?a=1&b=<2>"
    assert node.findall("dc:title", NS) == []


def _grown(data: bytes, kind: bytes, by: int) -> bytes:
    at = data.index(kind) - 4
    return data[:at] + struct.pack(">I", struct.unpack(">I", data[at:at + 4])[0] + by) + data[at + 4:]


@pytest.mark.parametrize("make, reason", [
    (lambda: mp4()[:-100], "Der Block „mdat“ bei Byte 393 reicht über das Dateiende hinaus."),
    (lambda: _grown(with_user_data(mp4()), b"\xa9own", 4000),
     "Der Block „©own“ bei Byte 493 reicht über seinen umgebenden Block hinaus."),
    (lambda: mp4()[:32] + box(b"mdat", bytes(20)), "Der Index des Videos (moov) fehlt."),
    (lambda: mp4()[:40] + struct.pack(">I4s", 3, b"mvhd") + mp4()[48:],
     "Der Block „mvhd“ bei Byte 40 ist kürzer als sein Kopf."),
])
def test_a_broken_video_is_a_german_error_naming_the_file(tmp_path, make, reason):
    path = tmp_path / "kaputt.mp4"
    path.write_bytes(make())
    with pytest.raises(ContentError) as caught:
        read_facts(path, "content/media/videos/kaputt.mp4", "video")
    message = str(caught.value)
    assert message.startswith("content/media/videos/kaputt.mp4: Die Videodatei ist beschädigt oder unvollständig: ")
    assert reason in message


def test_a_cut_or_garbled_video_gives_a_german_reason_never_a_crash():
    data, chance = with_user_data(mp4()), random.Random("mp4")
    cases = [data[:cut] for cut in range(0, len(data), 7)]
    for _case in range(200):
        garbled = bytearray(data)
        for _byte in range(3):
            garbled[chance.randrange(len(garbled))] = chance.randrange(256)
        cases.append(bytes(garbled))
    refused = 0
    for case in cases:
        try:
            handed_out(case)
        except ImageContainerError as exc:
            refused += 1
            assert str(exc).endswith(".") and str(exc)[0].isupper()
    assert refused > len(data) // 7 // 2


@pytest.mark.skipif(not shutil.which("ffmpeg") or not shutil.which("ffprobe"), reason="ffmpeg is not installed")
@pytest.mark.parametrize("flags", [["-movflags", "+faststart"], [], ["-f", "mov"]])
def test_ffmpeg_reads_a_handed_out_video_without_its_position(tmp_path, flags):
    """A real encoded video with its index before or after the media data, as MP4 and as MOV."""
    source, out = tmp_path / "ort.mp4", tmp_path / "raus.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1",
                    "-c:v", "mpeg4", "-metadata", "location=+51.2277+006.7735/", "-metadata", "artist=Erika",
                    *flags, str(source)], check=True)

    def probe(path):
        return subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,nb_frames:format_tags",
                               "-of", "compact", str(path)], check=True, capture_output=True, text=True).stdout

    assert "51.2277" in probe(source)
    out.write_bytes(handed_out(source.read_bytes()))
    shown = probe(out)
    assert "51.2277" not in shown and "Erika" not in shown
    assert [line for line in shown.splitlines() if line.startswith("stream")] == \
        [line for line in probe(source).splitlines() if line.startswith("stream")]
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out), "-f", "framemd5", "-"], check=True,
                             capture_output=True).stdout
    assert decoded == subprocess.run(["ffmpeg", "-v", "error", "-i", str(source), "-f", "framemd5", "-"],
                                     check=True, capture_output=True).stdout


# -- in the build ----------------------------------------------------------------------------------------

def test_the_build_hands_out_the_stamped_video_and_rewrites_it_only_when_its_rights_change(site, tmp_path):
    data = with_user_data(mp4())
    site.write("media/videos/tunnel.mp4", data)
    site.write("media/videos/tunnel.vtt", "WEBVTT\n\n00:00.000 --> 00:06.000\nEine Fahrt.\n")
    site.write("media/videos/tunnel.mp4.yml", 'title: Der Tunnel\ncaption: Eine Fahrt durch den Tunnel.\n'
                                              'credit: "Video: Stadt/Tunnel"\nlicense: "Frei für die Presse"\n'
                                              "captions: videos/tunnel.vtt\n")
    site.story(body="Die Arbeiten beginnen.\n\n[Video ansehen](media:videos/tunnel.mp4)\n")
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    out = site.output / "medien/videos/tunnel.mp4"
    result = out.read_bytes()
    assert POSITION not in result and OWNER not in result
    node = description(xmp_packets(result)[0])
    assert value(node, "photoshop:Credit") == "Video: Stadt/Tunnel"
    assert value(node, "dc:description/rdf:Alt/rdf:li") == "Eine Fahrt durch den Tunnel."
    assert value(node, "xmpRights:WebStatement").endswith("/medienportal/medien/videos/tunnel/")
    inode = out.stat().st_ino
    assert site.build().written == []

    site.write("media/videos/tunnel.mp4.yml", 'title: Der Tunnel\ncredit: "Video: Stadt/Neu"\n'
                                              "captions: videos/tunnel.vtt\n")
    site.build()
    assert out.stat().st_ino != inode
    assert value(description(xmp_packets(out.read_bytes())[0]), "photoshop:Credit") == "Video: Stadt/Neu"
    cold = tmp_path / "cold"
    site.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert {k: v[0] for k, v in snapshot(site.output).items()} == {k: v[0] for k, v in snapshot(cold).items()}
