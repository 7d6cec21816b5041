"""H.264 RTP payload inspection (RFC 6184): keyframe starts and SDP profile checks, no decoder.

Pure functions used by the worker's DownTracks (to start a subscriber on a keyframe) and by the
SDP checks (which H.264 offers the SFU can forward); no aiortc import, so tests use them directly.
"""

from __future__ import annotations

#: NAL unit types that begin a keyframe: an IDR slice, or the SPS sent before it.
_IDR, _SPS = 5, 7
_STAP_A, _FU_A = 24, 28


def _starts_keyframe(nal_header: int) -> bool:
    return nal_header & 0x1F in (_IDR, _SPS)


def is_keyframe_start(payload: bytes) -> bool:
    """The packet begins a keyframe: a single IDR or SPS NAL unit, a STAP-A aggregating one,
    or the first fragment (FU-A, S bit set) of one. Malformed payloads are never keyframes."""
    if not payload or payload[0] & 0x80:  # empty, or the forbidden_zero_bit is set
        return False
    kind = payload[0] & 0x1F
    if 1 <= kind <= 23:
        return _starts_keyframe(kind)
    if kind == _STAP_A:
        pos = 1
        while pos + 2 < len(payload):
            size = int.from_bytes(payload[pos:pos + 2], "big")
            pos += 2
            if size == 0 or pos + size > len(payload):
                return False
            if _starts_keyframe(payload[pos]):
                return True
            pos += size
        return False
    if kind == _FU_A:
        return len(payload) >= 3 and bool(payload[1] & 0x80) and _starts_keyframe(payload[1])
    return False


def is_constrained_baseline(profile_level_id: str) -> bool:
    """``profile-level-id`` (6 hex digits) names the Constrained Baseline profile, which every
    WebRTC H.264 implementation decodes (RFC 6184 §8.1 and the WebRTC profile table)."""
    if len(profile_level_id) != 6:
        return False
    try:
        profile_idc, iop = int(profile_level_id[:2], 16), int(profile_level_id[2:4], 16)
    except ValueError:
        return False
    if iop & 0x0F:  # reserved bits must be zero
        return False
    if profile_idc == 0x42:
        return bool(iop & 0x40)
    if profile_idc == 0x4D:
        return bool(iop & 0x80)
    if profile_idc == 0x58:
        return iop & 0xC0 == 0xC0
    return False


def forwardable(parameters: dict[str, str]) -> bool:
    """An H.264 format the SFU forwards: packetization-mode 1 and Constrained Baseline.

    A missing ``profile-level-id`` means Constrained Baseline level 3.1 (``42e01f``), as
    libwebrtc assumes; a missing ``packetization-mode`` means mode 0, which is not forwarded.
    """
    return parameters.get("packetization-mode") == "1" and is_constrained_baseline(
        parameters.get("profile-level-id", "42e01f"))


def parse_fmtp(value: str) -> dict[str, str]:
    """``a=fmtp`` parameters (``key=value;key=value``) as a dict; malformed pairs are skipped."""
    out: dict[str, str] = {}
    for item in value.split(";"):
        key, sep, val = item.strip().partition("=")
        if sep and key:
            out[key.strip().lower()] = val.strip()
    return out
