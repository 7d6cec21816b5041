"""Read views of sessions for the API: the caller's sessions, one session, providers to add.

Synchronous peewee functions, run through ``store.run``. They return JSON-ready dicts that
never carry an email or a patient's name.
"""

from __future__ import annotations

from typing import Any

from vclinic.errors import BadRequest, Forbidden, NotFound
from vclinic.sessions.model import Participant, Patient, TelehealthSession
from vclinic.sessions.role import permissions_dict
from vclinic.store import User, UserRole
from vclinic.store.cursor import (
    DEFAULT_LIMIT,
    Page,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)

MAX_INVITEES = 50


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def session_body(row: TelehealthSession) -> dict[str, Any]:
    """The JSON shape of a session (the same keys as SessionState's ``Info.public``)."""
    return {"id": row.id, "name": row.name, "access_level": row.access_level,
            "status": row.status, "scheduled_at": _iso(row.scheduled_at),
            "ends_at": _iso(row.ends_at), "patient_linked": row.patient_id is not None,
            "workflow": row.workflow, "created_at": _iso(row.created_at),
            "closed_at": _iso(row.closed_at)}


def participant_body(row: Participant) -> dict[str, Any]:
    return {"id": row.id, "display_name": row.display_name, "role": row.role,
            "kind": row.kind, "listed": bool(row.listed), "state": row.state,
            "user_id": row.user_id}


def session_ref(session_id: str) -> dict[str, Any] | None:
    row = TelehealthSession.get_or_none(TelehealthSession.id == session_id)
    if row is None:
        return None
    return {"id": row.id, "org_id": row.organisation_id, "workflow": row.workflow,
            "access_level": row.access_level}


def with_presence() -> list[str]:
    """Open sessions with participants recorded as connected or reconnecting."""
    rows = (Participant.select(Participant.session).distinct()
            .join(TelehealthSession)
            .where(Participant.state.in_(["connected", "reconnecting"]),
                   TelehealthSession.status == "open"))
    return [r.session_id for r in rows]


def _colleagues(org_id: str, user_ids: list[str], stations: bool) -> list[User]:
    """Active users of ``org_id``; BadRequest naming none of them if one is unknown, inactive,
    of another organisation or (unless ``stations``) a requester station."""
    if len(user_ids) > MAX_INVITEES or len(set(user_ids)) != len(user_ids):
        raise BadRequest(f"Add at most {MAX_INVITEES} different people at once.")
    rows = User.select(User.id, User.name, User.is_station).where(
        User.id.in_(user_ids), User.organisation == org_id, User.is_active)
    if not stations:
        rows = rows.where(~User.is_station)
    found = list(rows)
    if len(found) != len(user_ids):
        raise BadRequest("One of the people is not a colleague at your practice.",
                         code="unknown_user")
    return found


def org_user_names(org_id: str, user_ids: list[str], stations: bool = False
                   ) -> dict[str, str]:
    """Names of active practice users of ``org_id`` (see :func:`_colleagues`)."""
    return {u.id: u.name for u in _colleagues(org_id, user_ids, stations)}


def roster_users(org_id: str, user_ids: list[str]) -> dict[str, tuple[str, bool]]:
    """For a Participants from Your Practice list: each user's name and whether it is a
    requester station (a Virtual Clinic session lists one), in one query."""
    return {u.id: (u.name, u.is_station) for u in _colleagues(org_id, user_ids, True)}


def station_ids(org_id: str, user_ids: list[str]) -> set[str]:
    """Which of ``user_ids`` are requester stations of ``org_id``."""
    if not user_ids:
        return set()
    rows = User.select(User.id).where(User.id.in_(user_ids), User.organisation == org_id,
                                      User.is_station)
    return {u.id for u in rows}


def check_patient(org_id: str, patient_id: str) -> None:
    if not Patient.select().where(Patient.id == patient_id,
                                  Patient.organisation == org_id).exists():
        raise BadRequest("There is no such patient at your practice.", code="unknown_patient")


def listing(org_id: str, user_id: str, status: str, limit: int = DEFAULT_LIMIT,
            cursor: str | None = None) -> Page:
    """Sessions the user created or is listed on (Provider → Telehealth), newest first, one
    page of at most ``limit`` after ``cursor`` (:mod:`vclinic.store.cursor`)."""
    listed = (Participant.select(Participant.session)
              .where(Participant.user == user_id, Participant.listed, ~Participant.removed))
    query = TelehealthSession.select().where(
        TelehealthSession.organisation == org_id,
        (TelehealthSession.created_by == user_id) | TelehealthSession.id.in_(listed))
    if status != "all":
        query = query.where(TelehealthSession.status == status)
    total = query.count()
    if cursor is not None:
        last = query.where(TelehealthSession.id == decode_cursor(cursor)).first()
        if last is None:
            raise invalid_cursor()
        query = query.where((TelehealthSession.created_at < last.created_at) | (
            (TelehealthSession.created_at == last.created_at)
            & (TelehealthSession.id < last.id)))
    rows = list(query.order_by(TelehealthSession.created_at.desc(), TelehealthSession.id.desc())
                .limit(limit + 1))
    more, rows = len(rows) > limit, rows[:limit]
    roles = {p.session_id: p.role for p in Participant.select().where(
        Participant.user == user_id, Participant.session.in_([r.id for r in rows]))}
    return Page(
        items=[{**session_body(r), "your_role": roles.get(r.id)} for r in rows],
        next_cursor=encode_cursor(rows[-1].id) if more else None,
        total=total)


def in_progress(org_id: str, user_id: str, limit: int = 500) -> list[dict[str, Any]]:
    """The organisation's open sessions for its admin ``user_id``, oldest first: id, workflow,
    access level, start, and how many participants are listed and present. A session's name
    may carry a patient's, and being an admin does not entitle one to it: ``name`` is given only
    for sessions the admin created or is on (None otherwise)."""
    rows = list(TelehealthSession.select().where(
        TelehealthSession.organisation == org_id, TelehealthSession.status == "open")
        .order_by(TelehealthSession.created_at).limit(limit))
    counts: dict[str, list[int]] = {r.id: [0, 0] for r in rows}
    on_it = {r.id for r in rows if r.created_by_id == user_id}
    people = Participant.select(Participant.session, Participant.state, Participant.user).where(
        Participant.session.in_(list(counts)), ~Participant.removed)
    for p in people:
        counts[p.session_id][0] += 1
        if p.state in ("connected", "reconnecting"):
            counts[p.session_id][1] += 1
        if p.user_id == user_id:
            on_it.add(p.session_id)
    return [{"id": r.id, "name": r.name if r.id in on_it else None, "workflow": r.workflow,
             "access_level": r.access_level, "started_at": _iso(r.created_at),
             "scheduled_at": _iso(r.scheduled_at), "participants": counts[r.id][0],
             "present": counts[r.id][1]} for r in rows]


def detail(org_id: str | None, user_id: str | None, guest_participant_id: str | None,
           session_id: str) -> dict[str, Any]:
    """One session as the caller may see it; NotFound for sessions they may not see."""
    row = TelehealthSession.get_or_none(TelehealthSession.id == session_id)
    if row is None:
        raise NotFound("There is no such session.", code="session_not_found")
    if guest_participant_id is not None:
        me = Participant.get_or_none(Participant.id == guest_participant_id)
        return {"session": {k: v for k, v in session_body(row).items()
                            if k in ("id", "name", "status", "access_level", "ends_at")},
                "you": _you(me)}
    if row.organisation_id != org_id:
        raise NotFound("There is no such session.", code="session_not_found")
    me = Participant.get_or_none(Participant.session == session_id, Participant.user == user_id)
    if row.access_level == "private" and (me is None or not me.listed or me.removed) \
            and row.created_by_id != user_id:
        raise Forbidden("This is a private session: only people on its participant list can "
                        "see it.", code="not_invited")
    people = list(Participant.select().where(Participant.session == session_id,
                                             ~Participant.removed)
                  .order_by(Participant.created_at))
    body = session_body(row)
    body["patient_id"] = row.patient_id
    # Requester stations are listed but are not colleagues: the settings form keeps them as
    # they are instead of offering to change them.
    stations = station_ids(row.organisation_id, [p.user_id for p in people if p.user_id])
    return {"session": body, "you": _you(me),
            "participants": [{**participant_body(p), "station": p.user_id in stations}
                             for p in people]}


def _you(me: Participant | None) -> dict[str, Any] | None:
    if me is None or me.removed:
        return None
    return {**participant_body(me), "permissions": permissions_dict(me.role)}


def providers(org_id: str, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Search Providers: active providers and staff of the organisation whose name matches."""
    practice = UserRole.select(UserRole.user).where(UserRole.role.in_(["provider", "staff",
                                                                       "admin"]))
    rows = User.select(User.id, User.name).where(
        User.organisation == org_id, User.is_active, ~User.is_station, User.id.in_(practice))
    if query:
        rows = rows.where(User.name.contains(query))
    return [{"id": u.id, "name": u.name} for u in rows.order_by(User.name).limit(limit)]
