from __future__ import annotations

import datetime as dt

from vclinic.accounts import DEMO_PASSWORD, authenticate, seed_demo, user_roles
from vclinic.sessions import schedule
from vclinic.sessions.demo import seed_schedule
from vclinic.sessions.model import Appointment, Patient
from vclinic.store import Organisation, Service, Store, User, utcnow


async def test_demo_seeding_creates_a_usable_clinic(store: Store) -> None:
    info = await seed_demo(store)
    assert info.org_slug == "demo-clinic"
    assert info.password == "demo-password-1"
    for email, role in [
        ("admin@demo.clinic", "admin"),
        ("dr.ada@demo.clinic", "provider"),
        ("dr.grace@demo.clinic", "provider"),
        ("station@demo.clinic", "requester"),
    ]:
        user = await authenticate(store, email, DEMO_PASSWORD)
        assert user.organisation_id == info.org_id
        assert await user_roles(store, user.id) == frozenset({role})
    station = await authenticate(store, "station@demo.clinic", DEMO_PASSWORD)
    assert station.is_station is True
    ada = await authenticate(store, "dr.ada@demo.clinic", DEMO_PASSWORD)
    assert ada.name == "Dr Ada Lovelace"
    services = await store.run(
        lambda: sorted(s.name for s in Service.select().where(Service.organisation == info.org_id))
    )
    assert services == ["General Practice", "Mental Health"]
    text = "\n".join(info.lines())
    assert "dr.grace@demo.clinic" in text and DEMO_PASSWORD in text


async def test_demo_seeding_twice_creates_nothing_more(store: Store) -> None:
    first = await seed_demo(store)
    second = await seed_demo(store)
    assert len(first.created) == 7
    assert second.created == ()
    assert second.org_id == first.org_id
    counts = await store.run(
        lambda: (Organisation.select().count(), User.select().count(), Service.select().count())
    )
    assert counts == (1, 4, 2)


async def test_demo_seeding_fills_in_what_was_deleted(store: Store) -> None:
    await seed_demo(store)
    await store.run(lambda: User.delete().where(User.email == "dr.grace@demo.clinic").execute())
    await store.run(lambda: Service.delete().where(Service.name == "Mental Health").execute())
    again = await seed_demo(store)
    assert again.created == ("user:dr.grace@demo.clinic", "service:Mental Health")
    await authenticate(store, "dr.grace@demo.clinic", DEMO_PASSWORD)


async def test_demo_seeding_schedules_fictional_patients_today_and_tomorrow(
        store: Store) -> None:
    info = await seed_demo(store)
    assert info.schedule[:2] == ("patient:DEMO-1", "patient:DEMO-2")
    assert [a.split(":")[1] for a in info.schedule[2:]] == ["DEMO-1", "DEMO-2", "DEMO-1"]
    ada = await authenticate(store, "dr.ada@demo.clinic", DEMO_PASSWORD)
    grace = await authenticate(store, "dr.grace@demo.clinic", DEMO_PASSWORD)
    now = utcnow()
    for_ada = await store.run(schedule.listing, info.org_id, ada.id, now)
    assert [(a["patient"]["display_name"], [p["name"] for p in a["providers"]])
            for a in for_ada] == [
        ("Sam Sample (demo patient)", ["Dr Ada Lovelace", "Dr Grace Hopper"]),
        ("Robin Example (demo patient)", ["Dr Ada Lovelace"])]
    first = dt.datetime.fromisoformat(for_ada[0]["starts_at"])
    assert now < first <= now + dt.timedelta(hours=1, minutes=30)
    assert dt.datetime.fromisoformat(for_ada[1]["starts_at"]).date() == (
        now + dt.timedelta(days=1)).date()
    for_grace = await store.run(schedule.listing, info.org_id, grace.id, now)
    assert [a["patient"]["display_name"] for a in for_grace] == [
        "Sam Sample (demo patient)", "Sam Sample (demo patient)"]
    assert "fictional patients" in "\n".join(info.lines())
    assert "Sam Sample" not in "\n".join(info.lines())

    assert (await seed_demo(store)).schedule == ()
    # A demo restarted the next day gets that day's appointments, and nothing twice.
    next_day = await store.atomic(seed_schedule, info.org_id, now + dt.timedelta(days=1))
    assert [a.split(":")[1] for a in next_day] == ["DEMO-1", "DEMO-2", "DEMO-1"]
    assert await store.atomic(seed_schedule, info.org_id, now + dt.timedelta(days=1)) == []
    counts = await store.run(lambda: (Patient.select().count(), Appointment.select().count()))
    assert counts == (2, 6)
