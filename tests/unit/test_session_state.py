"""SessionState without a loop: roles, access levels, presence and grace, what changes emit."""

from __future__ import annotations

import pytest

from vclinic.errors import BadRequest, Conflict, Forbidden, Gone
from vclinic.sessions import message as m
from vclinic.sessions.role import ROLES, Ability, can, permissions, qualifies
from vclinic.sessions.state import Info, Person, SessionState

ORG = "org1"


def state(access: str = "invitation") -> SessionState:
    people = [
        Person("p-chair", "u-chair", "Chair", "chair", "practice", listed=True),
        Person("p-listed", "u-listed", "Listed", "broadcaster", "practice", listed=True),
        Person("p-guest", None, "Guest", "broadcaster", "guest", listed=False),
    ]
    return SessionState(Info("s1", ORG, "Consult", access, "open", created_by="u-chair"),
                        people)


def enter(s: SessionState, user: str | None = None, guest: str | None = None,
          conn: str = "c1", org: str = ORG, new_id: str = "p-new") -> dict:
    reply, _ = s.handle(m.Enter(conn, None if guest else org, user, guest, "Someone", new_id))
    return reply


def invitee(user_id: str, name: str, role: str = "broadcaster") -> m.Invitee:
    """An invitee whose participant, if new, gets the id ``p-<user id>``."""
    return m.Invitee(user_id, name, role, new_participant_id=f"p-{user_id}")


def types(events: list) -> list[str]:
    return [type(e).__name__ for e in events]


@pytest.mark.parametrize("role", ROLES)
def test_role_abilities_follow_the_seed_table(role: str) -> None:
    chair = role == "chair"
    publishes = role in ("chair", "broadcaster")
    assert can(role, Ability.PUBLISH_AUDIO) is publishes
    assert can(role, Ability.PUBLISH_SCREEN) is publishes
    assert can(role, Ability.RECEIVE)
    for ability in (Ability.ADD_PARTICIPANT, Ability.CHANGE_SETTINGS, Ability.CLOSE,
                    Ability.CAPTURE):
        assert can(role, ability) is chair
    p = permissions(role)
    assert (p.audio, p.video, p.screen, p.subscribe) == (publishes,) * 3 + (True,)


def test_who_qualifies_under_each_access_level() -> None:
    assert [qualifies(a, "guest", False) for a in ("private", "internal", "invitation")] == [
        False, False, True]
    assert [qualifies(a, "practice", False) for a in ("private", "internal", "invitation")] == [
        False, True, True]
    assert all(qualifies(a, "practice", True) for a in ("private", "internal", "invitation"))


def test_unlisted_colleague_enters_as_broadcaster_but_not_a_private_session() -> None:
    s = state()
    reply = enter(s, user="u-other")
    assert reply["you"]["role"] == "broadcaster" and reply["you"]["listed"] is False
    assert "p-new" in s.dirty
    with pytest.raises(Forbidden) as refused:
        enter(state("private"), user="u-other")
    assert refused.value.code == "not_invited"


def test_user_of_another_practice_must_use_the_guest_link() -> None:
    with pytest.raises(Forbidden) as refused:
        enter(state(), user="u-chair", org="other-org")
    assert refused.value.code == "access_denied"


def test_dropped_connection_reconnects_within_grace_or_leaves_after_it() -> None:
    s = state()
    enter(s, guest="p-guest", conn="c1")
    _, events = s.handle(m.Disconnect("c1", "p-guest"))
    assert types(events) == ["ParticipantUpdated", "GraceStarted"]
    assert s.people["p-guest"].state == "reconnecting"
    stale = events[1]
    enter(s, guest="p-guest", conn="c2")
    assert s.people["p-guest"].state == "connected"
    assert s.handle(m.GraceExpired("p-guest", stale.epoch)) == (None, [])
    _, events = s.handle(m.Disconnect("c2", "p-guest"))
    _, events = s.handle(m.GraceExpired("p-guest", events[1].epoch))
    assert types(events) == ["ParticipantLeft", "MediaRemoved"]
    assert s.people["p-guest"].state == "left"


def test_access_changes_evict_exactly_who_no_longer_qualifies() -> None:
    s = state()
    for user, conn in (("u-chair", "c1"), ("u-listed", "c2"), ("u-other", "c3")):
        enter(s, user=user, conn=conn, new_id="p-other")
    enter(s, guest="p-guest", conn="c4")
    _, events = s.handle(m.UpdateSettings("u-chair", (("access_level", "internal"),)))
    removed = [e.participant_id for e in events if isinstance(e, m.ParticipantRemoved)]
    assert removed == ["p-guest"]
    assert [e.participant_id for e in events if isinstance(e, m.MediaRemoved)] == ["p-guest"]
    _, events = s.handle(m.UpdateSettings("u-chair", (("access_level", "private"),)))
    removed = [e.participant_id for e in events if isinstance(e, m.ParticipantRemoved)]
    assert removed == ["p-other"]
    assert {p.id for p in s.people.values() if p.state == "connected"} == {"p-chair",
                                                                          "p-listed"}


def test_only_chairs_change_things_and_a_session_keeps_a_chair() -> None:
    s = state()
    with pytest.raises(Forbidden):
        s.handle(m.ChangeRole("u-listed", "p-guest", "viewer"))
    _, events = s.handle(m.ChangeRole("u-chair", "p-guest", "viewer"))
    assert types(events) == ["ParticipantUpdated", "PermissionsChanged"]
    with pytest.raises(Conflict):
        s.handle(m.ChangeRole("u-chair", "p-chair", "viewer"))
    with pytest.raises(BadRequest):
        s.handle(m.ChangeRole("u-chair", "p-guest", "chair"))
    s.handle(m.ChangeRole("u-chair", "p-listed", "chair"))
    s.handle(m.ChangeRole("u-listed", "p-chair", "viewer"))
    assert s.people["p-chair"].role == "viewer"


def test_closing_ends_presence_and_refuses_entry() -> None:
    s = state()
    enter(s, user="u-chair")
    _, events = s.handle(m.Close("u-chair"))
    assert types(events) == ["SessionClosed", "RoomClosed"]
    assert s.people["p-chair"].state == "left"
    with pytest.raises(Gone) as refused:
        enter(s, user="u-listed")
    assert refused.value.code == "session_closed"


def test_after_a_node_restart_those_present_start_their_grace() -> None:
    s = state()
    enter(s, user="u-chair", conn="c1")
    saved = s.presence()
    fresh = state()
    fresh.people["p-chair"].state = "connected"
    events = fresh.restore(saved, same_node=False)
    assert types(events) == ["GraceStarted"]
    assert fresh.people["p-chair"].state == "reconnecting"
    again = state()
    again.people["p-chair"].state = "connected"
    assert again.restore(saved, same_node=True) == []
    assert again.people["p-chair"].connections == {"c1"}


def test_adding_people_puts_them_on_the_list_as_broadcasters_and_notifies_them() -> None:
    s = state("private")
    reply, events = s.handle(m.AddParticipants("u-chair", (invitee("u-new", "New"),)))
    assert reply["participants"][0]["role"] == "broadcaster"
    assert reply["participants"][0]["id"] == "p-u-new"  # the id the sender made
    assert [e for e in events if isinstance(e, m.Invited)] == [
        m.Invited("u-new", reply["participants"][0]["id"])]
    assert enter(s, user="u-new")["you"]["listed"] is True
    with pytest.raises(Conflict):
        s.handle(m.AddParticipants("u-chair", (invitee("u-chair", "Chair", "viewer"),)))
    with pytest.raises(Forbidden):
        s.handle(m.AddParticipants("u-listed", (invitee("u-x", "X"),)))


def test_settings_with_a_roster_apply_together_or_leave_the_state_as_it_was() -> None:
    s = state()
    enter(s, user="u-listed")
    enter(s, guest="p-guest", conn="c2")
    before = (repr(s.info), repr(s.people), set(s.dirty))
    swap = (invitee("u-listed", "Listed", "chair"), invitee("u-chair", "Chair", "viewer"))
    with pytest.raises(Conflict):
        s.handle(m.UpdateSettings("u-chair", (("name", "Renamed"),),
                                  (invitee("u-listed", "Listed", "viewer"),)))
    with pytest.raises(BadRequest):
        s.handle(m.UpdateSettings("u-chair", (("access_level", "private"),),
                                  (invitee("u-chair", "Chair", "boss"),)))
    assert (repr(s.info), repr(s.people), s.dirty) == before

    # Chairs swap in one go (no "last chair" in between); a new colleague is notified.
    _, events = s.handle(m.UpdateSettings("u-chair", (("access_level", "private"),),
                                          (*swap, invitee("u-new", "New", "broadcaster"))))
    assert {p.user_id: p.role for p in s.people.values() if p.listed} == {
        "u-chair": "viewer", "u-listed": "chair", "u-new": "broadcaster"}
    assert [e.user_id for e in events if isinstance(e, m.Invited)] == ["u-new"]
    assert [(e.participant_id, e.role) for e in events if isinstance(e, m.PermissionsChanged)] \
        == [("p-listed", "chair")]
    assert [(e.participant_id, e.reason) for e in events if isinstance(e, m.ParticipantRemoved)
            ] == [("p-guest", "access_changed")]

    # Left off the list: removed.
    _, events = s.handle(m.UpdateSettings("u-listed", (), (swap[0],)))
    assert s.people["p-chair"].removed and not s.people["p-chair"].listed
    assert ("p-chair", "removed_by_chair") in [
        (e.participant_id, e.reason) for e in events if isinstance(e, m.ParticipantRemoved)]


def test_adding_people_is_all_or_nothing() -> None:
    # Found by tests/unit/test_session_state_machine.py: the new colleague was added before
    # the last chair's role change was refused.
    s = state()
    before = (repr(s.info), repr(s.people), set(s.dirty))
    with pytest.raises(Conflict):
        s.handle(m.AddParticipants("u-chair", (invitee("u-new", "New"),
                                               invitee("u-chair", "Chair", "viewer"))))
    assert (repr(s.info), repr(s.people), s.dirty) == before
