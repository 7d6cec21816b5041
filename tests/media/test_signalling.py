"""Media signalling through a real node's /ws: aiortc tabs negotiate with the node's SFU."""

from __future__ import annotations

import trio

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2, STATION
from tests.media.conftest import DEADLINE, increasing_video
from tests.media.peer import Peer
from tests.media.wspeer import SESSION, Call, WsPeer
from vclinic.media import protocol as p

VIEWER = p.Permissions(audio=False, video=False, screen=False)


def heard(snap: dict) -> int:
    return sum(snap["audio"].values())


async def _two_party_call(call: Call) -> tuple[WsPeer, WsPeer]:
    alice = await call.tab(PROVIDER, "alice")
    bob = await call.tab(PROVIDER_2, "bob")
    assert (await alice.connect())["type"] == "reply"
    assert (await bob.connect(audio=False, video=False))["type"] == "reply"
    await bob.wait_until(lambda s: increasing_video(s) and heard(s) > 25)
    return alice, bob


async def test_subscriber_decodes_the_publishers_counter_video_and_hears_audio(
    call: Call,
) -> None:
    with trio.fail_after(DEADLINE):
        _, bob = await _two_party_call(call)
    # bob's answer came before the server offer that brought him alice's tracks.
    reply_at = bob.log.index(("reply", "bob-1"))
    offer_at = next(i for i, (kind, _) in enumerate(bob.log) if kind == "media.server_offer")
    assert reply_at < offer_at
    offer = bob.events[[e["type"] for e in bob.events].index("media.server_offer")]
    assert offer["data"]["session_id"] == SESSION
    assert sorted((t["participant_id"], t["source"]) for t in offer["data"]["tracks"].values()
                  ) == [("alice", "audio"), ("alice", "video")]
    connected = await bob.wait_event(lambda e: e["type"] == "media.connection_state"
                                     and e["data"]["state"] == "connected")
    assert connected["data"]["session_id"] == SESSION


async def test_viewer_is_refused_publishing_and_still_watches(call: Call) -> None:
    with trio.fail_after(DEADLINE):
        await _two_party_call(call)
        viewer = await call.tab(ADMIN, "carol", VIEWER)
        refused = await viewer.connect()
        assert refused["type"] == "error"
        assert refused["error"]["code"] == "publish_forbidden"
        assert (await viewer.connect(audio=False, video=False))["type"] == "reply"
        await viewer.wait_until(increasing_video)


async def test_revoking_video_stops_it_at_the_subscriber_and_tells_the_publisher(
    call: Call,
) -> None:
    with trio.fail_after(DEADLINE):
        alice, bob = await _two_party_call(call)
        await call.media.set_permissions(SESSION, "alice", p.Permissions(video=False))
        revoked = await alice.wait_event(lambda e: e["type"] == "media.revoked")
        assert revoked["data"] == {"session_id": SESSION, "source": "video"}
        await bob.wait_event(lambda e: e["type"] == "media.server_offer" and not any(
            t == {"participant_id": "alice", "source": "video"}
            for t in e["data"]["tracks"].values()))
        before = await bob.snapshot()
        frames = sum(len(c) for c in before["counters"].values())
        # Audio keeps flowing (about 50 frames a second) while no more video arrives.
        after = await bob.wait_until(lambda s: heard(s) > heard(before) + 50)
    assert sum(len(c) for c in after["counters"].values()) <= frames + 1


async def test_bad_signalling_gets_clear_errors_and_the_call_keeps_working(call: Call) -> None:
    with trio.fail_after(DEADLINE):
        alice, bob = await _two_party_call(call)
        probe = Peer("probe")
        good = await alice.aio.run(probe.offer)
        await alice.aio.run(probe.close)
        cases = {
            "invalid_sdp": {"sdp": "v=0\r\nthis is not sdp\r\n"},
            # Over ws_max_message_bytes (64 KiB): refused by the envelope check.
            "payload_too_large": {"sdp": good + "".join(f"a=x-pad{i}:{'y' * 900}\r\n"
                                                        for i in range(75))},
            "unsupported_codec": {"sdp": good.replace("VP8/90000", "AV1X/90000")
                                  .replace("opus/48000", "speex/48000")},
            "invalid_session_id": {"session_id": 42, "sdp": good},
            "not_in_session": {"session_id": "another-visit", "sdp": good},
        }
        for code, data in cases.items():
            error = await alice.request("media.offer", {"session_id": SESSION, **data})
            assert (error["type"], error["error"]["code"]) == ("error", code), code
        unexpected = await bob.request("media.answer", {"session_id": SESSION, "sdp": good})
        assert unexpected["error"]["code"] == "unexpected_answer"
        bad_candidate = await bob.request("media.candidate", {
            "session_id": SESSION, "candidate": "candidate:garbage", "sdp_mid": "0",
            "sdp_mline_index": 0})
        assert bad_candidate["error"]["code"] == "invalid_candidate"
        stranger = await call.tab(STATION, "dave", session_id="another-visit")
        early = await stranger.request("media.answer", {"session_id": "another-visit",
                                                        "sdp": good})
        assert early["error"]["code"] == "unexpected_answer"
        # The room still works: bob keeps decoding alice, and a fresh offer is answered.
        await bob.forget_media()
        await bob.wait_until(increasing_video)
        assert (await alice.connect())["type"] == "reply"
        await bob.wait_until(lambda s: increasing_video(s, minimum=20))


async def test_mute_state_and_stats_reach_the_session_topic(call: Call) -> None:
    bus = call.node.context.runtime.bus
    with trio.fail_after(DEADLINE):
        async with bus.subscribe(f"session:{SESSION}") as events:
            alice, _ = await _two_party_call(call)
            reply = await alice.request("media.state", {"session_id": SESSION,
                                                        "audio_muted": True,
                                                        "video_muted": False})
            assert reply["type"] == "reply"
            seen: dict[str, dict] = {}
            async for item in events:
                assert isinstance(item, dict)
                seen.setdefault(item["type"], item["data"])
                if {"media.participant_state", "media.stats"} <= set(seen):
                    break
    assert seen["media.participant_state"] == {
        "session_id": SESSION, "participant_id": "alice", "audio_muted": True,
        "video_muted": False}
    assert seen["media.stats"]["session_id"] == SESSION
    [first, *_] = seen["media.stats"]["participants"]
    assert first["participant_id"] in {"alice", "bob"}
    assert {"bitrate_in", "bitrate_out", "loss", "rtt"} <= set(first)
    assert seen["media.track"]["participant_id"] == "alice"


async def test_ice_servers_are_handed_out_per_participant(call: Call) -> None:
    alice = await call.tab(PROVIDER, "alice")
    reply = await alice.request("media.ice_servers", {"session_id": SESSION})
    # The test node configures no STUN or TURN server: host candidates only.
    assert reply["data"] == {"ice_servers": [], "expires_at": None}
    refused = await alice.request("media.ice_servers", {"session_id": "another-visit"})
    assert refused["error"]["code"] == "not_in_session"
