from __future__ import annotations

import json
from typing import Any

import pytest

from vclinic.errors import Forbidden
from vclinic.server import protocol


def test_valid_message_is_parsed() -> None:
    raw = json.dumps({"v": 1, "type": "session.join", "txn": "c1", "data": {"a": 1}})
    message = protocol.parse(raw, 65536)
    assert message == protocol.Inbound(type="session.join", txn="c1", data={"a": 1})


@pytest.mark.parametrize(
    ("raw", "code", "txn"),
    [
        ("{not json", "malformed_json", None),
        ("[1, 2]", "bad_message", None),
        (json.dumps({"v": 2, "type": "x", "txn": "t9"}), "unsupported_version", "t9"),
        (json.dumps({"v": 1, "type": "Bad Type", "txn": "t1"}), "bad_message", "t1"),
        (json.dumps({"v": 1, "type": "x", "txn": "t2", "data": [1]}), "bad_message", "t2"),
        (json.dumps({"v": 1, "type": "x", "txn": 5}), "bad_message", None),
    ],
)
def test_malformed_messages_are_refused_with_their_txn(raw: str, code: str, txn: str | None
                                                      ) -> None:
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.parse(raw, 65536)
    assert info.value.code == code
    assert info.value.txn == txn


def test_oversized_message_is_refused_before_parsing() -> None:
    raw = json.dumps({"v": 1, "type": "x", "txn": "t7", "data": {"blob": "a" * 70000}})
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.parse(raw, 65536)
    assert info.value.code == "payload_too_large"
    assert info.value.txn == "t7"


def test_replies_errors_and_events_follow_the_envelope() -> None:
    assert json.loads(protocol.reply("c1", {"ok": 1})) == {
        "v": 1, "type": "reply", "txn": "c1", "data": {"ok": 1}}
    err = json.loads(protocol.error("c2", Forbidden("No.", code="nope")))
    assert err == {"v": 1, "type": "error", "txn": "c2",
                   "error": {"code": "nope", "message": "No."}}
    assert json.loads(protocol.event(3, "hello", {})) == {
        "v": 1, "type": "hello", "seq": 3, "data": {}}


def test_an_event_around_data_encoded_once_is_the_same_text_as_one_encoded_whole() -> None:
    samples: list[dict[str, Any]] = [
        {}, {"note": "Zoë's “room” ✓", "n": 2, "rtt": None, "loss": 0.25},
        {"nested": {"list": [1, [2, {"x": True}]], "empty": []}},
    ]
    for data in samples:
        shared = protocol.event_with_data(7, "session.updated", json.dumps(data))
        assert shared == protocol.event(7, "session.updated", data)
