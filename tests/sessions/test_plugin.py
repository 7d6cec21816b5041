"""The sessions plugin registers like any other and shows its section to the practice only."""

from __future__ import annotations

import dataclasses

import vclinic_sessions

from vclinic.accounts import Principal
from vclinic.ids import OrgId, SessionId, UserId
from vclinic.plugins import PluginHost


def principal(*roles: str, guest: bool = False) -> Principal:
    return Principal(UserId("u"), OrgId("o"), "demo", frozenset(roles), "Name", "", SessionId("s"),
                     "csrf", False, guest_session_id="sid" if guest else None,
                     participant_id="p" if guest else None)


def test_plugin_adds_routes_messages_and_a_section_for_practice_users() -> None:
    host = PluginHost()
    host.register(vclinic_sessions, "sessions")
    assert set(host.ws_handlers()) == {"session.enter", "session.leave"}
    assert {b.name for b in host.blueprints()} == {"sessions_api", "sessions_records",
                                                  "sessions_join"}
    assert "/static/sessions" in host.static_dirs()
    sections = host.dashboard_sections(principal("provider"))
    assert [dataclasses.astuple(s)[:3] for s in sections] == [
        ("telehealth", "Telehealth", "/static/sessions/section.js"),
        ("scheduling", "Scheduling", "/static/sessions/scheduling.js")]
    assert host.dashboard_sections(principal("requester")) == []
    assert host.dashboard_sections(principal("guest", guest=True)) == []


def test_disabled_plugin_adds_nothing() -> None:
    host = PluginHost(enabled=("other",))
    host.register(vclinic_sessions, "sessions")
    assert host.ws_handlers() == {} and host.blueprints() == []
