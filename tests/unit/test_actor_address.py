"""Actor addresses and message envelopes: plain, serialisable data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from vclinic.actors import Address, Envelope
from vclinic.actors.message import check_message
from vclinic.errors import BadRequest


def test_address_prints_and_parses_as_kind_colon_id() -> None:
    address = Address("queue", "org1/urgent")
    assert str(address) == "queue:org1/urgent"
    assert Address.parse("queue:org1/urgent") == address


def test_only_the_first_colon_separates_kind_from_id() -> None:
    assert Address.parse("session:a:b") == Address("session", "a:b")


@pytest.mark.parametrize("text", ["session", ":abc", "session:", ""])
def test_malformed_addresses_are_a_bad_request(text: str) -> None:
    with pytest.raises(BadRequest) as info:
        Address.parse(text)
    assert info.value.code == "bad_actor_address"


def test_addresses_are_immutable_and_usable_as_keys() -> None:
    address = Address("session", "7f3a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        address.id = "other"  # type: ignore[misc]
    assert {address: 1}[Address("session", "7f3a")] == 1


@dataclass(frozen=True)
class Join:
    participant_id: str


@dataclass
class Mutable:
    value: int


def test_frozen_dataclasses_are_accepted_as_messages() -> None:
    check_message(Join("p1"))


@pytest.mark.parametrize("message", [{"type": "join"}, Mutable(1), Join, "join"])
def test_anything_but_a_frozen_dataclass_instance_is_refused_as_a_message(
    message: object,
) -> None:
    with pytest.raises(TypeError):
        check_message(message)


def test_an_envelope_carries_its_transaction_id_and_is_immutable() -> None:
    envelope = Envelope("txn-1", Join("p1"), wants_reply=True)
    assert dataclasses.asdict(envelope) == {
        "txn_id": "txn-1", "body": {"participant_id": "p1"}, "wants_reply": True,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        envelope.txn_id = "txn-2"  # type: ignore[misc]
