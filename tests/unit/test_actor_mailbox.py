"""Mailbox construction rules, without an event loop."""

from __future__ import annotations

import pytest

from vclinic.actors import Address, Mailbox


def test_a_mailbox_holds_at_least_one_message() -> None:
    with pytest.raises(ValueError):
        Mailbox(Address("slow", "1"), size=0)


def test_a_new_mailbox_is_empty_and_open() -> None:
    stats = Mailbox(Address("slow", "1"), size=3).statistics()
    assert (stats.depth, stats.size, stats.senders_waiting, stats.closed) == (0, 3, 0, False)
