"""The audit trail's hash chain: intact when untouched, broken at the first edited or deleted row,
and not forked by concurrent writers."""

from __future__ import annotations

import sys
from functools import partial

import pytest
import trio

from vclinic.store import (
    AuditEvent,
    AuditHead,
    Organisation,
    Store,
    audit,
    core_migrations,
    migrate,
    migration,
)


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


def test_events_written_before_the_chain_existed_are_chained_by_the_migration(
    empty_store: Store,
) -> None:
    db = empty_store.database
    q = db.param

    def upgrade() -> None:
        # The database as the release before the chain left it, with a trail of three events.
        migration._ensure_table(db)
        for step in core_migrations():
            if step.id == "core:0006":
                break
            migration._apply_one(db, step)
        db.execute_sql(f"INSERT INTO organisations (id, slug, name, settings, created_at) "
                       f"VALUES ({q}, {q}, {q}, {q}, {q})",
                       ("org1", "riverside", "Riverside", "{}", "2026-01-01 09:00:00"))
        for n, action in enumerate(("user.signed_in", "patient.viewed", "session.joined")):
            db.execute_sql(f"INSERT INTO audit_events (id, organisation_id, actor_id, action, "
                           f"target_ids, created_at) VALUES ({q}, {q}, {q}, {q}, {q}, {q})",
                           (f"e{n}", "org1", "u1", action, '["x"]',
                            f"2026-01-01 09:0{n}:00.000001"))
        assert migrate(db) == ["core:0006"]

    empty_store.call(upgrade)
    report = empty_store.call(audit.verify)
    assert report.broken is None and report.events == 3
    seqs = empty_store.call(lambda: [(e.id, e.seq) for e in AuditEvent.select()
                                     .order_by(AuditEvent.seq)])
    assert seqs == [("e0", 1), ("e1", 2), ("e2", 3)]
    # The chain goes on from there.
    empty_store.call_atomic(audit.record, "org1", "u1", "patient.viewed", "p1")
    assert empty_store.call(audit.verify).broken is None


async def test_an_encounters_events_are_found_by_its_id_whatever_its_characters(
    store: Store,
) -> None:
    ids = ["plainid", "with_underscore", "with-dash", "PlainID"]
    for target in ids:
        await store.atomic(audit.record, None, "u1", "session.joined", target, "other")
    for target in ids:
        found = await store.run(audit.events_of, target)
        assert [event.target_ids[0] for event in found] == [target]
