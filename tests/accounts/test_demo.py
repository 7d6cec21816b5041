from __future__ import annotations

from vclinic.accounts import DEMO_PASSWORD, authenticate, seed_demo, user_roles
from vclinic.store import Organisation, Service, Store, User


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
