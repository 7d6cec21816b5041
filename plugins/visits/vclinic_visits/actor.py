"""VisitActor: one per visit (``visit:<visit id>``), the only writer of its visit row.

It serialises what happens to one visit (invites, reschedules, clock in and out, joining,
ending), so two clicks on "Send invite to client" never create two sessions. It keeps no state
in memory: every message reads the row, so a restart loses nothing. Mailbox: 64 messages;
callers wait when it is full. After each stored change it emits one :mod:`events` event.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, assert_never

from vclinic.api import (
    Actor,
    ActorContext,
    Address,
    AppContext,
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    NewSession,
    NotFound,
    Principal,
    User,
    VclinicError,
    audit,
    enqueue_email,
    get_logger,
    token_hash,
)
from vclinic_visits import events as e
from vclinic_visits import message as m
from vclinic_visits import record, rules
from vclinic_visits.model import (
    Client,
    ServiceCode,
    TimeRecord,
    Visit,
    VisitInvite,
    VisitSession,
)

KIND = "visit"
MAILBOX = 64

log = get_logger(__name__)


@dataclass(frozen=True)
class VisitKind:
    """The actor kind the plugin registers."""

    factory: Any
    kind: str = KIND
    mailbox_size: int = MAILBOX
    restart: str = "transient"
    intensity: int = 5
    period: float = 60.0


def invite_token(key: bytes, visit_id: str, generation: int) -> str:
    digest = hmac.new(key, f"vclinic-visit-invite:{visit_id}:{generation}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class VisitActor(Actor):
    def __init__(self, address: Address, context: ActorContext, services: AppContext) -> None:
        super().__init__(address, context)
        self.services = services

    async def handle(self, message: Any) -> Any:
        command: m.Command = message
        match command:
            case m.Invite():
                return await self._invite(command)
            case m.Change():
                return await self._change(command)
            case m.Cancel():
                return await self._cancel(command)
            case m.ClockIn():
                return await self._clock_in(command)
            case m.ClockOut():
                return await self._clock_out(command)
            case m.Join():
                return await self._join(command)
            case m.End():
                return await self._end(command)
            case m.Follow():
                return await self._follow(command)
            case _:
                assert_never(command)

    async def _visit(self, org_id: str | None = None) -> Visit:
        visit_id = self.address.id
        row = await self.services.store.run(
            lambda: Visit.get_or_none(Visit.id == visit_id))
        if row is None or (org_id is not None and row.organisation_id != org_id):
            raise NotFound("There is no such visit.", code="visit_not_found")
        return row  # type: ignore[no-any-return]

    async def _body(self, visit: Visit) -> dict[str, Any]:
        now = self.services.clock.now()
        return await self.services.store.run(record.visit_body, visit, now)  # type: ignore[no-any-return]

    def _open_for_video(self, visit: Visit, employee: bool = True) -> None:
        """Refuse when the visit can have no video session now (the seed's rules)."""
        if visit.status == "cancelled":
            raise Gone(rules.CANCELLED, code="visit_cancelled")
        if visit.session_ended_at is not None:
            raise Gone(rules.SESSION_OVER if employee else rules.CLIENT_SESSION_OVER,
                       code="session_over")
        if not rules.link_open(visit.ends_at, self.services.clock.now()):
            raise Gone(rules.LINK_EXPIRED if employee else rules.CLIENT_LINK_EXPIRED,
                       code="link_expired")

    # Invites ------------------------------------------------------------------------------

    async def _invite(self, c: m.Invite) -> dict[str, Any]:
        visit = await self._visit(c.principal.org_id)
        if visit.employee_id != c.principal.user_id:
            raise Forbidden(rules.NOT_ASSIGNED, code="not_assigned")
        store = self.services.store
        client, code = await store.run(lambda: (Client.get_by_id(visit.client_id),
                                                ServiceCode.get_by_id(visit.service_code_id)))
        if not code.allows_virtual:
            raise Conflict(rules.NOT_VIRTUAL, code="not_virtual")
        if c.email and not client.email:
            raise Conflict(rules.NO_EMAIL, code="no_email")
        self._open_for_video(visit)
        if visit.session_id is None:
            created = await self.services.sessions.create(NewSession(
                org_id=visit.organisation_id, creator_id=visit.employee_id,
                name="Virtual visit", access_level="invitation", workflow="visits"))
            session_id = created["session"]["id"]

            def attach() -> None:
                VisitSession.create(session_id=session_id, visit_id=visit.id)
                Visit.update(session_id=session_id).where(Visit.id == visit.id).execute()

            await store.atomic(attach)
            visit.session_id = session_id
        token = invite_token(self.services.sessions.link_key, visit.id, visit.invite_generation)
        link = f"{c.base_url.rstrip('/')}/visits/join/{token}"
        sent_at = self.services.clock.now()

        def save() -> None:
            VisitInvite.insert(token_hash=token_hash(token), visit_id=visit.id,
                               generation=visit.invite_generation).on_conflict_ignore().execute()
            if not c.email:
                audit.record(visit.organisation_id, c.principal.user_id,
                             "visits.invite_link_copied", visit.id)
                return
            employee = User.get_by_id(visit.employee_id)
            zone = record.org_timezone(visit.organisation_id)
            subject, body = _email(client, employee.name, visit, link, zone)
            enqueue_email(str(client.email), subject, body, kind="visits.invite")
            Visit.update(last_invite_at=sent_at, time_changed=False).where(
                Visit.id == visit.id).execute()
            audit.record(visit.organisation_id, c.principal.user_id, "visits.invite_sent",
                         visit.id)

        await store.atomic(save)
        if c.email:
            self.services.mailer.wake()
        self.services.plugins.emit(e.InviteSent(visit.organisation_id, visit.id,
                                                c.principal.user_id, visit.session_id, c.email))
        fresh = await self._visit()
        return {"link": link, "visit": await self._body(fresh)}

    async def _follow(self, c: m.Follow) -> dict[str, Any]:
        visit = await self._visit()
        self._open_for_video(visit, employee=False)
        if c.generation != visit.invite_generation:
            raise Gone(rules.LINK_REPLACED, code="link_replaced")
        if visit.session_id is None:  # an invite always made one; a detached visit has none
            raise Gone(rules.LINK_REPLACED, code="link_replaced")
        if not c.as_guest:
            return {"cookie": None, "session_id": visit.session_id, "participant_id": None}
        sessions = self.services.sessions
        participant_id = visit.client_participant_id
        if participant_id is None:
            client = await self.services.store.run(Client.get_by_id, visit.client_id)
            participant_id = await sessions.add_guest(
                visit.session_id, f"{client.first_name} {client.last_name}")
            await self.services.store.atomic(
                lambda: Visit.update(client_participant_id=participant_id).where(
                    Visit.id == visit.id).execute())
        cookie, _ = await sessions.start_guest(visit.session_id, participant_id)
        return {"cookie": cookie, "session_id": visit.session_id,
                "participant_id": participant_id}

    # Changes by an admin ------------------------------------------------------------------

    async def _change(self, c: m.Change) -> dict[str, Any]:
        visit = await self._visit(c.principal.org_id)
        if visit.status == "cancelled":
            raise Gone(rules.CANCELLED, code="visit_cancelled")
        starts_at = c.starts_at or visit.starts_at
        ends_at = c.ends_at or visit.ends_at
        retimed = (starts_at, ends_at) != (visit.starts_at, visit.ends_at)
        reassigned = c.employee_id is not None and c.employee_id != visit.employee_id
        org_id = visit.organisation_id

        def save() -> None:
            problem = rules.check_times(starts_at, ends_at)
            if problem is not None:
                raise BadRequest(problem, code="invalid_times")
            if reassigned:
                assert c.employee_id is not None
                record.check_employee(org_id, c.employee_id)
            changes: dict[Any, Any] = {Visit.starts_at: starts_at, Visit.ends_at: ends_at}
            if retimed or reassigned:
                # Older links and the client's guest stop working; the employee resends.
                changes[Visit.invite_generation] = visit.invite_generation + 1
                changes[Visit.client_participant_id] = None
                changes[Visit.time_changed] = retimed and visit.last_invite_at is not None
            if reassigned:
                changes[Visit.employee_id] = c.employee_id
                # The session's chair was the former employee: the next invite opens a new one.
                changes[Visit.session_id] = None
            Visit.update(changes).where(Visit.id == visit.id).execute()
            audit.record(org_id, c.principal.user_id,
                         "visits.visit_rescheduled" if retimed else "visits.visit_changed",
                         visit.id)

        await self.services.store.atomic(save)
        guest = visit.client_participant_id
        if (retimed or reassigned) and guest and visit.session_id and not visit.session_ended_at:
            # The old link stopped working: a client still in the call with it is removed and
            # told why; the employee resends (they are told below).
            try:
                await self.services.sessions.remove_guest(
                    visit.session_id, guest, "link_replaced", rules.REMOVED_AFTER_CHANGE)
            except VclinicError as exc:  # the session or the guest is already gone
                log.info("visits.guest_not_removed", visit_id=visit.id, code=exc.code)
        if retimed or reassigned:
            self.services.plugins.emit(e.VisitChanged(
                org_id, visit.id, c.principal.user_id, retimed, c.employee_id or visit.employee_id))
        fresh = await self._visit()
        body = await self._body(fresh)
        told = None
        if retimed and visit.last_invite_at is not None:
            told = rules.RESEND_AFTER_CHANGE
            # The employee who must resend is told at once, with the visit to open.
            await self.services.notify(fresh.employee_id, "visits.resend_needed",
                                       rules.RESEND_AFTER_CHANGE,
                                       {"visit_id": visit.id, "url": "/dashboard"})
        return {"visit": body, "message": told}

    async def _cancel(self, c: m.Cancel) -> dict[str, Any]:
        visit = await self._visit(c.principal.org_id)

        def save() -> None:
            Visit.update(status="cancelled", invite_generation=visit.invite_generation + 1,
                         client_participant_id=None).where(Visit.id == visit.id).execute()
            audit.record(visit.organisation_id, c.principal.user_id, "visits.visit_cancelled",
                         visit.id)

        await self.services.store.atomic(save)
        if visit.session_id is not None and visit.session_ended_at is None:
            # Whoever is still in the visit's call leaves it: the visit is off.
            await self.services.sessions.end_as_admin(c.principal, visit.session_id)
        self.services.plugins.emit(e.VisitCancelled(visit.organisation_id, visit.id,
                                                    c.principal.user_id))
        return {"visit": await self._body(await self._visit())}

    # Clock in and out, joining and ending -------------------------------------------------

    def _assigned(self, visit: Visit, principal: Principal) -> None:
        if visit.employee_id != principal.user_id:
            raise Forbidden("Only the employee assigned to the visit can do this.",
                            code="not_assigned")

    async def _clock_in(self, c: m.ClockIn) -> dict[str, Any]:
        visit = await self._visit(c.principal.org_id)
        self._assigned(visit, c.principal)
        if visit.status == "cancelled":
            raise Gone(rules.CANCELLED, code="visit_cancelled")

        def save() -> None:
            if TimeRecord.get_or_none(TimeRecord.visit_id == visit.id) is not None:
                raise Conflict("You have already clocked in to this visit.",
                               code="already_clocked_in")
            TimeRecord.create(visit_id=visit.id, employee_id=visit.employee_id,
                              clock_in_at=self.services.clock.now())
            audit.record(visit.organisation_id, c.principal.user_id, "visits.clocked_in",
                         visit.id)

        await self.services.store.atomic(save)
        self.services.plugins.emit(e.ClockedIn(visit.organisation_id, visit.id,
                                               c.principal.user_id))
        return {"visit": await self._body(visit)}

    async def _clock_out(self, c: m.ClockOut) -> dict[str, Any]:
        visit = await self._visit(c.principal.org_id)
        self._assigned(visit, c.principal)
        if not await self.services.store.run(record.clocked_in, visit.id, visit.employee_id):
            raise Conflict("You are not clocked in to this visit.", code="not_clocked_in")
        active = visit.session_id is not None and visit.session_ended_at is None
        if active and not c.confirm:
            raise Conflict(rules.STILL_ACTIVE, code="session_still_active")
        if active:
            await self._close_session(visit, c.principal, "clock_out")

        def save() -> None:
            TimeRecord.update(clock_out_at=self.services.clock.now()).where(
                TimeRecord.visit_id == visit.id).execute()
            audit.record(visit.organisation_id, c.principal.user_id, "visits.clocked_out",
                         visit.id)

        await self.services.store.atomic(save)
        self.services.plugins.emit(e.ClockedOut(visit.organisation_id, visit.id,
                                                c.principal.user_id))
        return {"visit": await self._body(await self._visit())}

    async def _join(self, c: m.Join) -> dict[str, Any]:
        visit = await self._visit(c.principal.org_id)
        self._assigned(visit, c.principal)
        self._open_for_video(visit)
        if not await self.services.store.run(record.clocked_in, visit.id, visit.employee_id):
            raise Forbidden(rules.CLOCK_IN_FIRST, code="not_clocked_in")
        if visit.session_id is None:
            raise Conflict("Send or copy the invite to the client first: that creates the "
                           "virtual session.", code="no_session")
        return {"session_id": visit.session_id,
                "next": f"/preview?session={visit.session_id}",
                "visit": await self._body(visit)}

    async def _end(self, c: m.End) -> dict[str, Any]:
        visit = await self._visit(c.principal.org_id)
        self._assigned(visit, c.principal)
        if visit.session_id is None or visit.session_ended_at is not None:
            raise Conflict("There is no active virtual session for this visit.",
                           code="no_active_session")
        await self._close_session(visit, c.principal, "hang_up")
        return {"message": rules.HUNG_UP,
                "visit": await self._body(await self._visit())}

    async def _close_session(self, visit: Visit, principal: Principal, reason: str) -> None:
        assert visit.session_id is not None
        session_id = visit.session_id
        await self.services.sessions.close(principal, session_id)

        ended_at = self.services.clock.now()

        def save() -> None:
            Visit.update(session_ended_at=ended_at).where(Visit.id == visit.id).execute()
            audit.record(visit.organisation_id, principal.user_id, "visits.session_ended",
                         visit.id, session_id)

        await self.services.store.atomic(save)
        self.services.plugins.emit(e.SessionEnded(visit.organisation_id, visit.id,
                                                  principal.user_id, session_id, reason))


def _email(client: Client, employee_name: str, visit: Visit, link: str,
           zone: str | None) -> tuple[str, str]:
    """The invite email to the client (to the client only: it may name them), with the
    visit's times in the organisation's time zone ``zone`` (UTC when none is set)."""
    when = rules.visit_times(visit.starts_at, visit.ends_at, zone)
    changed = visit.time_changed
    subject = "The time of your virtual visit changed" if changed else "Your virtual visit"
    lines = [f"Hello {client.first_name},", ""]
    if changed:
        lines += ["The time of your visit has changed. The link you were sent before no longer "
                  "works; use this one.", ""]
    lines += [f"{employee_name} will see you by video on {when}.", "",
              "Join the video call with this link:", link, "",
              "The link works until 15 minutes after the end of the visit."]
    return subject, "\n".join(lines)
