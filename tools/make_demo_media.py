"""Makes the media portal's demo files (drawn here, nobody's photos): a PNG, a WebP, a TIFF,
a turned JPEG with GPS position and embedded IPTC/XMP, a short video with poster and
captions, a YouTube clip's poster, and a PDF. Their descriptions (.yml) are written by hand.

    .venv/bin/python tools/make_demo_media.py [--video]

The photos are deterministic (same bytes every run). The video needs ffmpeg (on PATH, in
NEWSROOM_FFMPEG, or from the imageio-ffmpeg package) and is made only with --video; its
bytes depend on the ffmpeg version, so it is committed rather than made by the build.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "content" / "media"
SKY, RIVER, GRASS, STONE, RED = (158, 200, 230), (60, 110, 150), (96, 150, 80), (200, 195, 185), (209, 0, 28)


def font(size: int):
    return ImageFont.load_default(size=size)


def landscape(width: int, height: int, title: str, *, sun: bool = True) -> Image.Image:
    """A simple city-by-the-river picture: sky, skyline, river, meadow and a caption band."""
    image = Image.new("RGB", (width, height), SKY)
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.55)
    if sun:
        draw.ellipse((width * 0.75, height * 0.08, width * 0.87, height * 0.08 + width * 0.12), fill=(250, 220, 120))
    step = width // 14
    for i in range(14):  # skyline
        top = horizon - (height * (0.12 + 0.18 * ((i * 7) % 5) / 5))
        draw.rectangle((i * step + 4, top, (i + 1) * step - 4, horizon), fill=(120 + i * 5, 120 + i * 4, 130))
    tower_x = width * 0.3  # a tower with a red top, after the Rheinturm
    draw.rectangle((tower_x - 6, horizon - height * 0.45, tower_x + 6, horizon), fill=(90, 90, 95))
    draw.ellipse((tower_x - 22, horizon - height * 0.42, tower_x + 22, horizon - height * 0.36), fill=RED)
    draw.rectangle((0, horizon, width, height * 0.75), fill=RIVER)
    draw.rectangle((0, height * 0.75, width, height), fill=GRASS)
    draw.rectangle((0, height * 0.88, width, height), fill=(255, 255, 255))
    draw.text((width * 0.03, height * 0.9), title, fill=(29, 29, 27), font=font(max(12, height // 22)))
    return image


def xmp_packet(title: str, caption: str, credit: str, alt: str, keywords: list[str]) -> bytes:
    items = "".join(f"<rdf:li>{k}</rdf:li>" for k in keywords)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
 xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{caption}</rdf:li></rdf:Alt></dc:description>
<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>
<photoshop:Credit>{credit}</photoshop:Credit>
<photoshop:DateCreated>2026-05-28</photoshop:DateCreated>
<Iptc4xmpCore:AltTextAccessibility><rdf:Alt><rdf:li xml:lang="x-default">{alt}</rdf:li></rdf:Alt></Iptc4xmpCore:AltTextAccessibility>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>""".encode()


def iptc_block(fields: dict[int, str]) -> bytes:
    """An APP13 'Photoshop 3.0' segment body with an IPTC-IIM block (record 2)."""
    iim = b"".join(b"\x1c\x02" + bytes([tag]) + len(v.encode()).to_bytes(2, "big") + v.encode()
                   for tag, v in fields.items())
    if len(iim) % 2:
        iim += b"\x00"
    return b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + len(iim).to_bytes(4, "big") + iim


def with_app13(jpeg: bytes, body: bytes) -> bytes:
    """Insert an APP13 segment right after SOI (Pillow cannot write IPTC itself)."""
    segment = b"\xff\xed" + (len(body) + 2).to_bytes(2, "big") + body
    return jpeg[:2] + segment + jpeg[2:]


def turned_photo_with_gps() -> bytes:
    """Stored lying on its side with EXIF orientation 6 (a phone held upright), with a GPS
    position, camera owner and serial: what the renditions must drop."""
    upright = landscape(600, 800, "Kaiserswerth, Radweg")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "Demo-Kamera"  # Make
    exif[0xA430] = "Erika Mustermann"  # CameraOwnerName (Exif IFD in reality; here readable in IFD0)
    exif[0xA431] = "SN-0042-DEMO"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 18.0, 0.0)  # 51°18' N, 6°44' E: Kaiserswerth
    gps[3], gps[4] = "E", (6.0, 44.0, 0.0)
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=80, exif=exif, xmp=xmp_packet(
        "Radweg am Kaiserswerther Markt", "Eingebettete Bildunterschrift aus der Kamera-Software.",
        "Foto: Landeshauptstadt Düsseldorf/Demo", "Eingebettete Bildbeschreibung.", ["Radverkehr", "Kaiserswerth"]))
    return with_app13(buffer.getvalue(), iptc_block({5: "Radweg Kaiserswerth (IPTC)", 110: "Foto: Stadt (IPTC)",
                                                      25: "Radverkehr"}))


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with Helvetica text (WinAnsi: umlauts as octal escapes)."""
    def text(value: str) -> str:
        raw = value.encode("cp1252")
        return "".join(f"\\{b:03o}" if b > 126 or chr(b) in "()\\" else chr(b) for b in raw)

    content = ["BT", "/F1 20 Tf", "56 770 Td", f"({text(title)}) Tj", "/F1 11 Tf", "0 -30 Td"]
    for line in lines:
        content += [f"({text(line)}) Tj", "0 -16 Td"]
    content.append("ET")
    stream = "\n".join(content).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + text(title).encode("latin-1") + b") /Producer (Newsroom Demo) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def ffmpeg() -> str | None:
    found = os.environ.get("NEWSROOM_FFMPEG") or shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    return imageio_ffmpeg.get_ffmpeg_exe()


def video(path: Path, seconds: int = 6, fps: int = 12, size=(640, 360)) -> None:
    """A short clip: the river picture with a moving ship and a title, H.264 in MP4."""
    exe = ffmpeg()
    if exe is None:
        sys.exit("ffmpeg fehlt (PATH, NEWSROOM_FFMPEG oder pip install imageio-ffmpeg).")
    command = [exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}",
               "-r", str(fps), "-i", "-", "-c:v", "libx264", "-preset", "veryslow", "-crf", "32", "-pix_fmt",
               "yuv420p", "-movflags", "+faststart", "-map_metadata", "-1", "-an", str(path)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE)
    base = landscape(*size, "KW 48")
    for frame in range(seconds * fps):
        image = base.copy()
        draw = ImageDraw.Draw(image)
        x = -120 + frame * (size[0] + 240) / (seconds * fps)
        y = size[1] * 0.62
        draw.polygon([(x, y), (x + 120, y), (x + 105, y + 22), (x + 12, y + 22)], fill=(40, 40, 45))
        draw.rectangle((x + 30, y - 18, x + 70, y), fill=(240, 240, 240))
        process.stdin.write(image.tobytes())
    process.stdin.close()
    if process.wait() != 0:
        sys.exit("ffmpeg ist gescheitert.")


def save(relative: str, data: bytes) -> None:
    target = MEDIA / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"{relative}: {len(data):,} Bytes")


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--video", action="store_true", help="also make the MP4 (needs ffmpeg)")
    args = parser.parse_args()
    save("fotos/hofgarten.png", encoded(landscape(800, 500, "Hofgarten"), "PNG", optimize=True))
    save("fotos/medienhafen.webp", encoded(landscape(1200, 675, "Medienhafen", sun=False), "WEBP", quality=70))
    save("fotos/stadtplan-altstadt.tif", encoded(landscape(480, 320, "Altstadt (TIFF)"), "TIFF",
                                                 compression="tiff_adobe_deflate"))
    save("fotos/kaiserswerth-radweg.jpg", turned_photo_with_gps())
    save("videos/wochenrueckblick-2026-48-poster.jpg",
         encoded(landscape(640, 360, "KW 48"), "JPEG", quality=80))
    save("videos/wochenrueckblick-2026-47-poster.jpg",
         encoded(landscape(640, 360, "KW 47", sun=False), "JPEG", quality=80))
    save("dokumente/haushalt-2027-kurzfassung.pdf", pdf("Haushalt 2027 – Kurzfassung", [
        "Landeshauptstadt Düsseldorf, Stadtkämmerei (Demo-Dokument des Newsrooms).",
        "Ergebnisplan 2027: Erträge und Aufwendungen im Überblick.",
        "Schwerpunkte: Schulbau, Radverkehr, Klimaanpassung, Digitalisierung.",
        "Die vollständige Fassung liegt dem Rat zur Beratung vor.",
    ]))
    if args.video:
        target = MEDIA / "videos" / "wochenrueckblick-2026-48.mp4"
        video(target)
        print(f"videos/wochenrueckblick-2026-48.mp4: {target.stat().st_size:,} Bytes")


if __name__ == "__main__":
    main()
