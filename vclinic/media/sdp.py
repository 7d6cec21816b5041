"""SDP sanity checks run on every client description before aiortc parses it.

Owned by the media package and called by the worker (and, later, by the /ws gateway). aiortc
accepts empty or garbage SDP and raises ``AssertionError`` on a bad ``m=`` line, so this module
checks size, structure, ICE and DTLS attributes and codecs first, and returns a small summary the
worker uses for permission checks. It imports no aiortc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vclinic.errors import BadRequest, PayloadTooLarge
from vclinic.media import h264

#: Largest SDP accepted: a browser's offer for a few tracks is 3 to 10 KB, and each further
#: subscribed track adds about 1 KB to its answers.
MAX_SDP_BYTES = 128 * 1024
#: Own tracks plus one per subscribed track: about 30 publishers with camera and microphone.
MAX_MEDIA_SECTIONS = 64
MAX_LINE_BYTES = 1024
#: Codecs the SFU forwards, by lower-case encoding name (H.264: only the formats
#: :func:`vclinic.media.h264.forwardable` accepts).
FORWARDED_CODECS = {"audio": {"opus"}, "video": {"vp8", "h264"}}
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")

_LINE = re.compile(r"^[a-z]=[\x20-\x7e]*$")
_MLINE = re.compile(r"^m=(audio|video|application) (\d+)(?:/\d+)? ([A-Z/]+) ([\w ./-]+)$")
_RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([\w.-]+)/(\d+)(?:/\d+)?$")
_FMTP = re.compile(r"^a=fmtp:(\d+) (.*)$")
_TOKEN = re.compile(r"^[\w+/=.-]+$")
_CANDIDATE = re.compile(
    r"^candidate:[\w+/=.-]{1,64} \d{1,3} (?i:udp|tcp) \d{1,10} [\w:.-]{1,64} \d{1,5} "
    r"typ (?:host|srflx|prflx|relay)(?: [\x21-\x7e ]*)?$"
)


@dataclass(frozen=True)
class MediaSection:
    """One m= section as far as the worker cares: kind, mid, direction, codec names."""

    kind: str
    mid: str
    direction: str
    codecs: tuple[str, ...]

    @property
    def sends(self) -> bool:
        """The remote end sends media on this section."""
        return self.direction in ("sendrecv", "sendonly")


@dataclass(frozen=True)
class SessionSummary:
    """What :func:`validate` learnt about a description."""

    ice_ufrag: str
    media: tuple[MediaSection, ...]

    @property
    def video_codecs(self) -> frozenset[str]:
        """Video codecs every video section offers; empty when the description has no video."""
        sections = [set(m.codecs) for m in self.media if m.kind == "video"]
        return frozenset(set.intersection(*sections)) if sections else frozenset()


def validate(sdp: str) -> SessionSummary:
    """Check ``sdp`` and summarise it; raises :class:`BadRequest` or :class:`PayloadTooLarge`."""
    if not isinstance(sdp, str):
        raise BadRequest("SDP must be a string", code="invalid_sdp")
    if len(sdp.encode()) > MAX_SDP_BYTES:
        raise PayloadTooLarge("SDP is too large", code="sdp_too_large")
    lines = [line for line in sdp.replace("\r\n", "\n").split("\n") if line]
    if not lines or lines[0] != "v=0":
        raise BadRequest("SDP must start with v=0", code="invalid_sdp")
    for line in lines:
        if len(line) > MAX_LINE_BYTES or not _LINE.match(line):
            raise BadRequest("SDP has a malformed line", code="invalid_sdp")
    session, sections = _split(lines)
    for prefix in ("o=", "s=", "t="):
        if not any(line.startswith(prefix) for line in session):
            raise BadRequest(f"SDP lacks its {prefix} line", code="invalid_sdp")
    if not sections:
        raise BadRequest("SDP has no media sections", code="invalid_sdp")
    if len(sections) > MAX_MEDIA_SECTIONS:
        raise BadRequest("SDP has too many media sections", code="invalid_sdp")
    media = tuple(_section(session, section) for section in sections)
    mids = [m.mid for m in media]
    if len(set(mids)) != len(mids):
        raise BadRequest("SDP repeats a mid", code="invalid_sdp")
    if any(not m.codecs for m in media if m.kind != "application"):
        raise BadRequest(
            "SDP offers none of the supported codecs (Opus, VP8, H.264 packetization-mode 1 "
            "constrained baseline)", code="unsupported_codec"
        )
    ufrag = _attribute(session, sections[0], "ice-ufrag") or ""
    return SessionSummary(ice_ufrag=ufrag, media=media)


def validate_candidate(line: str) -> str:
    """Check one trickled ``candidate:`` line; returns it without the prefix."""
    if not isinstance(line, str) or len(line) > 512 or not _CANDIDATE.match(line):
        raise BadRequest("malformed ICE candidate", code="invalid_candidate")
    return line.removeprefix("candidate:")


def _split(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    session: list[str] = []
    sections: list[list[str]] = []
    for line in lines:
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
        else:
            session.append(line)
    return session, sections


def _attribute(session: list[str], section: list[str], name: str) -> str | None:
    """A media-level attribute's value, falling back to the session level."""
    for scope in (section, session):
        for line in scope:
            if line == f"a={name}":
                return ""
            if line.startswith(f"a={name}:"):
                return line.split(":", 1)[1]
    return None


def _section(session: list[str], section: list[str]) -> MediaSection:
    match = _MLINE.match(section[0])
    if match is None:
        raise BadRequest("SDP has a malformed m= line", code="invalid_sdp")
    kind, _port, proto, fmts = match.groups()
    mid = _attribute([], section, "mid")
    if not mid or not _TOKEN.match(mid):
        raise BadRequest("SDP media section lacks a valid mid", code="invalid_sdp")
    for name in ("ice-ufrag", "ice-pwd", "fingerprint", "setup"):
        value = _attribute(session, section, name)
        if not value:
            raise BadRequest(f"SDP media section lacks a={name}", code="invalid_sdp")
    if kind == "application":
        return MediaSection(kind=kind, mid=mid, direction="inactive", codecs=())
    if proto != "UDP/TLS/RTP/SAVPF":
        raise BadRequest("SDP media section uses an unsupported profile", code="invalid_sdp")
    if _attribute([], section, "rtcp-mux") is None:
        raise BadRequest("SDP media section lacks a=rtcp-mux", code="invalid_sdp")
    payload_types = fmts.split()
    if not all(pt.isdigit() and int(pt) < 128 for pt in payload_types):
        raise BadRequest("SDP media section lists invalid payload types", code="invalid_sdp")
    fmtp = {m.group(1): h264.parse_fmtp(m.group(2)) for m in map(_FMTP.match, section) if m}
    codecs = []
    for line in section:
        rtpmap = _RTPMAP.match(line)
        if rtpmap is None:
            if line.startswith("a=rtpmap:"):
                raise BadRequest("SDP has a malformed a=rtpmap line", code="invalid_sdp")
            continue
        pt, name, _rate = rtpmap.groups()
        if pt not in payload_types:
            raise BadRequest("SDP a=rtpmap names an unlisted payload type", code="invalid_sdp")
        name = name.lower()
        if name == "h264" and not h264.forwardable(fmtp.get(pt, {})):
            continue
        if name in FORWARDED_CODECS[kind] and name not in codecs:
            codecs.append(name)
    direction = next((d for d in DIRECTIONS if f"a={d}" in section), "sendrecv")
    return MediaSection(kind=kind, mid=mid, direction=direction, codecs=tuple(codecs))


def assign_sources(
    summary: SessionSummary, requested: dict[str, str], known: dict[str, str]
) -> dict[str, str]:
    """Map each sending audio/video mid to its source; raises BadRequest on a bad mapping."""
    out: dict[str, str] = {}
    for media in summary.media:
        if media.kind == "application" or not media.sends:
            continue
        source = known.get(media.mid) or requested.get(media.mid)
        if source is None:
            if media.kind == "audio":
                source = "audio"
            else:
                source = "screen" if "video" in out.values() else "video"
        if source not in ("audio", "video", "screen") or (source == "audio") != (
            media.kind == "audio"
        ):
            raise BadRequest("a track's source does not match its kind", code="invalid_source")
        if source in out.values():
            raise BadRequest("two tracks claim one source", code="invalid_source")
        out[media.mid] = source
    return out
