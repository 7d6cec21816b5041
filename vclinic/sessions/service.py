"""SessionService: the session model's front door, ``context.sessions`` on the AppContext.

Owned by the composition root, one per node. Web handlers and other workflows call it; it checks
who is asking, reads and writes rows for what needs no live state (creating a session, listings)
and sends every change to a live session to its SessionActor. It implements
:class:`vclinic.sessions.media.SessionAccess` for the media signalling.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import trio

from vclinic.actors import Address
from vclinic.errors import Forbidden, NotFound, VclinicError
from vclinic.events import SessionCreated
from vclinic.ids import new_id
from vclinic.log import get_logger
from vclinic.notifications.channel import BellChannel
from vclinic.notifications.notice import Notice
from vclinic.notifications.service import Notifications
from vclinic.sessions import creation, directory, link, patient, recording
from vclinic.sessions import message as m
from vclinic.sessions.media import MediaControl, MediaGrant
from vclinic.store import audit

if TYPE_CHECKING:
    from vclinic.accounts import Principal
    from vclinic.actors import Registry, Runtime
    from vclinic.config import Settings
    from vclinic.plugins import PluginHost
    from vclinic.sessions.timer import Timers
    from vclinic.store import Store

log = get_logger("sessions.service")

#: Longest the service waits for a session actor's answer.
CALL_DEADLINE = 15.0


@dataclasses.dataclass(frozen=True)
class SessionRef:
    """What join policies see of a session: ids and settings, no names."""

    id: str
    org_id: str
    workflow: str
    access_level: str
    kind: str = "session"


class SessionService:
    """Creates sessions, lets principals enter and leave them, and answers the media plane."""

    def __init__(self, store: Store, settings: Settings, plugins: PluginHost, runtime: Runtime,
                 timers: Timers, media: MediaControl | None = None,
                 notifications: Notifications | None = None) -> None:
        self.store = store
        #: Sends notices through every enabled channel; without one (tests), the bell only.
        self.notifications = notifications or Notifications([BellChannel(store, runtime.bus)])
        self.settings = settings
        self.plugins = plugins
        self.runtime = runtime
        self.timers = timers
        #: The media plane's control, or None on a node without media.
        self.media = media

    async def call(self, session_id: str, command: Any) -> Any:
        """Send ``command`` to the session's actor and wait for its answer."""
        _check_id(session_id)
        with trio.fail_after(CALL_DEADLINE):
            return await self.runtime.registry.ref(Address("session", session_id)).call(command)

    def send_nowait(self, session_id: str, command: Any) -> None:
        _check_id(session_id)
        self.runtime.registry.ref(Address("session", session_id)).send_nowait(command)

    async def recover(self) -> int:
        """Wake the sessions that had people in them when the node stopped, so that their
        participants' grace periods start; returns how many. Called once at start-up."""
        session_ids = await self.store.run(directory.with_presence)
        for session_id in session_ids:
            await self.runtime.registry.ref(Address("session", session_id)).send(m.Wake())
        return len(session_ids)

    @property
    def link_key(self) -> bytes:
        return link.link_key(self.settings.data_dir)

    # Creating and reading ---------------------------------------------------------------------

    async def create(self, new: creation.NewSession) -> dict[str, Any]:
        """Create a session (the creator is its Session Chair) and notify the people added."""
        session_id, invited = await self.store.atomic(creation.create, self.link_key, new)
        return await self._created(new.org_id, new.creator_id, session_id, invited)

    async def create_from_appointment(self, principal: Principal, appointment_id: str,
                                      access_level: str,
                                      participants: tuple[tuple[str, str], ...] | None,
                                      name: str | None = None) -> dict[str, Any]:
        _practice_only(principal)
        session_id, invited = await self.store.atomic(
            creation.from_appointment, self.link_key, principal.org_id, principal.user_id,
            appointment_id, access_level, participants, name)
        return await self._created(principal.org_id, principal.user_id, session_id, invited)

    async def _created(self, org_id: str, user_id: str, session_id: str,
                       invited: list[tuple[str, str]]) -> dict[str, Any]:
        await self.store.atomic(audit.record, org_id, user_id, "session.created", session_id,
                                *(invitee for invitee, _ in invited))
        body = await self.store.run(directory.detail, org_id, user_id, None, session_id)
        self.plugins.emit(SessionCreated(session_id, org_id, body["session"]["workflow"], user_id))
        for invitee, _ in invited:
            await self.notifications.send(Notice(
                "session.invited", f"Telehealth session: {body['session']['name']}",
                user_id=invitee,
                data={"session_id": session_id, "url": f"/preview?session={session_id}"}))
        body["links"] = await self.store.run(link.links, self.link_key, session_id)
        body["next"] = f"/preview?session={session_id}"
        return body

    async def detail(self, principal: Principal, session_id: str) -> dict[str, Any]:
        guest_pid = _guest_participant(principal, session_id)
        body: dict[str, Any] = await self.store.run(
            directory.detail, principal.org_id, principal.user_id, guest_pid, session_id)
        return body

    async def links(self, principal: Principal, session_id: str) -> dict[str, Any]:
        """The session's links, for the people of the practice who can see it."""
        _practice_only(principal)
        await self.detail(principal, session_id)
        body: dict[str, Any] = await self.store.run(link.links, self.link_key, session_id)
        return body

    async def rotate_link(self, principal: Principal, session_id: str) -> dict[str, Any]:
        """Replace the guest link (the old one stops working); chairs only."""
        await self.require(principal, session_id, "change_settings")
        body: dict[str, Any] = await self.store.atomic(link.rotate, self.link_key, session_id)
        return body

    async def capture(self, principal: Principal, session_id: str, participant_id: str | None,
                      content: bytes, content_type: str) -> dict[str, Any]:
        """Save an image a chair captured to the linked patient's Files."""
        kind = patient.check_image(content, content_type)
        await self.require(principal, session_id, "capture")
        body: dict[str, Any] = await self.store.atomic(
            patient.save_capture, session_id, principal.user_id, participant_id, content, kind)
        return body

    # Links and guests -------------------------------------------------------------------------

    async def join_info(self, token: str) -> dict[str, Any]:
        """What a followed link is for: the session's name and what joining needs."""
        _, session = await self.store.run(link.follow, token)
        return {"session_id": session.id, "session_name": session.name,
                "access_level": session.access_level,
                "display_name_required": session.access_level == "invitation",
                "sign_in_required": session.access_level != "invitation",
                "org_id": session.organisation_id}

    async def join_as_guest(self, token: str, display_name: str) -> tuple[str, dict[str, Any]]:
        """Make the follower of a link a guest of its session; returns the cookie token and
        ``{"session_id", "participant_id", "csrf_token", "next"}``."""
        name = link.check_display_name(display_name)
        _, session = await self.store.run(link.follow, token)
        participant_id = new_id()
        await self.call(session.id, m.AddGuest(participant_id, name))
        cookie, row = await self.store.run(link.start_guest, participant_id, session.id)
        return cookie, {"session_id": session.id, "participant_id": participant_id,
                        "csrf_token": row.csrf_token,
                        "next": f"/preview?session={session.id}"}

    async def audit(self, principal: Any, action: str, *target_ids: str) -> None:
        """Append ``action`` by ``principal`` (a user, or a guest by participant id) to the
        organisation's audit trail; called once the action succeeded."""
        guest = getattr(principal, "guest_session_id", None) is not None
        actor = principal.participant_id if guest else principal.user_id
        await self.store.atomic(audit.record, principal.org_id, actor, action, *target_ids)

    async def add_guest(self, session_id: str, display_name: str) -> str:
        """Add a guest (no user account) to ``session_id``; returns their participant id. The
        guest gets in with :meth:`start_guest` once they are there to take the cookie."""
        participant_id = new_id()
        await self.call(session_id, m.AddGuest(participant_id, display_name))
        return participant_id

    async def start_guest(self, session_id: str, participant_id: str) -> tuple[str, str]:
        """Sign a guest added by :meth:`add_guest` in: returns the ``vclinic_session`` cookie
        token (set it with ``vclinic.api.set_session_cookie``) and the guest's CSRF token."""
        cookie, row = await self.store.atomic(link.start_guest, participant_id, session_id)
        return cookie, str(row.csrf_token)

    # Live participation -----------------------------------------------------------------------

    async def enter(self, principal: Principal, session_id: str, connection_id: str,
                    consent_recording: bool | None = None) -> dict[str, Any]:
        """Enter ``session_id`` live; the join policies of plugins are asked first."""
        guest_pid = _guest_participant(principal, session_id)
        ref = await self.store.run(directory.session_ref, session_id)
        if ref is None:
            raise NotFound("There is no such session.", code="session_not_found")
        session_ref = SessionRef(**ref)
        decision = await self.plugins.join_policy(session_ref, principal)
        if decision is not None and not decision.allowed:
            raise Forbidden(decision.message or "You may not join this session.",
                            code=decision.code or "join_refused")
        reply: dict[str, Any] = await self.call(session_id, m.Enter(
            connection_id=connection_id, org_id=None if guest_pid else principal.org_id,
            user_id=None if guest_pid else principal.user_id, guest_participant_id=guest_pid,
            display_name=principal.name, new_participant_id=new_id(),
            consent_recording=consent_recording,
            station=principal.is_station))
        participant = str((reply.get("you") or {}).get("id") or guest_pid or "")
        targets = (session_id, participant) if participant else (session_id,)
        await self.audit(principal, "session.joined", *targets)
        if consent_recording is not None:
            await self.audit(principal, "consent.recording_given" if consent_recording
                             else "consent.recording_declined", *targets)
        page = await self.plugins.call_page(session_ref, principal)
        if page is not None:
            reply["call_page"] = page.as_json()
        return reply

    async def leave(self, principal: Principal, session_id: str, participant_id: str,
                    connection_id: str) -> None:
        await self.call(session_id, m.Leave(connection_id, participant_id))

    def disconnected(self, session_id: str, participant_id: str, connection_id: str) -> None:
        """A connection that had entered closed (called from the gateway's close hook)."""
        self.send_nowait(session_id, m.Disconnect(connection_id, participant_id))

    async def media_grant(self, session_id: str, principal: Any) -> MediaGrant:
        """:meth:`SessionAccess.media_grant`: what ``principal`` may do on the media."""
        guest_pid = _guest_participant(principal, session_id, code="not_in_session")
        try:
            grant: MediaGrant = await self.call(session_id, m.GrantMedia(
                None if guest_pid else principal.user_id, guest_pid))
        except NotFound:
            raise Forbidden("Enter the session first.", code="not_in_session") from None
        return grant

    async def require(self, principal: Principal, session_id: str, ability: str) -> str:
        """The caller's participant id if their role has ``ability``; Forbidden otherwise."""
        guest_pid = _guest_participant(principal, session_id)
        if guest_pid is not None:
            raise Forbidden("Only a Session Chair can do this.", code="not_chair")
        pid: str = await self.call(session_id, m.CheckAbility(principal.user_id, ability))
        return pid

    # Changes by a chair -----------------------------------------------------------------------

    async def add_participants(self, principal: Principal, session_id: str,
                               people: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """Put practice users (``(user_id, role)``) on the list; they are notified."""
        _practice_only(principal)
        names = await self.store.run(directory.org_user_names, principal.org_id,
                                     [u for u, _ in people])
        invitees = tuple(m.Invitee(u, names[u], role, new_participant_id=new_id())
                         for u, role in people)
        reply: dict[str, Any] = await self.call(
            session_id, m.AddParticipants(principal.user_id, invitees))
        await self.audit(principal, "access.granted", session_id, *(u for u, _ in people))
        return reply

    async def change_role(self, principal: Principal, session_id: str, participant_id: str,
                          role: str) -> dict[str, Any]:
        _practice_only(principal)
        reply: dict[str, Any] = await self.call(
            session_id, m.ChangeRole(principal.user_id, participant_id, role))
        await self.audit(principal, "role.changed", session_id, participant_id)
        return reply

    async def remove_participant(self, principal: Principal, session_id: str,
                                 participant_id: str) -> None:
        _practice_only(principal)
        await self.call(session_id, m.RemoveParticipant(principal.user_id, participant_id))
        await self.audit(principal, "access.revoked", session_id, participant_id)

    async def remove_guest(self, session_id: str, participant_id: str, reason: str,
                           message: str) -> None:
        """A workflow removes its guest ``participant_id`` (no chair acts; e.g. the guest's link
        stopped working): they leave the call and cannot enter again as that participant. Their
        call page shows ``message`` (no patient data); ``reason`` is a code."""
        await self.call(session_id, m.RemoveGuest(participant_id, reason, message))

    async def update(self, principal: Principal, session_id: str, changes: dict[str, Any],
                     roster: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
        """Change settings and, given ``roster`` (``(user_id, role)``), make it the
        Participants from Your Practice list; all of it applies, or none."""
        _practice_only(principal)
        # Times may come as aware datetimes (plugins) or ISO strings (the API): stored as ISO.
        changes = {key: value.isoformat() if isinstance(value, dt.datetime)
                   and value.tzinfo is not None else value for key, value in changes.items()}
        if changes.get("patient_id"):
            await self.store.run(directory.check_patient, principal.org_id,
                                 changes["patient_id"])
        invitees = None
        if roster is not None:
            # A requester station already on the list (a Virtual Clinic session's) comes back
            # with the rest of the list; the state lets it stay only as it is.
            users = await self.store.run(directory.roster_users, principal.org_id,
                                         [u for u, _ in roster])
            invitees = tuple(m.Invitee(u, users[u][0], role, station=users[u][1],
                                       new_participant_id=new_id())
                             for u, role in roster)
        reply: dict[str, Any] = await self.call(session_id, m.UpdateSettings(
            principal.user_id, tuple(sorted(changes.items())), invitees))
        return reply

    async def close(self, principal: Principal, session_id: str) -> dict[str, Any]:
        _practice_only(principal)
        reply: dict[str, Any] = await self.call(session_id, m.Close(principal.user_id))
        return reply

    async def end_as_admin(self, principal: Principal, session_id: str) -> dict[str, Any]:
        """End for Everyone from the admin pages: an admin closes any open session of their
        organisation, on it or not; audited with the closing write."""
        if not principal.has_role("admin") or principal.is_guest:
            raise Forbidden("Your account does not have permission to do this.")
        ref = await self.store.run(directory.session_ref, session_id)
        if ref is None or ref["org_id"] != principal.org_id:
            raise NotFound("There is no such session.", code="session_not_found")
        # The actor writes the closed session and its audit event in one transaction.
        reply: dict[str, Any] = await self.call(session_id, m.Close(principal.user_id,
                                                                    as_admin=True))
        return reply

    async def in_progress(self, principal: Principal) -> list[dict[str, Any]]:
        """The organisation's open sessions for its admins (names only of their own)."""
        if not principal.has_role("admin") or principal.is_guest:
            raise Forbidden("Your account does not have permission to do this.")
        rows: list[dict[str, Any]] = await self.store.run(directory.in_progress,
                                                          principal.org_id, principal.user_id)
        return rows


    # Recording --------------------------------------------------------------------------------

    async def start_recording(self, principal: Principal, session_id: str) -> dict[str, Any]:
        """Start recording the session's consenting participants (chairs)."""
        _practice_only(principal)
        reply: dict[str, Any] = await self.call(session_id, m.StartRecording(principal.user_id))
        await self.audit(principal, "recording.started", session_id)
        return reply

    async def stop_recording(self, principal: Principal, session_id: str) -> dict[str, Any]:
        """Stop the recording (chairs); the stored recording."""
        _practice_only(principal)
        reply: dict[str, Any] = await self.call(session_id, m.StopRecording(principal.user_id))
        await self.audit(principal, "recording.stopped", session_id)
        return reply

    async def recordings(self, principal: Principal, session_id: str) -> list[dict[str, Any]]:
        _practice_only(principal)
        rows: list[dict[str, Any]] = await self.store.run(
            recording.listing, principal.org_id, principal.user_id,
            principal.has_role("admin"), session_id)
        return rows

    async def recording_file(self, principal: Principal, session_id: str, recording_id: str,
                             file_id: str) -> tuple[str, str]:
        """The path and download name of a recording file, for those allowed."""
        _practice_only(principal)
        found: tuple[str, str] = await self.store.run(
            recording.file_path, principal.org_id, principal.user_id,
            principal.has_role("admin"), self.settings.data_dir, session_id, recording_id,
            file_id)
        await self.audit(principal, "recording.downloaded", session_id, recording_id, file_id)
        return found

    def recording_lost(self, session_id: str) -> None:
        """The media worker recording ``session_id`` died (called by the media plane)."""
        recording_lost(self.runtime.registry, session_id)

    async def stop_recordings(self, reason: str = "node_shutdown") -> int:
        """Stop every recording this node's session actors run (at shutdown, before the media
        workers exit), so that each is stored complete; returns how many."""
        stopped = 0
        for session_id in await self.store.run(recording.recording_sessions):
            if self.runtime.registry.actor_statistics(Address("session", session_id)) is None:
                continue  # not live on this node
            try:
                await self.call(session_id, m.StopRecording(None, reason))
                stopped += 1
            except (VclinicError, trio.TooSlowError) as exc:
                log.warning("recording_not_stopped", session_id=session_id,
                            error=type(exc).__name__)
        return stopped


def recording_lost(registry: Registry, session_id: str) -> None:
    """Tell the session actor of ``session_id`` that the media worker recording it died.

    A function of the registry, not of the service, so that the composition root hands it to
    the media plane before the session service (which needs the media plane) exists.
    """
    registry.ref(Address("session", session_id)).send_nowait(m.RecordingLost())


def _guest_participant(principal: Any, session_id: str, code: str = "forbidden"
                       ) -> str | None:
    """A guest's participant id, refusing guests of another session; None for users."""
    bound = getattr(principal, "guest_session_id", None)
    if bound is None:
        return None
    if bound != session_id:
        raise Forbidden("Your link is for another session.", code=code)
    pid: str = principal.participant_id
    return pid


def _practice_only(principal: Any) -> None:
    if getattr(principal, "guest_session_id", None) is not None:
        raise Forbidden("Only a Session Chair can do this.", code="not_chair")


#: What a session id can look like (ids are URL-safe random strings; demo ids are plain words).
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _check_id(session_id: str) -> None:
    """Refuse an id no session can have before it wakes an actor or reaches a log line."""
    if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
        raise NotFound("There is no such session.", code="session_not_found")
