"""What Instagram needs to know of a video, read from its MP4/MOV boxes without decoding it:
the container, the duration, the picture size as shown, the codecs, and whether the index
(`moov`) comes before the media data, as Meta asks ("moov atom at the front of the file").
The frame rate too, which a video in Deutscher Gebärdensprache must reach (BITV 2.0 Anlage 2).

Only box headers and the `moov` box are read (a few kilobytes at the start or, for a file
not saved for streaming, at the end): checking a video in `invoke check` stays cheap.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

# Boxes whose content is boxes: the way down to a track's sample description.
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
MAX_STTS_ENTRIES = 1_000_000  # more runs of sample durations than a day of video has: a broken box
MAX_MOOV_BYTES = 32 * 1024 * 1024  # an index larger than this is a broken file, not a video


@dataclass(frozen=True)
class VideoFacts:
    format: str  # "MP4", "MOV" or "unbekannt"
    size: int  # bytes
    duration: float | None = None  # seconds
    width: int | None = None  # as shown (rotation of the track applied)
    height: int | None = None
    video_codec: str | None = None  # sample entry: "avc1", "hvc1", …
    audio_codec: str | None = None  # "mp4a", …; None: no sound track
    moov_first: bool = True  # the index comes before the media data
    frame_rate: float | None = None  # frames per second of the picture track


def read_video(path: Path) -> VideoFacts:
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[4:8] not in (b"ftyp", b"moov", b"wide", b"free", b"mdat"):
            return VideoFacts("unbekannt", size)
        # A QuickTime file names the brand "qt  " or, from older cameras, starts without ftyp.
        brand = head[8:12] if head[4:8] == b"ftyp" else None
        kind = "MP4" if brand and brand != b"qt  " else "MOV"
        moov, moov_first = _find_moov(handle, size)
    if moov is None:
        return VideoFacts(kind, size, moov_first=moov_first)
    duration, width, height, video, audio, rate = _read_moov(moov)
    return VideoFacts(kind, size, duration, width, height, video, audio, moov_first, rate)


def _boxes(data: bytes):
    """(type, content) of the boxes one after another in `data`."""
    offset = 0
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        header = 8
        if length == 1 and offset + 16 <= len(data):
            length, header = struct.unpack(">Q", data[offset + 8:offset + 16])[0], 16
        elif length == 0:
            length = len(data) - offset
        if length < header:
            return
        yield kind, data[offset + header:offset + length]
        offset += length


def _find_moov(handle, size: int) -> tuple[bytes | None, bool]:
    """The `moov` box's content and whether it came before `mdat`, walking the top-level boxes."""
    offset, seen_mdat = 0, False
    while offset + 8 <= size:
        handle.seek(offset)
        header = handle.read(16)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header[:8])
        skip = 8
        if length == 1 and len(header) >= 16:
            length, skip = struct.unpack(">Q", header[8:16])[0], 16
        elif length == 0:
            length = size - offset
        if length < skip:
            break
        if kind == b"moov":
            if length > MAX_MOOV_BYTES:
                return None, not seen_mdat
            handle.seek(offset + skip)
            return handle.read(length - skip), not seen_mdat
        seen_mdat = seen_mdat or kind == b"mdat"
        offset += length
    return None, not seen_mdat


def _read_moov(moov: bytes):
    duration = width = height = video = audio = rate = None
    for kind, content in _boxes(moov):
        if kind == b"mvhd" and content:
            duration = _duration(content)
        elif kind == b"trak":
            handler, entry, shown, track_rate = _track(content)
            if handler == b"vide" and video is None:
                video, (width, height), rate = entry, shown, track_rate
            elif handler == b"soun" and audio is None:
                audio = entry
    return duration, width, height, video, audio, rate


def _duration(mvhd: bytes) -> float | None:
    try:
        if mvhd[0] == 1:
            scale, length = struct.unpack(">IQ", mvhd[20:32])
        else:
            scale, length = struct.unpack(">II", mvhd[12:20])
    except struct.error:
        return None
    return length / scale if scale else None


def _track(trak: bytes) -> tuple[bytes | None, str | None, tuple[int | None, int | None], float | None]:
    """(handler type, codec of the first sample entry, (width, height) as shown, frames per
    second) of one track."""
    handler, entry, shown = None, None, (None, None)
    timescale, rate = None, None
    stack = [trak]
    while stack:
        for kind, content in _boxes(stack.pop()):
            if kind in _CONTAINERS:
                stack.append(content)
            elif kind == b"tkhd" and len(content) >= 84:
                shown = _shown_size(content)
            elif kind == b"hdlr" and len(content) >= 12:
                handler = content[8:12]
            elif kind == b"stsd" and len(content) >= 16:
                entry = content[12:16].decode("latin-1")
            elif kind == b"mdhd" and content:
                timescale = _timescale(content)
            elif kind == b"stts":
                rate = _sample_delta(content)
    # stts gives a frame's duration in the track's own clock (mdhd): frames per second = clock / delta.
    frames = timescale / rate if timescale and rate else None
    return handler, entry, shown, round(frames, 3) if frames else None


def _timescale(mdhd: bytes) -> int | None:
    """Ticks per second of the track's clock (version 1 has 64-bit times before it)."""
    try:
        return struct.unpack(">I", mdhd[20:24] if mdhd[0] == 1 else mdhd[12:16])[0] or None
    except struct.error:
        return None


def _sample_delta(stts: bytes) -> int | None:
    """The duration most frames have, in ticks of the track's clock: the delta of the run covering
    the most samples. The last frame of a clip often lasts longer or shorter; it does not count."""
    try:
        count = struct.unpack(">I", stts[4:8])[0]
    except struct.error:
        return None
    if count > MAX_STTS_ENTRIES or len(stts) < 8 + 8 * count:
        return None
    runs: dict[int, int] = {}
    for index in range(count):
        samples, delta = struct.unpack(">II", stts[8 + 8 * index:16 + 8 * index])
        if delta:
            runs[delta] = runs.get(delta, 0) + samples
    return max(runs, key=lambda delta: (runs[delta], -delta)) if runs else None


def _shown_size(tkhd: bytes) -> tuple[int | None, int | None]:
    """Width and height (16.16 fixed point, the last 8 bytes), turned when the matrix turns by 90°."""
    width, height = (value >> 16 for value in struct.unpack(">II", tkhd[-8:]))
    a, b, _u, c, d = struct.unpack(">iiiii", tkhd[-44:-24])
    turned = a == 0 and d == 0 and b != 0 and c != 0
    return (height, width) if turned else (width, height)
