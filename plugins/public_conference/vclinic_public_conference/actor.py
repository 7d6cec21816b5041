"""ConferenceActor: one per event (``conference:<event id>``), the only writer of its event row
after creation.

It serialises what changes one conference — a change, a cancel, a patient following their link —
so a patient clicking twice gets one participant, and a link followed while the conference is
being cancelled either gets in before the cancel (and is then ended with the session) or is
refused. It keeps no state in memory: every message reads the rows, so a restart loses nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, assert_never

from vclinic.api import (
    Actor,
    ActorContext,
    Address,
    AppContext,
    Conflict,
    Forbidden,
    Gone,
    NotFound,
)
from vclinic_public_conference import message as m
from vclinic_public_conference import record, rules
from vclinic_public_conference.model import Event, Member

KIND = "conference"
MAILBOX = 64


@dataclass(frozen=True)
class ConferenceKind:
    """The actor kind the plugin registers."""

    factory: Any
    kind: str = KIND
    mailbox_size: int = MAILBOX
    restart: str = "transient"
    intensity: int = 5
    period: float = 60.0


class ConferenceActor(Actor):
    def __init__(self, address: Address, context: ActorContext, services: AppContext) -> None:
        super().__init__(address, context)
        self.services = services

    async def handle(self, message: Any) -> Any:
        command: m.Command = message
        match command:
            case m.Change():
                return await self._change(command)
            case m.Cancel():
                return await self._cancel(command)
            case m.FollowPatient():
                return await self._follow(command)
            case _:
                assert_never(command)

    async def _event(self) -> Event:
        event_id = self.address.id
        row = await self.services.store.run(lambda: Event.get_or_none(Event.id == event_id))
        if row is None:
            raise NotFound("There is no such event.", code="event_not_found")
        return row  # type: ignore[no-any-return]

    async def _change(self, c: m.Change) -> None:
        row = await self._event()
        p = c.principal
        if row.organisation_id != p.org_id:
            raise NotFound("There is no such event.", code="event_not_found")
        if row.created_by != p.user_id:
            raise Forbidden(rules.NOT_ORGANISER_CHANGE, code="not_organiser")
        if row.status == "cancelled":
            raise Conflict(rules.CANCELLED, code="conference_cancelled")
        changes = dict(c.changes)
        starts_at = changes.get("starts_at", row.starts_at)
        minutes = changes.get("minutes", row.minutes)
        if row.session_id:
            # The session's name, time and Time Left follow the event (the organiser chairs it).
            await self.services.sessions.update(p, row.session_id, {
                "name": changes.get("title", row.title), "scheduled_at": starts_at.isoformat(),
                "ends_at": (starts_at + dt.timedelta(minutes=minutes)).isoformat()})
        await self.services.store.atomic(record.change_event, self.services.sessions.link_key,
                                         p.org_id, p.user_id, row.id, changes, c.base_url)
        self.services.mailer.wake()

    async def _cancel(self, c: m.Cancel) -> None:
        row = await self._event()
        p = c.principal
        if row.organisation_id != p.org_id:
            raise NotFound("There is no such event.", code="event_not_found")
        if row.created_by != p.user_id and not p.has_role("admin"):
            raise Forbidden(rules.NOT_ORGANISER, code="not_organiser")
        if row.status == "cancelled":
            return
        await self.services.store.atomic(record.cancel_event, self.services.sessions.link_key,
                                         p.org_id, p.user_id, row.id, c.base_url)
        self.services.mailer.wake()
        if row.session_id:
            sessions = self.services.sessions
            try:
                if row.created_by == p.user_id:
                    await sessions.close(p, row.session_id)  # the organiser chairs it
                else:
                    await sessions.end_as_admin(p, row.session_id)
            except (Conflict, Gone):
                pass  # the session had already ended

    async def _follow(self, c: m.FollowPatient) -> dict[str, str]:
        row = await self._event()
        if row.status == "cancelled":
            raise Gone(rules.CANCELLED, code="conference_cancelled")
        if row.session_id is None:
            raise NotFound(rules.LINK_INVALID, code="link_invalid")
        store = self.services.store
        person = await store.run(record.member, row.id, c.member_id)
        sessions = self.services.sessions
        participant_id = person.participant_id
        if participant_id is None:
            participant_id = await sessions.add_guest(row.session_id, person.name)
            await store.atomic(lambda: Member.update(participant_id=participant_id).where(
                Member.id == person.id).execute())
        cookie, _ = await sessions.start_guest(row.session_id, str(participant_id))
        return {"cookie": cookie, "session_id": str(row.session_id)}
