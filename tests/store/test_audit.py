"""The audit trail's hash chain: intact when untouched, broken at the first edited or deleted row,
and not forked by concurrent writers."""

from __future__ import annotations

import sys
from functools import partial

import pytest
import trio

from vclinic.store import AuditEvent, AuditHead, Organisation, Store, audit


def _org(slug: str) -> str:
    return str(Organisation.create(slug=slug, name=slug).id)


async def _trail(store: Store) -> tuple[str, list[AuditEvent]]:
    org = await store.atomic(_org, "riverside")
    events = []
    for action, target in (("user.signed_in", "u1"), ("patient.viewed", "p1"),
                           ("session.joined", "s1"), ("recording.started", "s1")):
        events.append(await store.atomic(audit.record, org, "u1", action, target))
    return org, events


async def test_an_untouched_trail_verifies(store: Store) -> None:
    _, events = await _trail(store)
    await store.atomic(audit.record, None, None, "system.started")
    report = await store.run(audit.verify)
    assert report.broken is None
    assert (report.events, report.chains) == (5, 2)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[1].prev_hash == events[0].hash


async def test_an_edited_row_is_named(store: Store) -> None:
    _, events = await _trail(store)
    await store.run(lambda: AuditEvent.update(target_ids=["p2"]).where(
        AuditEvent.id == events[1].id).execute())
    broken = (await store.run(audit.verify)).broken
    assert broken is not None
    assert broken.row_id == events[1].id
    assert "edited" in broken.problem


async def test_an_edited_row_with_its_hash_recomputed_breaks_the_next(store: Store) -> None:
    _, events = await _trail(store)

    def forge() -> None:
        row = AuditEvent.get_by_id(events[1].id)
        row.actor_id = "someone-else"
        row.hash = audit.chain_hash(row.prev_hash, row)
        row.save()

    await store.run(forge)
    broken = (await store.run(audit.verify)).broken
    assert broken is not None and broken.row_id == events[2].id


async def test_a_deleted_row_is_found(store: Store) -> None:
    _, events = await _trail(store)
    await store.run(lambda: AuditEvent.delete().where(AuditEvent.id == events[1].id).execute())
    broken = (await store.run(audit.verify)).broken
    assert broken is not None
    assert broken.row_id == events[2].id
    assert "#2 to #2 are missing" in broken.problem


async def test_a_deleted_last_row_is_found(store: Store) -> None:
    _, events = await _trail(store)
    await store.run(lambda: AuditEvent.delete().where(AuditEvent.id == events[3].id).execute())
    broken = (await store.run(audit.verify)).broken
    assert broken is not None and "missing" in broken.problem


def test_actions_must_be_dotted_verbs(store: Store) -> None:
    with pytest.raises(ValueError, match=r"thing\.done"):
        store.call(audit.record, None, None, "Viewed Jane Doe's record")
    assert store.call(lambda: AuditEvent.select().count()) == 0


_WRITER = """
import sys
from vclinic.store import Store, audit
url, org, n = sys.argv[1:]
store = Store.open(url, pool_size=1)
for i in range(10):
    store.call_atomic(audit.record, org, "u" + n, "patient.viewed", "p%d" % i)
store.close()
"""


async def test_concurrent_writers_do_not_fork_the_chain(store: Store, database_url: str) -> None:
    org = await store.atomic(_org, "busy")
    # Four processes, as four nodes sharing the database would be, appending at once.
    async with trio.open_nursery() as nursery:
        for n in range(4):
            nursery.start_soon(partial(trio.run_process, [sys.executable, "-c", _WRITER,
                                                          database_url, org, str(n)]))
    report = await store.run(audit.verify)
    assert report.broken is None
    seqs = await store.run(lambda: sorted(e.seq for e in AuditEvent.select()))
    assert seqs == list(range(1, 41))
    head = await store.run(AuditHead.get_by_id, org)
    assert head.seq == 40
