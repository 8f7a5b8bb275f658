"""Clip files on disk: names, checksums, probing a (possibly torn) fragmented MP4, and repair.

A fragmented MP4 is a sequence of top-level boxes (``ftyp``, ``moov``, then ``moof``+``mdat`` pairs,
one pair per second of video). A recorder killed mid-write leaves a torn last box; :func:`repair_tail`
cuts the file back to its last whole box, so every player opens it and its SHA-256 is final.
"""

from __future__ import annotations

import hashlib
import re
import struct
from datetime import datetime
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_part(text: str) -> str:
    return _UNSAFE.sub("_", text.strip())[:64] or "_"


def clip_name(order_no: str, waybills: tuple[str, ...] | list[str], started: datetime) -> str:
    """``ORDER_WAYBILL[+N]_YYYYmmdd-HHMMSS-mmm.mp4``: the order and its waybill say which parcel it shows;
    the milliseconds keep two clips of one order started in the same second apart (a recorder restarted
    after a crash)."""
    parts = [safe_part(order_no)]
    if waybills:
        parts.append(safe_part(waybills[0]) + (f"+{len(waybills) - 1}" if len(waybills) > 1 else ""))
    parts.append(started.strftime("%Y%m%d-%H%M%S") + f"-{started.microsecond // 1000:03d}")
    return "_".join(parts) + ".mp4"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def whole_boxes_end(path: Path) -> int:
    """Offset just after the last complete top-level MP4 box."""
    size = path.stat().st_size
    offset = 0
    with open(path, "rb") as fh:
        while offset + 8 <= size:
            fh.seek(offset)
            header = fh.read(16)
            box_size = struct.unpack(">I", header[:4])[0]
            if box_size == 1 and len(header) >= 16:
                box_size = struct.unpack(">Q", header[8:16])[0]
            if box_size < 8 or offset + box_size > size:
                break
            offset += box_size
    return offset


def repair_tail(path: Path) -> int:
    """Cut a torn last box (a killed recorder); returns the bytes removed."""
    end = whole_boxes_end(path)
    size = path.stat().st_size
    if end < size:
        with open(path, "r+b") as fh:
            fh.truncate(end)
    return size - end


def probe(path: Path) -> dict:
    """Frames, duration, size of a clip, read by demuxing (no decoding)."""
    import av

    frames = 0
    last_end = 0.0
    width = height = 0
    fps = 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            fps = int(round(float(stream.average_rate or stream.guessed_rate or 0)))
            for packet in container.demux(stream):
                if packet.size == 0 or packet.pts is None:
                    continue
                frames += 1
                end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                last_end = max(last_end, end)
    except (av.error.FFmpegError, IndexError):
        pass  # a clip with no whole fragment: zero frames
    return {"frames": frames, "duration_s": round(last_end, 3), "width": width, "height": height, "fps": fps}
