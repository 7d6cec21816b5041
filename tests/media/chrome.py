"""Chromium test peers: a real browser's RTCPeerConnection, driven with Playwright.

Runs on the same asyncio thread as the aiortc peers and offers the same methods as
:class:`tests.media.peer.Peer`, so the signalling harness relays for both. Pages are served from
an intercepted ``http://localhost/`` (a secure context, no server), media comes from Chromium's
fake devices, and only loopback UDP candidates are passed to the worker.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection", "--no-sandbox",
]

_OFFER = """async ([audio, video]) => {
  if (window.pc) window.pc.close();
  const pc = window.pc = new RTCPeerConnection({iceServers: []});
  if (audio || video) {
    const stream = await navigator.mediaDevices.getUserMedia(
      {audio, video: video && {width: 320, height: 240}});
    for (const track of stream.getTracks()) pc.addTransceiver(track, {direction: 'sendonly'});
  } else {
    pc.addTransceiver('audio', {direction: 'recvonly'});
  }
  await pc.setLocalDescription();
  await new Promise(resolve => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange',
      () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 3000);
  });
  return pc.localDescription.sdp;
}"""

_ANSWER = """async ([type, sdp]) => {
  await window.pc.setRemoteDescription({type, sdp});
  if (type === 'offer') { await window.pc.setLocalDescription(); }
  return window.pc.localDescription.sdp;
}"""

_STATS = """async () => {
  const out = {video: 0, keyframes: 0, audio: 0, state: window.pc.connectionState,
               video_codecs: []};
  const report = await window.pc.getStats();
  report.forEach(s => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') {
      out.video += s.framesDecoded || 0;
      out.keyframes += s.keyFramesDecoded || 0;
      const codec = s.codecId && report.get(s.codecId);
      if (codec) out.video_codecs.push(codec.mimeType);
    }
    if (s.kind === 'audio') out.audio += s.packetsReceived || 0;
  });
  return out;
}"""


def loopback_only(sdp: str) -> str:
    """Drop every candidate but UDP on 127.0.0.1: test traffic stays on loopback."""
    return "\r\n".join(
        line for line in sdp.split("\r\n")
        if not line.startswith("a=candidate:") or re.search(r" udp \d+ 127\.0\.0\.1 ", line)
    )


def _ufrag(sdp: str) -> str | None:
    return next((line[12:] for line in sdp.splitlines() if line.startswith("a=ice-ufrag:")), None)


class ChromePeer:
    """One browser tab with one RTCPeerConnection."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self._remote: str | None = None

    @classmethod
    async def open(cls, browser: Any) -> ChromePeer:
        page = await browser.new_page()
        await page.route("http://localhost/**", lambda route: route.fulfill(
            body="<!doctype html><title>vclinic test</title>", content_type="text/html"))
        await page.goto("http://localhost/call")
        return cls(page)

    async def offer(self, audio: bool = True, video: bool = True, screen: bool = False) -> str:
        return loopback_only(await self.page.evaluate(_OFFER, [audio, video]))

    async def accept(self, answer: str) -> None:
        self._remote = answer
        await self.page.evaluate(_ANSWER, ["answer", answer])

    async def answer(self, offer: str) -> str | None:
        if self._remote is None or _ufrag(offer) != _ufrag(self._remote):
            return None
        self._remote = offer
        return loopback_only(await self.page.evaluate(_ANSWER, ["offer", offer]))

    async def stats(self) -> dict[str, Any]:
        return await self.page.evaluate(_STATS)  # type: ignore[no-any-return]

    async def close(self) -> None:
        # The browser may already be gone at teardown; closing its page then is moot.
        with contextlib.suppress(Exception):
            await self.page.close()
