"""Makes the placeholder for the video in Deutscher Gebärdensprache (DGS) that explains the site:
a few seconds of a still picture that says what will come, at the size and frame rate
BITV 2.0 Anlage 2 asks of a DGS video (at least 320 × 240 pixels, 25 frames a second), with
its poster and its captions. The city's interpreters supply the real video; until then the
page says the video is a placeholder.

    .venv/bin/python tools/make_dgs_placeholder.py

Needs ffmpeg (on PATH, in NEWSROOM_FFMPEG, or from the imageio-ffmpeg package), like
tools/make_demo_media.py. The build never needs it: the files are committed. The poster and
the captions are deterministic; the video's bytes depend on the ffmpeg version.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_demo_media import ffmpeg  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VIDEOS = ROOT / "content" / "media" / "videos"
NAME = "gebaerdensprache-startseite"
SIZE = (640, 360)
FPS = 25
SECONDS = 6
BACKGROUND, INK, ACCENT = (196, 214, 228), (20, 30, 45), (0, 84, 147)  # neither black nor white (Anlage 2)
CAPTIONS = """WEBVTT

00:00:00.000 --> 00:00:03.000
Platzhalter: Hier folgt ein Video in Deutscher Gebärdensprache.

00:00:03.000 --> 00:00:06.000
Es erklärt diese Internetseite: Inhalte, Navigation und Barrierefreiheit.
"""


def font(size: int):
    """DejaVu Sans where installed (Pillow's own font has no umlauts)."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def dgs_symbol(draw: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    """Two raised open hands in a rounded square, like the symbol on the site (theme/templates/_dgs.html)."""
    draw.rounded_rectangle((x, y, x + size, y + size), radius=size // 8, fill=ACCENT)
    unit = size / 24
    for left in (5, 13):
        palm = (x + left * unit, y + 11 * unit, x + (left + 6) * unit, y + 19 * unit)
        draw.rounded_rectangle(palm, radius=unit, fill=(255, 255, 255))
        for finger in range(4):
            fx = x + (left + 0.2 + finger * 1.5) * unit
            draw.rounded_rectangle((fx, y + 5 * unit, fx + 1.2 * unit, y + 12 * unit), radius=unit / 2,
                                   fill=(255, 255, 255))


def frame(second: float) -> Image.Image:
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    dgs_symbol(draw, 24, 24, 72)
    draw.text((116, 36), "Deutsche Gebärdensprache", font=font(30), fill=INK)
    draw.text((116, 72), "Landeshauptstadt Düsseldorf", font=font(20), fill=INK)
    draw.text((24, 150), "Platzhalter –", font=font(40), fill=ACCENT)
    draw.text((24, 200), "Video in Deutscher Gebärdensprache folgt", font=font(28), fill=INK)
    # A bar that fills up: the picture moves, so every frame is a frame of its own.
    draw.rectangle((24, 300, 24 + (SIZE[0] - 48) * second / SECONDS, 312), fill=ACCENT)
    return image


def video(path: Path) -> None:
    exe = ffmpeg()
    if exe is None:
        sys.exit("ffmpeg fehlt (PATH, NEWSROOM_FFMPEG oder pip install imageio-ffmpeg).")
    command = [exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{SIZE[0]}x{SIZE[1]}",
               "-r", str(FPS), "-i", "-", "-c:v", "libx264", "-preset", "veryslow", "-crf", "34", "-pix_fmt",
               "yuv420p", "-r", str(FPS), "-movflags", "+faststart", "-map_metadata", "-1", "-an", str(path)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE)
    for number in range(SECONDS * FPS):
        process.stdin.write(frame(number / FPS).tobytes())
    process.stdin.close()
    if process.wait() != 0:
        sys.exit("ffmpeg ist gescheitert.")


def main() -> None:
    VIDEOS.mkdir(parents=True, exist_ok=True)
    poster = io.BytesIO()
    frame(SECONDS).save(poster, "JPEG", quality=80, optimize=True)
    outputs = {f"{NAME}-poster.jpg": poster.getvalue(), f"{NAME}.de.vtt": CAPTIONS.encode()}
    for name, data in outputs.items():
        (VIDEOS / name).write_bytes(data)
    video(VIDEOS / f"{NAME}.mp4")
    for name in (*outputs, f"{NAME}.mp4"):
        print(f"videos/{name}: {(VIDEOS / name).stat().st_size:,} Bytes")


if __name__ == "__main__":
    main()
