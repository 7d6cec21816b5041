"""The session tables on SQLite and PostgreSQL: create, reload into a state, links, guests."""

from __future__ import annotations

from pathlib import Path

import pytest

from vclinic import accounts
from vclinic.errors import Gone
from vclinic.sessions import creation, link, patient, persist
from vclinic.sessions import message as m
from vclinic.store import Store


async def test_a_session_round_trips_through_the_store(store: Store, tmp_path: Path) -> None:
    org = await accounts.create_org(store, "Clinic")
    chair = await accounts.create_user(store, org.slug, "a@x.org", "long-enough-1", "provider",
                                       "Chair")
    other = await accounts.create_user(store, org.slug, "b@x.org", "long-enough-1", "provider",
                                       "Other")
    key = link.link_key(str(tmp_path))
    sid, invited = await store.atomic(creation.create, key, creation.NewSession(
        org_id=org.id, creator_id=chair.id, name="Consult",
        participants=((other.id, "viewer"),)))
    assert [u for u, _ in invited] == [other.id]

    state = await store.run(persist.load, sid)
    assert state is not None
    assert sorted(p.role for p in state.people.values()) == ["chair", "viewer"]
    state.handle(m.AddGuest("guest-1", "Pat"))
    state.handle(m.Enter("c1", None, None, "guest-1", "Pat", "unused"))
    await store.atomic(persist.save, state)
    reloaded = await store.run(persist.load, sid)
    assert reloaded is not None and reloaded.people["guest-1"].state == "connected"

    path = (await store.run(link.links, key, sid))["guest"]["path"]
    token = path.rsplit("/", 1)[1]
    _, session = await store.run(link.follow, token)
    assert session.id == sid
    cookie, _ = await store.run(link.start_guest, "guest-1", sid)
    guest = await link.resolve_guest(store, cookie)
    assert guest is not None and guest.guest_session_id == sid and guest.name == "Pat"

    pat = await store.atomic(patient.create_patient, org.id, "Jane", "")
    reloaded.handle(m.UpdateSettings(chair.id, (("patient_id", pat["id"]),)))
    reloaded.handle(m.Close(chair.id))
    await store.atomic(persist.save, reloaded)
    assert await link.resolve_guest(store, cookie) is None
    with pytest.raises(Gone):
        await store.run(link.follow, token)
    saved = await store.atomic(patient.save_capture, sid, chair.id, None,
                               b"\x89PNG\r\n\x1a\n1234", "image/png")
    content, kind = await store.run(patient.file_content, org.id, pat["id"], saved["id"])
    assert content == b"\x89PNG\r\n\x1a\n1234" and kind == "image/png"
