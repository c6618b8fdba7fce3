"""MP4 files built box by box, with the boxes a video check reads: ftyp, moov (mvhd with the
duration; a picture track with tkhd size, mdhd clock, hdlr, stsd codec and stts frame durations)
and mdat. No ffmpeg needed: what the build reads is the boxes, not the pictures."""

from __future__ import annotations

import struct


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(width: int = 640, height: int = 360, *, timescale: int = 12800, runs: tuple = ((150, 512),),
        seconds: float = 6.0, mdhd_version: int = 0, data: int = 2000) -> bytes:
    """`runs`: (frames, duration of each in `timescale` ticks) as the stts box lists them;
    the default is 6 seconds at 25 frames a second."""
    matrix = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    tkhd = box(b"tkhd", bytes(40) + matrix + struct.pack(">II", width << 16, height << 16))
    ticks = sum(count * delta for count, delta in runs)
    if mdhd_version == 1:
        mdhd = box(b"mdhd", bytes([1, 0, 0, 0]) + bytes(16) + struct.pack(">IQ", timescale, ticks) + bytes(4))
    else:
        mdhd = box(b"mdhd", bytes(12) + struct.pack(">II", timescale, ticks) + bytes(4))
    hdlr = box(b"hdlr", bytes(8) + b"vide" + bytes(13))
    stsd = box(b"stsd", bytes(4) + struct.pack(">I", 1) + struct.pack(">I4s", 16, b"avc1") + bytes(8))
    stts = box(b"stts", bytes(4) + struct.pack(">I", len(runs)) + b"".join(struct.pack(">II", *r) for r in runs))
    trak = box(b"trak", tkhd + box(b"mdia", mdhd + hdlr + box(b"minf", box(b"stbl", stsd + stts))))
    mvhd = box(b"mvhd", bytes(12) + struct.pack(">II", 1000, round(seconds * 1000)) + bytes(80))
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    return ftyp + box(b"moov", mvhd + trak) + box(b"mdat", bytes(data))
