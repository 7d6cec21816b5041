"""VP8 RTP payload inspection (RFC 7741): keyframe starts and frame size, without a decoder.

Pure functions used by the worker's DownTracks (to start a subscriber on a keyframe) and recorder
(to learn width and height); no aiortc import, so tests use them directly.
"""

from __future__ import annotations


def descriptor_length(payload: bytes) -> int:
    """Length of the VP8 payload descriptor at the start of an RTP payload; 0 if malformed."""
    if not payload:
        return 0
    pos = 1
    if payload[0] & 0x80:  # X: extended control bits follow
        if len(payload) < 2:
            return 0
        ext = payload[1]
        pos = 2
        if ext & 0x80:  # I: picture id, one or two bytes
            if len(payload) <= pos:
                return 0
            pos += 2 if payload[pos] & 0x80 else 1
        if ext & 0x40:  # L: TL0PICIDX
            pos += 1
        if ext & 0x30:  # T or K: TID/KEYIDX byte
            pos += 1
    return pos if pos < len(payload) else 0


def is_keyframe_start(payload: bytes) -> bool:
    """The packet starts a VP8 keyframe: S=1, partition 0, and the frame's P bit clear."""
    if not payload or not payload[0] & 0x10 or payload[0] & 0x07:
        return False
    pos = descriptor_length(payload)
    return pos > 0 and not payload[pos] & 0x01


def keyframe_size(frame: bytes) -> tuple[int, int] | None:
    """Width and height of a complete VP8 keyframe (start code ``9d 01 2a``), else ``None``."""
    if len(frame) < 10 or frame[0] & 0x01 or frame[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(frame[6:8], "little") & 0x3FFF
    height = int.from_bytes(frame[8:10], "little") & 0x3FFF
    return width, height
