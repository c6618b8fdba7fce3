"""`invoke bench-media`: the media portal on a generated set of press photos.

1. Builds a site whose content/media/ holds N generated photos (deterministic, JPEG, a
   few megapixels, each with a description), in separate processes as CI runs them:
   cold (empty cache and output), warm (nothing changed), one photo replaced. Medians
   of several runs; peak memory of the build process and its workers.
2. Draws the same renditions (the portal's widths, WebP and JPEG, upright, metadata
   stripped) of the same photos with Pillow and with libvips (pyvips), one process
   each on one core, and compares time and peak memory.

The report lands in <workdir>/media-report.md.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-26 12:00"


def make_photo(number: int, width: int, height: int) -> bytes:
    """A deterministic 'photo': sky gradient, buildings, river and grain, like a real
    picture in how JPEG compresses it (a flat drawing would be unrealistically small)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(number)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = Image.new("RGB", (width, height), (rng.randint(60, 140), rng.randint(120, 180), rng.randint(170, 230)))
    image = Image.blend(image, tint, 0.7)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.45, 0.65))
    x = 0
    while x < width:
        w = rng.randint(width // 40, width // 12)
        top = horizon - rng.randint(height // 10, height // 2)
        draw.rectangle((x, top, x + w, horizon), fill=tuple(rng.randint(70, 200) for _ in range(3)))
        for wy in range(top + 10, horizon - 10, 24):  # windows
            for wx in range(x + 6, x + w - 6, 18):
                draw.rectangle((wx, wy, wx + 8, wy + 12), fill=(240, 230, rng.randint(120, 200)))
        x += w + rng.randint(0, width // 50)
    draw.rectangle((0, horizon, width, height), fill=(50, 90, 120 + rng.randint(0, 40)))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, noise, 0.12).filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def generate(root: Path, count: int, width: int, height: int, say=print) -> list[Path]:
    content = root / "content"
    media = content / "media" / "fotos"
    media.mkdir(parents=True, exist_ok=True)
    (content / "stories").mkdir(exist_ok=True)
    pages = content / "pages"
    if not pages.exists():
        shutil.copytree(REPO / "content" / "pages", pages)
    photos = []
    for number in range(count):
        path = media / f"foto-{number:04d}.jpg"
        if not path.exists():
            path.write_bytes(make_photo(number, width, height))
            path.with_name(path.name + ".yml").write_text(
                f"title: Testfoto {number}\nalt: Generiertes Testbild Nummer {number} mit Häusern am Fluss\n"
                f'credit: "Foto: Landeshauptstadt Düsseldorf/Benchmark"\ndate: "2026-{1 + number % 12:02d}-'
                f'{1 + number % 28:02d}"\nalbum: Album {number % 10}\ntags: [Benchmark, Serie {number % 7}]\n',
                encoding="utf-8")
        photos.append(path)
        if say and number % 50 == 49:
            say(f"  {number + 1} Fotos erzeugt")
    return photos


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(seconds, peak MB of the process and its children, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = process.stdout.read().decode()
    err = process.stderr.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command[:3])} … failed:\n{err[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, out


def build(root: Path) -> tuple[float, float, dict]:
    script = (
        "import json, sys; sys.path[:0] = [{repo!r}]\n"
        "from newsroom.build.runner import build\n"
        "report = build({conf!r}, {{'PATH': {content!r}, 'OUTPUT_PATH': {output!r}, 'CACHE_PATH': {cache!r},"
        " 'BUILD_NOW': {now!r}}})\n"
        "print(json.dumps({{'stats': report.stats, 'written': len(report.written)}}))\n"
    ).format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"),
             content=str(root / "content"), output=str(root / "output"), cache=str(root / ".cache"), now=NOW)
    seconds, rss, out = timed([sys.executable, "-c", script], root)
    return seconds, rss, json.loads(out.strip().splitlines()[-1])


DRAW = """
import sys, time
sys.path[:0] = [{repo!r}]
from pathlib import Path
paths = [Path(p) for p in {paths!r}]
widths, formats = {widths!r}, {formats!r}
library = {library!r}
started = time.perf_counter()
total = 0
if library == "pillow":
    from PIL import Image
    from newsroom.media.renditions import RenditionSettings, web_drawer
    from newsroom.settings import default
    settings = RenditionSettings.from_settings(
        {{"MEDIA_RENDITIONS": {{**default("MEDIA_RENDITIONS"), "widths": widths, "formats": formats}}}})
    for path in paths:
        with Image.open(path) as image:
            width = image.size[0]
        for name, data, *_rest in web_drawer(settings, width, str(path))(path):
            total += len(data)
else:
    import pyvips
    for path in paths:
        for width in sorted(widths, reverse=True):
            # thumbnail() shrinks while loading (JPEG DCT scaling) and turns by EXIF orientation
            image = pyvips.Image.thumbnail(str(path), width, size="down").copy_memory()  # saved twice
            for fmt in formats:
                if fmt == "jpg":
                    data = image.jpegsave_buffer(Q=82, optimize_coding=True, interlace=True, keep="none")
                else:
                    data = image.webpsave_buffer(Q=78, effort=4, keep="none")
                total += len(data)
print(time.perf_counter() - started, total)
"""


def draw(library: str, photos: list[Path], settings: dict) -> tuple[float, float, int]:
    widths = settings["MEDIA_RENDITIONS"]["widths"]
    formats = settings["MEDIA_RENDITIONS"]["formats"]
    script = DRAW.format(repo=str(REPO), paths=[str(p) for p in photos], widths=widths, formats=formats,
                         library=library)
    # One core each: the libraries compared, not their threading (VIPS_CONCURRENCY=1).
    env_prefix = ["env", "VIPS_CONCURRENCY=1", "OMP_NUM_THREADS=1", "taskset", "-c", "0"]
    if shutil.which("taskset") is None:
        env_prefix = ["env", "VIPS_CONCURRENCY=1"]
    _seconds, rss, out = timed([*env_prefix, sys.executable, "-c", script], REPO)
    inner, total = out.split()
    return float(inner), rss, int(total)


def main(workdir: Path, photos: int, runs: int, width: int, height: int, say=print) -> dict:
    from newsroom.build.runner import load_settings

    settings = load_settings(REPO / "pelicanconf.py")
    root = workdir / "media-site"
    say(f"Erzeuge {photos} Fotos ({width} × {height}) in {root} …")
    paths = generate(root, photos, width, height, say)
    size = sum(p.stat().st_size for p in paths)
    figures: dict[str, list] = {"cold": [], "warm": [], "one_photo": []}
    stats: dict[str, dict] = {}
    for run_no in range(1, runs + 1):
        say(f"Lauf {run_no}/{runs}")
        for leftover in (root / "output", root / ".cache"):
            if leftover.exists():
                shutil.rmtree(leftover)
        for name in figures:
            if name == "one_photo":
                target = paths[run_no % len(paths)]
                target.write_bytes(make_photo(10_000 + run_no, width, height))
            seconds, rss, result = build(root)
            figures[name].append((seconds, rss))
            stats[name] = result
            say(f"  {name:10s} {seconds:7.2f} s  {rss:6.0f} MB  "
                f"{result['stats'].get('media_photos_drawn')} Fotos gezeichnet, {result['written']} Dateien geschrieben")
    say("Pillow gegen libvips (pyvips), gleiche Fotos, gleiche Fassungen, ein Kern …")
    sample = paths[: min(len(paths), 50)]
    libraries = {}
    for library in ("pillow", "pyvips"):
        results = [draw(library, sample, settings) for _ in range(runs)]
        libraries[library] = (statistics.median(r[0] for r in results), max(r[1] for r in results), results[0][2])
        say(f"  {library:7s} {libraries[library][0]:7.2f} s für {len(sample)} Fotos  {libraries[library][1]:6.0f} MB")
    report = {"photos": photos, "pixels": f"{width} × {height}", "bytes": size, "runs": runs,
              "figures": {k: (statistics.median(s for s, _ in v), max(r for _, r in v)) for k, v in figures.items()},
              "stats": stats, "libraries": libraries, "sample": len(sample)}
    write_report(workdir / "media-report.md", report)
    say(f"Bericht: {workdir / 'media-report.md'}")
    return report


def write_report(path: Path, r: dict) -> None:
    f, lib = r["figures"], r["libraries"]
    lines = [
        f"# Media portal benchmark ({r['photos']} photos, {r['pixels']} px, {r['bytes'] / 1e6:.0f} MB; "
        f"medians of {r['runs']} runs)", "",
        "| scenario | seconds | peak MB | photos drawn | files written |", "|---|---:|---:|---:|---:|"]
    for name, label in (("cold", "cold (empty cache and output)"), ("warm", "warm, nothing changed"),
                        ("one_photo", "one photo replaced")):
        s = r["stats"][name]
        lines.append(f"| {label} | {f[name][0]:.2f} | {f[name][1]:.0f} | {s['stats'].get('media_photos_drawn')} "
                     f"| {s['written']} |")
    lines += ["", f"Renditions of {r['sample']} photos on one core (same widths, WebP + JPEG):", "",
              "| library | seconds | ms per photo | peak MB | bytes out |", "|---|---:|---:|---:|---:|"]
    for name, (seconds, rss, total) in lib.items():
        lines.append(f"| {name} | {seconds:.2f} | {1000 * seconds / r['sample']:.0f} | {rss:.0f} | {total:,} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
