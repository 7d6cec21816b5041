"""Session recordings in the store: the row a recording starts with, what it holds once it stops,
who may list and download it, and reading what a dead media worker left behind.

Synchronous functions run through the store (``store.run`` / ``store.atomic``) or, for probing
files, a worker thread. Files live under ``<data_dir>/recordings/<session id>/<recording id>/``;
rows hold paths relative to ``data_dir``, and the API names files only by random ids.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from vclinic.errors import Forbidden, NotFound
from vclinic.log import get_logger
from vclinic.sessions.model import (
    Participant,
    RecordingFile,
    SessionRecording,
    TelehealthSession,
)
from vclinic.store.field import iso, utcnow

log = get_logger("sessions.recording")

CONTENT_TYPE = "video/webm"


@dataclass
class Active:
    """The recording running in a session, as the SessionState holds it."""

    id: str
    directory: str
    started_at: str
    started_by_name: str

    def public(self) -> dict[str, Any]:
        return {"state": "recording", "recording_id": self.id, "started_at": self.started_at,
                "started_by": self.started_by_name}


def directory_for(session_id: str, recording_id: str) -> str:
    """Where a recording's files go, relative to ``data_dir``."""
    return os.path.join("recordings", session_id, recording_id)


def begin(recording_id: str, session_id: str, participant_id: str, name: str,
          directory: str) -> Active:
    """Insert the row of a recording that is starting."""
    row = SessionRecording.create(id=recording_id, session=session_id, status="recording",
                                  directory=directory, started_by=participant_id,
                                  started_by_name=name, participants=[])
    return Active(row.id, directory, row.started_at.isoformat(), name)


def discard(recording_id: str) -> None:
    """Forget a recording that never started (the media plane refused it)."""
    SessionRecording.delete().where(SessionRecording.id == recording_id).execute()


def active(session_id: str) -> Active | None:
    """The session's running recording, if its row says one runs."""
    row = (SessionRecording.select().where(SessionRecording.session == session_id,
                                           SessionRecording.status == "recording")
           .order_by(SessionRecording.started_at.desc()).first())
    if row is None:
        return None
    return Active(row.id, row.directory, row.started_at.isoformat(), row.started_by_name)


def recording_sessions() -> list[str]:
    """Sessions whose rows say a recording runs."""
    rows = SessionRecording.select(SessionRecording.session).where(
        SessionRecording.status == "recording")
    return sorted({r.session_id for r in rows})


@dataclass(frozen=True)
class Written:
    """One file the media worker wrote: whose (participant id) and how long."""

    participant_id: str
    path: str
    duration: float | None


def from_worker(data: dict[str, Any]) -> list[Written]:
    """The files of a media worker's ``stop_recording`` answer."""
    return [Written(str(f["handle"]), str(f["path"]), f.get("duration"))
            for f in data.get("files", [])]


def left_behind(data_dir: str, directory: str) -> list[Written]:
    """The files an interrupted recording left in its directory (named ``<participant>-<t>.webm``
    by the worker), with the duration each can still be read for. Run in a thread."""
    folder = Path(data_dir) / directory
    found = []
    for path in sorted(folder.glob("*.webm")) if folder.is_dir() else []:
        if path.stat().st_size == 0:
            continue
        found.append(Written(path.name.rsplit("-", 1)[0], str(path), probe_duration(str(path))))
    return found


def probe_duration(path: str) -> float | None:
    """Seconds of media in a WebM, also one whose writer died before finishing it."""
    end = 0.0
    try:
        with av.open(path) as container:
            for packet in container.demux():
                if packet.pts is not None and packet.time_base is not None:
                    end = max(end, float((packet.pts + (packet.duration or 0))
                                         * packet.time_base))
    except (av.FFmpegError, OSError, ValueError):
        log.warning("recording_unreadable", file=os.path.basename(path))
    return round(end, 3) if end else None


def finish(recording_id: str, data_dir: str, written: list[Written], names: dict[str, str],
           stopped_by: tuple[str, str] | None, reason: str, interrupted: bool,
           patient_id: str | None, duration: float | None) -> dict[str, Any]:
    """Store what a stopped recording holds: its files, duration and the people in it."""
    row = SessionRecording.get_by_id(recording_id)
    now = utcnow()
    root = Path(data_dir).resolve()
    people: dict[str, str] = {}
    for item in written:
        path = Path(item.path).resolve()
        if not path.is_file():
            continue
        name = names.get(item.participant_id, "Participant")
        people.setdefault(item.participant_id, name)
        RecordingFile.create(recording=row.id, participant_id=item.participant_id,
                             display_name=name, path=str(path.relative_to(root)
                                                         if path.is_relative_to(root) else path),
                             content_type=CONTENT_TYPE, size=path.stat().st_size,
                             duration=item.duration)
    if duration is None:
        duration = max((w.duration or 0.0 for w in written), default=0.0) or \
            (now - row.started_at).total_seconds()
    SessionRecording.update(
        status="interrupted" if interrupted else "complete",
        stopped_by=stopped_by[0] if stopped_by else None,
        stopped_by_name=stopped_by[1] if stopped_by else None,
        stop_reason=reason, patient_id=patient_id, duration=round(duration, 3),
        participants=[{"id": pid, "display_name": n} for pid, n in people.items()],
        stopped_at=now,
    ).where(SessionRecording.id == row.id).execute()
    return body(SessionRecording.get_by_id(row.id))


def file_url(session_id: str, recording_id: str, file_id: str) -> str:
    return f"/api/v1/sessions/{session_id}/recordings/{recording_id}/files/{file_id}"



def _files_of(recording_ids: list[str]) -> dict[str, list[RecordingFile]]:
    """The files of these recordings in one query, by recording id."""
    found: dict[str, list[RecordingFile]] = {rid: [] for rid in recording_ids}
    for f in (RecordingFile.select().where(RecordingFile.recording.in_(recording_ids))
              .order_by(RecordingFile.display_name, RecordingFile.id)):
        found[f.recording_id].append(f)
    return found


def body(row: SessionRecording, files: list[RecordingFile] | None = None) -> dict[str, Any]:
    """A recording as the API shows it (no paths); ``files`` when already read."""
    if files is None:
        files = _files_of([row.id])[row.id]
    return {
        "id": row.id, "status": row.status, "started_at": iso(row.started_at),
        "stopped_at": iso(row.stopped_at), "duration": row.duration,
        "started_by": row.started_by_name, "stopped_by": row.stopped_by_name,
        "stop_reason": row.stop_reason, "participants": list(row.participants or []),
        "patient_linked": row.patient_id is not None,
        "files": [{"id": f.id, "participant_id": f.participant_id,
                   "display_name": f.display_name, "content_type": f.content_type,
                   "size": f.size, "duration": f.duration,
                   "url": file_url(row.session_id, row.id, f.id)} for f in files],
    }


def check_access(org_id: str, user_id: str, is_admin: bool, session_id: str) -> None:
    """Recordings are for the session's chairs and providers (its practice participants) and
    the practice's administrators; NotFound for another practice's sessions."""
    session = TelehealthSession.get_or_none(TelehealthSession.id == session_id)
    if session is None or session.organisation_id != org_id:
        raise NotFound("There is no such session.", code="session_not_found")
    if is_admin:
        return
    if Participant.select().where(Participant.session == session_id,
                                  Participant.user == user_id, Participant.kind == "practice",
                                  ~Participant.removed).exists():
        return
    raise Forbidden("Only the session's providers and the practice's administrators can get "
                    "its recordings.", code="recording_forbidden")


def listing(org_id: str, user_id: str, is_admin: bool, session_id: str
            ) -> list[dict[str, Any]]:
    check_access(org_id, user_id, is_admin, session_id)
    rows = list(SessionRecording.select().where(SessionRecording.session == session_id)
                .order_by(SessionRecording.started_at.desc()))
    files = _files_of([r.id for r in rows])
    return [body(r, files[r.id]) for r in rows]


def file_path(org_id: str, user_id: str, is_admin: bool, data_dir: str, session_id: str,
              recording_id: str, file_id: str) -> tuple[str, str]:
    """The absolute path and download name of one recording file, for those allowed."""
    check_access(org_id, user_id, is_admin, session_id)
    row = (RecordingFile.select().join(SessionRecording)
           .where(RecordingFile.id == file_id, SessionRecording.id == recording_id,
                  SessionRecording.session == session_id).first())
    if row is None:
        raise NotFound("There is no such recording file.", code="recording_not_found")
    path = Path(data_dir).resolve() / row.path
    if not path.is_file():
        raise NotFound("The recording file is no longer on this server.",
                       code="recording_missing")
    return str(path), f"recording-{row.id}.webm"


def patient_files(patient_id: str) -> list[dict[str, Any]]:
    """The recording files of sessions that were linked to the patient, for its Files."""
    rows = (RecordingFile.select(RecordingFile, SessionRecording).join(SessionRecording)
            .where(SessionRecording.patient_id == patient_id)
            .order_by(RecordingFile.created_at.desc()))
    return [{"id": f.id, "kind": "recording", "content_type": f.content_type, "size": f.size,
             "duration": f.duration, "session_id": f.recording.session_id,
             "participant_id": f.participant_id, "captured_by": None,
             "created_at": iso(f.created_at),
             "url": file_url(f.recording.session_id, f.recording_id, f.id)} for f in rows]
