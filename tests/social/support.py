"""Helpers for the social channel tests: a due story in a real site with git and a bare
origin, the real publish run (check with publishconf.py, then the Publisher), the
receipt as the origin has it, and adapters with the project's settings for validation."""

from __future__ import annotations

from datetime import datetime

import git
import yaml

from newsroom.build.runner import check, load_settings
from newsroom.content.story import ChannelChoice, Contact, Story
from newsroom.dates import BERLIN
from newsroom.publishing.channel import Release, channel_classes
from newsroom.publishing.pipeline import Publisher
from newsroom.site import SiteUrls
from tests.publishing_support import commit_and_push, due_story
from tests.publishing_support import publish as publish_run
from tests.support import REPO, Site

STORY_ID = "a1b2c3d4e5f6"
URL = "https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/"
IMAGE_URL = "https://www.duesseldorf.de/medien/fotos/rhein.jpg"
# Small timeouts and budgets, so that a stalled server costs a second, not half a minute.
FAST = {"PUBLISH_RETRY_SECONDS": 20, "PUBLISH_HTTP_TIMEOUT": (2, 1.0), "INSTAGRAM_POLL_SECONDS": 0.05}


def due(site: Site, channels: str, *, story_id: str = STORY_ID, name: str = "2026/radwege.md",
        date: str = "2026-11-26 09:00", **fields) -> None:
    """A published story, due three hours before the tests' now, committed and pushed."""
    if site.repo.git.ls_remote("origin", "main"):  # receipts pushed by an earlier run
        site.repo.git.pull("--ff-only", "origin", "main")
    site.story(name, id=story_id, date=date, channels=channels, **fields)
    site.commit("Meldung", "2026-11-26 08:00")
    site.repo.git.push("origin", "HEAD:refs/heads/main")


def publish(site: Site, environ: dict, *, settings: dict | None = None, **options):
    """What `invoke publish` does after its build: the Publisher on the checked content."""
    overrides = site.overrides(**{**FAST, **(settings or {})})
    return check(REPO / "publishconf.py", overrides,
                 after=lambda context, s: Publisher(s, context, environ=environ, **options).run())


def statuses(report) -> list[str]:
    return [o.status for o in report.outcomes]


def receipt(site: Site, story_id: str = STORY_ID) -> dict | None:
    """The record of sends as the bare origin has it (what the next CI runner sees)."""
    origin = git.Repo(site.root.parent / f"{site.root.name}-origin.git")
    try:
        return yaml.safe_load(origin.git.show(f"main:content/receipts/{story_id}.yml"))
    except git.GitCommandError:
        return None


def settings(**overrides) -> dict:
    return load_settings(REPO / "publishconf.py", overrides)


def adapter(name: str, **overrides):
    """A channel adapter as previews get it: project settings, no credentials."""
    values = settings(**overrides)
    load_plugins(values)
    return channel_classes()[name](values, SiteUrls.from_settings(values), environ={})


_LOADED: set[str] = set()


def load_plugins(values: dict) -> None:
    """Register the channel plugins as a build does (once per test process)."""
    import importlib

    for name in ("plugins.mastodon", "plugins.facebook", "plugins.instagram", "plugins.x", "plugins.youtube",
                 "plugins.bluesky", "plugins.threads", "plugins.linkedin", "plugins.telegram", "plugins.whatsapp",
                 "plugins.instagram_story"):
        if name not in _LOADED:
            importlib.import_module(name).register()
            _LOADED.add(name)


def release(*, title: str = "Neue Radwege am Rheinufer",
            summary: str = "Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers.",
            tags: tuple[str, ...] = ("Radverkehr", "Rheinufer"), own: dict[str, str] | None = None,
            image_file=None, image: str | None = None, media_refs: tuple[str, ...] = (),
            url: str = URL) -> Release:
    """A story as channels see it, for checking render and validate without a build."""
    story = Story(source="content/stories/2026/radwege.md", id=STORY_ID, title=title,
                  date=datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN), status="published", summary=summary,
                  category="Verkehr", department="Amt für Verkehrsmanagement", districts=(1,), tags=tags,
                  contact=Contact("Presse- und Informationsdienst", phone="0211 89-93131"),
                  slug="neue-radwege-am-rheinufer", image=image,
                  channels=tuple(ChannelChoice(name, text) for name, text in (own or {}).items()),
                  media_refs=media_refs, url=url)
    return Release(story, url, "<p>Text</p>", IMAGE_URL if image else None, image_file,
                   "Blick über den Rhein" if image else None, "Foto: Test" if image else None)


def jpeg(width: int, height: int, *, orientation: int | None = None, padding: int = 0) -> bytes:
    """The header of a JPEG of that size (all an image check reads), EXIF rotation optional."""
    import struct

    segments = b""
    if orientation is not None:  # APP1 Exif, little-endian TIFF with one IFD0 entry: Orientation
        tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + \
            struct.pack("<HHII", 0x0112, 3, 1, orientation) + struct.pack("<I", 0)
        data = b"Exif\x00\x00" + tiff
        segments += b"\xff\xe1" + struct.pack(">H", len(data) + 2) + data
    if padding:  # a comment segment, so the file gets big without changing its frame
        chunk = b"\x00" * 65000
        for _ in range(padding // 65000 + 1):
            segments += b"\xff\xfe" + struct.pack(">H", len(chunk) + 2) + chunk
    frame = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + segments + b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xd9"


def png(width: int, height: int) -> bytes:
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


# -- corrections and withdrawal: real publish runs (tests/publishing_support.py) ----------------

CORRECTION = ("\n  - date: 2026-11-26 13:00\n    wrong: Die Sperrung dauert bis Freitag."
              "\n    right: Die Sperrung dauert bis Sonntag.")
WITHDRAWAL = "\n  date: 2026-11-26 13:00\n  reason: Die Baustelle wurde verschoben."
CORRECTED = f"{STORY_ID}.berichtigung-202611261300"
WITHDRAWN = f"{STORY_ID}.ruecknahme"
MARKER = "Berichtigung vom 26.11.2026, 13:00 Uhr"
LATER = "2026-11-26 13:10"


def first_send(site: Site, channels: str, environ: dict, **fields):
    """The story sent to its channels by a publish run at the tests' now."""
    due_story(site, channels=channels, **fields)
    commit_and_push(site)
    report = publish_run(site, environ=environ)
    assert statuses(report) == ["sent"], [o.message for o in report.outcomes]
    return report


def amend(site: Site, channels: str, **fields) -> None:
    """The story with a correction (corrections=CORRECTION) or withdrawn, committed at 13:01."""
    due_story(site, channels=channels, **fields)
    commit_and_push(site, "Berichtigung oder Rücknahme", "2026-11-26 13:01")


def follow_up(site: Site, environ: dict, now: str = LATER):
    return publish_run(site, now=now, environ=environ)


def mp4(seconds: float = 12.0, width: int = 1080, height: int = 1920, *, video: str = "avc1",
        audio: str | None = "mp4a", moov_first: bool = True, brand: bytes = b"isom", data: int = 4000) -> bytes:
    """An MP4 (or, with brand b"qt  ", a MOV) with the boxes a video check reads: ftyp, moov (mvhd
    with the duration, a picture track with its size and codec, a sound track) and mdat."""
    import struct

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    def track(handler: bytes, codec: str, size: tuple[int, int]) -> bytes:
        matrix = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
        tkhd = box(b"tkhd", bytes(40) + matrix + struct.pack(">II", size[0] << 16, size[1] << 16))
        hdlr = box(b"hdlr", bytes(8) + handler + bytes(13))
        stsd = box(b"stsd", bytes(4) + struct.pack(">I", 1) + struct.pack(">I4s", 16, codec.encode()) + bytes(8))
        return box(b"trak", tkhd + box(b"mdia", hdlr + box(b"minf", box(b"stbl", stsd))))

    mvhd = box(b"mvhd", bytes(12) + struct.pack(">II", 1000, round(seconds * 1000)) + bytes(80))
    tracks = track(b"vide", video, (width, height)) + (track(b"soun", audio, (0, 0)) if audio else b"")
    moov = box(b"moov", mvhd + tracks)
    mdat = box(b"mdat", bytes(data))
    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"mp41")
    return ftyp + (moov + mdat if moov_first else mdat + moov)
