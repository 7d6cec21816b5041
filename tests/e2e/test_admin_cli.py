"""``vclinic admin`` account commands and ``vclinic audit`` against a running node's database,
as an operator runs them: subprocesses, passwords on stdin, never on the command line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import trio

from tests.fakes import DEMO_PASSWORD, PROVIDER, Client, base_url, start_node
from vclinic.startup import ExitCode


async def vclinic(
    data_dir: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "VCLINIC_DATA_DIR": str(data_dir), "VCLINIC_LOG_LEVEL": "warning"}
    env.pop("DATABASE_URL", None)
    return await trio.run_process([sys.executable, "-m", "vclinic", *args], env=env,
                                  stdin=stdin.encode(), capture_stdout=True,
                                  capture_stderr=True, check=False)


def out(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode()


def err(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode()


async def test_a_password_on_the_command_line_is_refused(tmp_path: Path) -> None:
    assert (await vclinic(tmp_path, "admin", "create-org", "--name", "Riverside")).returncode == 0
    result = await vclinic(tmp_path, "admin", "create-user", "--org", "riverside", "--email",
                           "lee@riverside.example", "--password", "correct-horse-9", "--role",
                           "provider", "--name", "Dr Sam Lee")
    assert result.returncode == ExitCode.REFUSED
    assert "--password is no longer accepted" in err(result)
    assert "correct-horse-9" not in err(result)
    listed = await vclinic(tmp_path, "admin", "list-users")
    assert out(listed).strip().endswith("0 user(s)")


async def test_users_are_created_listed_reset_and_deactivated(tmp_path: Path) -> None:
    async with trio.open_nursery() as nursery:
        running = await start_node(nursery, tmp_path)
        created = await vclinic(tmp_path, "admin", "create-user", "--org", "demo-clinic",
                                "--email", "lee@demo.clinic", "--role", "provider", "--name",
                                "Dr Sam Lee", "--password-stdin", stdin="correct-horse-9\n")
        assert created.returncode == 0, err(created)
        user_id = out(created).split()[2]

        listed = await vclinic(tmp_path, "admin", "list-users", "--org", "demo-clinic")
        row = next(line for line in out(listed).splitlines() if line.startswith(user_id))
        assert row.split()[1:] == ["demo-clinic", "provider", "active"]
        assert "lee@demo.clinic" not in out(listed)
        with_emails = await vclinic(tmp_path, "admin", "list-users", "--emails")
        assert "lee@demo.clinic" in out(with_emails)

        lee = Client(base_url(running))
        assert (await lee.signin("lee@demo.clinic", "correct-horse-9")).status_code == 200

        # A new password signs the user out everywhere; the old one no longer works.
        reset = await vclinic(tmp_path, "admin", "reset-password", "--email", "lee@demo.clinic",
                              "--password-stdin", stdin="battery-staple-7\n")
        assert reset.returncode == 0, err(reset)
        assert "1 session(s) ended" in out(reset)
        assert (await lee.request("GET", "/api/v1/me")).status_code == 401
        assert (await lee.signin("lee@demo.clinic", "correct-horse-9")).status_code == 401
        assert (await lee.signin("lee@demo.clinic", "battery-staple-7")).status_code == 200

        short = await vclinic(tmp_path, "admin", "reset-password", "--email", "lee@demo.clinic",
                              "--password-stdin", stdin="short\n")
        assert short.returncode == ExitCode.REFUSED
        assert "password" in err(short).lower()

        # Deactivated: the open session ends and signing in is refused.
        gone = await vclinic(tmp_path, "admin", "deactivate-user", "--email", "lee@demo.clinic")
        assert gone.returncode == 0, err(gone)
        assert (await lee.request("GET", "/api/v1/me")).status_code == 401
        assert (await lee.signin("lee@demo.clinic", "battery-staple-7")).status_code == 401
        listed = await vclinic(tmp_path, "admin", "list-users", "--org", "demo-clinic")
        row = next(line for line in out(listed).splitlines() if line.startswith(user_id))
        assert row.split()[-1] == "deactivated"

        unknown = await vclinic(tmp_path, "admin", "deactivate-user", "--email",
                                "nobody@demo.clinic")
        assert unknown.returncode == ExitCode.REFUSED
        assert "nobody" not in err(unknown)
        await lee.aclose()
        running.stop.set()


async def test_audit_verify_passes_on_a_real_trail_and_finds_tampering(tmp_path: Path) -> None:
    async with trio.open_nursery() as nursery:
        running = await start_node(nursery, tmp_path)
        provider = Client(base_url(running))
        assert (await provider.signin(PROVIDER, DEMO_PASSWORD)).status_code == 200
        made = await provider.request("POST", "/api/v1/sessions", json={
            "name": "Follow-up", "confirm_link_reminder": True})
        assert made.status_code == 201, made.text
        session_id = made.json()["session"]["id"]
        async with provider.ws() as ws:
            entered = await ws.request("session.enter", {"session_id": session_id})
            assert entered["type"] == "reply", entered
        await provider.aclose()
        running.stop.set()

    verified = await vclinic(tmp_path, "audit", "verify")
    assert verified.returncode == 0, err(verified)
    assert "The audit trail is intact" in out(verified)

    exported = await vclinic(tmp_path, "audit", "export", "--session", session_id)
    assert exported.returncode == 0, err(exported)
    bundle = json.loads(out(exported))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    events = [entry["resource"] for entry in bundle["entry"]]
    assert [e["subtype"][0]["code"] for e in events] == ["session.created", "session.joined"]
    for event in events:
        assert event["resourceType"] == "AuditEvent"
        assert event["type"]["system"] == "http://dicom.nema.org/resources/ontology/DCM"
        assert event["action"] in ("C", "R", "U", "D", "E")
        assert event["recorded"].endswith("+00:00")
        assert event["agent"][0]["requestor"] is True
        assert event["agent"][0]["who"]["identifier"]["value"]
        assert {"what": {"identifier": {"system": "urn:vclinic:id", "value": session_id}}} \
            in event["entity"]
    assert "dr.ada" not in out(exported)  # ids only

    with sqlite3.connect(tmp_path / "vclinic.db") as db:
        rows = db.execute("SELECT id, actor_id FROM audit_events WHERE chain != '' "
                          "ORDER BY seq").fetchall()
        edited_id, actor = rows[1]
        db.execute("UPDATE audit_events SET actor_id = 'someone' WHERE id = ?", (edited_id,))
    broken = await vclinic(tmp_path, "audit", "verify")
    assert broken.returncode == ExitCode.AUDIT_BROKEN
    assert f"audit row {edited_id} (#2 of organisation" in err(broken)
    assert "edited" in err(broken)

    with sqlite3.connect(tmp_path / "vclinic.db") as db:
        db.execute("UPDATE audit_events SET actor_id = ? WHERE id = ?", (actor, edited_id))
        db.execute("DELETE FROM audit_events WHERE id = ?", (edited_id,))
    deleted = await vclinic(tmp_path, "audit", "verify")
    assert deleted.returncode == ExitCode.AUDIT_BROKEN
    assert f"audit row {rows[2][0]} (#3 of organisation" in err(deleted)
    assert "missing (deleted)" in err(deleted)


async def test_verify_with_anchors_finds_the_newest_rows_deleted_with_the_head_rewritten(
    tmp_path: Path
) -> None:
    async with trio.open_nursery() as nursery:
        running = await start_node(nursery, tmp_path)
        for _ in range(3):
            client = Client(base_url(running))
            assert (await client.signin(PROVIDER)).status_code == 200
            await client.aclose()
        running.stop.set()
    anchors = tmp_path / "audit-anchors.json"
    first = await vclinic(tmp_path, "audit", "verify", "--anchors", str(anchors))
    assert first.returncode == 0, err(first)
    assert anchors.exists()

    # Someone who can write the database removes the newest sign-in and points the chain head
    # at the row before it: the chain alone looks whole.
    with sqlite3.connect(tmp_path / "vclinic.db") as db:
        chain, seq = db.execute("SELECT chain, MAX(seq) FROM audit_events WHERE chain != '' "
                                "GROUP BY chain").fetchone()
        db.execute("DELETE FROM audit_events WHERE chain = ? AND seq = ?", (chain, seq))
        (previous,) = db.execute("SELECT hash FROM audit_events WHERE chain = ? AND seq = ?",
                                 (chain, seq - 1)).fetchone()
        db.execute("UPDATE audit_chain_heads SET seq = ?, hash = ? WHERE chain = ?",
                   (seq - 1, previous, chain))
    assert (await vclinic(tmp_path, "audit", "verify")).returncode == 0
    anchored = await vclinic(tmp_path, "audit", "verify", "--anchors", str(anchors))
    assert anchored.returncode == ExitCode.AUDIT_BROKEN
    assert f"(#{seq} of organisation {chain})" in err(anchored)
    assert "deleted or rewritten" in err(anchored)

    anchors.write_text("not anchors")
    refused = await vclinic(tmp_path, "audit", "verify", "--anchors", str(anchors))
    assert refused.returncode == ExitCode.REFUSED
    assert "is not an anchors file" in err(refused)
