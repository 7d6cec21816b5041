"""The users list a page at a time on SQLite and PostgreSQL: every user once, by name."""

from __future__ import annotations

import pytest

from vclinic.accounts import create_org, create_user, list_users
from vclinic.errors import BadRequest
from vclinic.store import Store


async def test_pages_list_every_user_once_by_name_with_ties_in_a_stable_order(
    store: Store,
) -> None:
    org = await create_org(store, "Paging Clinic")
    other = await create_org(store, "Other Clinic")
    for n in range(230):
        # Many share a name: the cursor must still tell them apart.
        name = "Sam Lee" if n % 3 == 0 else f"Nurse {n:03d}"
        await create_user(store, org.slug, f"u{n:03d}@example.org", "long-enough-1", "staff",
                          name)
    await create_user(store, other.slug, "elsewhere@example.org", "long-enough-1", "staff",
                      "Aaron Elsewhere")
    everyone = await list_users(store, org.id, 200)
    assert everyone.total == 230 and len(everyone.items) == 200 and everyone.next_cursor

    listed, cursor = [], None
    for _ in range(20):
        page = await list_users(store, org.id, 23, cursor)
        assert page.total == 230 and len(page.items) <= 23
        listed += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(listed) == 230 and len({u["id"] for u in listed}) == 230
    assert [u["name"] for u in listed] == sorted(u["name"] for u in listed)
    assert "elsewhere@example.org" not in {u["email"] for u in listed}
    assert listed[:200] == everyone.items

    # A cursor from another organisation's list names no row of this one.
    assert everyone.next_cursor is not None
    with pytest.raises(BadRequest) as refused:
        await list_users(store, other.id, 10, everyone.next_cursor)
    assert refused.value.code == "invalid_cursor"
