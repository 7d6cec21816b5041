"""The clinic admin's API on a real node: accounts, Account Services, the organisation's
settings, sessions in progress, the plugins' admin settings; each change audited, each bad
input refused with a clear error and nothing changed."""

from __future__ import annotations

from typing import Any

from tests.fakes import ADMIN, DEMO_PASSWORD, PROVIDER, STATION, Client
from vclinic.notifications.email import OutboxEmail
from vclinic.server.run import Running
from vclinic.store import AuditEvent


async def _audit(node: Running) -> list[tuple[str, list[str]]]:
    """The trail's admin events, oldest first (sign-ins and failed sign-ins left out)."""
    def rows() -> list[tuple[str, list[str]]]:
        return [(e.action, e.target_ids)
                for e in AuditEvent.select().order_by(AuditEvent.created_at)
                if e.action not in ("user.signed_in", "user.signin_failed")]

    return await node.context.store.run(rows)


async def _users(client: Client) -> dict[str, Any]:
    response = await client.request("GET", "/api/v1/users")
    assert response.status_code == 200
    return {u["email"]: u for u in response.json()["users"]}


async def test_admin_changes_roles_deactivates_and_reactivates(node: Running,
                                                               client: Client) -> None:
    await client.signin(ADMIN)
    users = await _users(client)
    ada = users[PROVIDER]
    provider = Client(client.base)
    assert (await provider.signin(PROVIDER)).status_code == 200

    changed = await client.request("PATCH", f"/api/v1/users/{ada['id']}",
                                   json={"roles": ["provider", "admin"]})
    assert changed.status_code == 200
    assert changed.json()["user"]["roles"] == ["admin", "provider"]

    off = await client.request("PATCH", f"/api/v1/users/{ada['id']}", json={"active": False})
    assert off.status_code == 200 and off.json()["user"]["is_active"] is False
    # Signed out at once, and cannot sign in again.
    assert (await provider.request("GET", "/api/v1/me")).status_code == 401
    assert (await provider.signin(PROVIDER)).status_code == 401

    on = await client.request("PATCH", f"/api/v1/users/{ada['id']}", json={"active": True})
    assert on.json()["user"]["is_active"] is True
    assert (await provider.signin(PROVIDER)).status_code == 200
    await provider.aclose()

    actions = [a for a, targets in await _audit(node) if ada["id"] in targets]
    assert actions[-3:] == ["user.roles_changed", "user.deactivated", "user.activated"]


async def test_last_admin_cannot_demote_or_deactivate_themselves(client: Client) -> None:
    await client.signin(ADMIN)
    me = (await _users(client))[ADMIN]
    demote = await client.request("PATCH", f"/api/v1/users/{me['id']}",
                                  json={"roles": ["provider"]})
    assert demote.status_code == 409
    assert demote.json()["error"]["code"] == "last_admin"
    assert "at least one active admin" in demote.json()["error"]["message"]
    off = await client.request("PATCH", f"/api/v1/users/{me['id']}", json={"active": False})
    assert off.status_code == 409
    assert (await _users(client))[ADMIN]["roles"] == ["admin"]

    # With a second admin, the first may step down to provider.
    ada = (await _users(client))[PROVIDER]
    await client.request("PATCH", f"/api/v1/users/{ada['id']}", json={"roles": ["admin"]})
    demote = await client.request("PATCH", f"/api/v1/users/{me['id']}",
                                  json={"roles": ["provider"]})
    assert demote.status_code == 200


async def test_admin_creates_station_and_resets_a_password(node: Running,
                                                           client: Client) -> None:
    await client.signin(ADMIN)
    created = await client.request("POST", "/api/v1/users", json={
        "email": "ward7@demo.clinic", "password": "first-pass-1", "name": "Ward 7 Station",
        "role": "requester", "station": True})
    assert created.status_code == 201
    user = created.json()["user"]
    assert user["is_station"] is True and user["roles"] == ["requester"]

    short = await client.request("POST", f"/api/v1/users/{user['id']}/password",
                                 json={"password": "short"})
    assert short.status_code == 400
    assert "at least 8 characters" in short.json()["error"]["message"]

    reset = await client.request("POST", f"/api/v1/users/{user['id']}/password",
                                 json={"password": "second-pass-2"})
    assert reset.status_code == 204
    station = Client(client.base)
    assert (await station.signin("ward7@demo.clinic", "first-pass-1")).status_code == 401
    assert (await station.signin("ward7@demo.clinic", "second-pass-2")).status_code == 200
    await station.aclose()
    actions = [a for a, targets in await _audit(node) if user["id"] in targets]
    assert actions == ["user.created", "user.password_reset"]


async def test_only_admins_manage_accounts(client: Client) -> None:
    await client.signin(PROVIDER)
    users = await client.request("GET", "/api/v1/users")
    assert users.status_code == 403
    some = await client.request("PATCH", "/api/v1/users/x", json={"active": False})
    assert some.status_code == 403
    sections = await client.request("GET", "/api/v1/dashboard?page=admin")
    assert sections.json()["sections"] == []


async def test_account_services_add_rename_remove(node: Running, client: Client) -> None:
    await client.signin(ADMIN)
    added = await client.request("POST", "/api/v1/services", json={"name": " Dermatology "})
    assert added.status_code == 201
    service = added.json()["service"]
    assert service["name"] == "Dermatology"
    again = await client.request("POST", "/api/v1/services", json={"name": "Dermatology"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "service_exists"

    renamed = await client.request("PATCH", f"/api/v1/services/{service['id']}",
                                   json={"name": "Skin Clinic"})
    assert renamed.json()["service"]["name"] == "Skin Clinic"
    blank = await client.request("PATCH", f"/api/v1/services/{service['id']}",
                                 json={"name": "   "})
    assert blank.status_code == 400

    removed = await client.request("DELETE", f"/api/v1/services/{service['id']}")
    assert removed.status_code == 204
    names = [s["name"] for s in (await client.request("GET", "/api/v1/organisation")
                                 ).json()["services"]]
    assert "Skin Clinic" not in names
    gone = await client.request("DELETE", f"/api/v1/services/{service['id']}")
    assert gone.status_code == 404
    actions = [a for a, targets in await _audit(node) if service["id"] in targets]
    assert actions == ["service.added", "service.renamed", "service.removed"]


async def test_organisation_name_and_time_zone(client: Client) -> None:
    await client.signin(ADMIN)
    bad = await client.request("PATCH", "/api/v1/organisation",
                               json={"name": "Demo Clinic North", "timezone": "Mars/Olympus"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_timezone"
    org = (await client.request("GET", "/api/v1/organisation")).json()
    assert org["timezone"] == "UTC" and org["name"] != "Demo Clinic North"

    ok = await client.request("PATCH", "/api/v1/organisation",
                              json={"name": "Demo Clinic North", "timezone": "Europe/Paris"})
    assert ok.status_code == 200
    org = (await client.request("GET", "/api/v1/organisation")).json()
    assert (org["name"], org["timezone"]) == ("Demo Clinic North", "Europe/Paris")


async def test_admin_sees_and_ends_open_sessions(node: Running, client: Client) -> None:
    provider = Client(client.base)
    await provider.signin(PROVIDER)
    created = await provider.request("POST", "/api/v1/sessions", json={
        "name": "Consult", "confirm_link_reminder": True})
    assert created.status_code == 201
    session_id = created.json()["session"]["id"]

    await client.signin(ADMIN)
    listed = (await client.request("GET", "/api/v1/admin/sessions")).json()["sessions"]
    row = next(s for s in listed if s["id"] == session_id)
    assert row["workflow"] == "sessions" and row["participants"] >= 1
    # Not the admin's session: its name (which may name a patient) is not shown.
    assert row["name"] is None
    own = await client.request("POST", "/api/v1/sessions", json={
        "name": "Admin huddle", "confirm_link_reminder": True})
    own_id = own.json()["session"]["id"]
    listed = (await client.request("GET", "/api/v1/admin/sessions")).json()["sessions"]
    assert next(s for s in listed if s["id"] == own_id)["name"] == "Admin huddle"

    ended = await client.request("POST", f"/api/v1/admin/sessions/{session_id}/end")
    assert ended.status_code == 200 and ended.json()["session"]["status"] == "closed"
    listed = (await client.request("GET", "/api/v1/admin/sessions")).json()["sessions"]
    assert session_id not in [s["id"] for s in listed]
    detail = (await provider.request("GET", f"/api/v1/sessions/{session_id}")).json()
    assert detail["session"]["status"] == "closed"
    assert ("session.ended_by_admin", [session_id]) in await _audit(node)

    # Not an admin: the provider cannot end sessions from the admin API.
    other = await provider.request("POST", f"/api/v1/admin/sessions/{session_id}/end")
    assert other.status_code == 403
    await provider.aclose()


async def test_plugin_admin_settings_are_audited(node: Running, client: Client) -> None:
    await client.signin(ADMIN)
    sections = (await client.request("GET", "/api/v1/dashboard?page=admin")).json()["sections"]
    ids = [s["id"] for s in sections]
    assert ids[:4] == ["users", "services", "organisation", "sessions-in-progress"]
    assert ids[-1] == "activity"
    assert {"virtual-clinic-settings", "on-demand-setup"} <= set(ids)
    dashboard = (await client.request("GET", "/api/v1/dashboard")).json()["sections"]
    assert "users" not in [s["id"] for s in dashboard]

    bad = await client.request("PATCH", "/api/v1/virtual-clinic/settings",
                               json={"request_expiry_seconds": 0})
    assert bad.status_code == 400
    ok = await client.request("PATCH", "/api/v1/virtual-clinic/settings",
                              json={"decline_notes": False, "request_expiry_seconds": 300})
    assert ok.json()["settings"]["request_expiry_seconds"] == 300
    fields = (await client.request("GET", "/api/v1/on_demand/intake")).json()["fields"]
    saved = await client.request("PUT", "/api/v1/on_demand/intake", json={"fields": fields[:2]})
    assert saved.status_code == 200
    actions = [a for a, _ in await _audit(node)]
    assert "virtual_clinic.settings_changed" in actions
    trail = (await client.request("GET", "/api/v1/admin/activity?limit=2")).json()
    assert [e["action"] for e in trail["events"]] == ["on_demand.intake_changed",
                                                      "virtual_clinic.settings_changed"]
    assert trail["events"][0]["actor_name"] == "Demo Admin" and trail["total"] >= 2
    assert "on_demand.intake_changed" in actions

    page = (await client.request("GET", "/api/v1/on_demand/public-page")).json()
    assert page["url"].endswith("/o/demo-clinic/calendar")
    qr = await client.request("GET", page["qr_svg_url"])
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg") and "<title>" in qr.text


async def test_station_password_survives_bad_input(client: Client) -> None:
    await client.signin(ADMIN)
    station = (await _users(client))[STATION]
    unknown = await client.request("PATCH", f"/api/v1/users/{station['id']}",
                                   json={"roles": ["requester", "wizard"]})
    assert unknown.status_code == 400
    assert (await _users(client))[STATION]["roles"] == ["requester"]
    nothing = await client.request("PATCH", f"/api/v1/users/{station['id']}", json={})
    assert nothing.status_code == 400 and nothing.json()["error"]["code"] == "nothing_to_change"
    other = Client(client.base)
    assert (await other.signin(STATION, DEMO_PASSWORD)).status_code == 200
    await other.aclose()


async def test_admin_endpoints_are_documented_in_openapi(client: Client) -> None:
    spec = (await client.request("GET", "/openapi.json")).json()
    paths = spec["paths"]
    for path, method in (("/api/v1/users/{user_id}", "patch"),
                         ("/api/v1/users/{user_id}/password", "post"),
                         ("/api/v1/users/{user_id}/password-reset-email", "post"),
                         ("/api/v1/services", "post"),
                         ("/api/v1/services/{service_id}", "delete"),
                         ("/api/v1/organisation", "patch"),
                         ("/api/v1/admin/sessions", "get"),
                         ("/api/v1/admin/sessions/{session_id}/end", "post"),
                         ("/api/v1/auth/password-reset", "post"),
                         ("/api/v1/on_demand/public-page", "get")):
        operation = paths[path][method]
        assert operation.get("description") or operation.get("summary"), path


async def test_a_forged_host_never_chooses_where_an_emailed_link_leads(node: Running,
                                                                       client: Client) -> None:
    """Without ``public_url``, emailed links use the request's host only when it is this
    machine; a Host header naming another site is refused and nothing is queued."""
    # A client that sends both (a script, or a proxy passing Host on): the Origin check passes.
    forged_headers = {"Host": "attacker.example", "Origin": "http://attacker.example"}

    async def queued() -> int:
        return await node.context.store.run(lambda: OutboxEmail.select().count())

    await client.signin(ADMIN)
    ada = (await _users(client))[PROVIDER]
    before = await queued()
    forged = await client.request("POST", f"/api/v1/users/{ada['id']}/password-reset-email",
                                  headers=forged_headers)
    assert forged.status_code == 409, forged.text
    assert forged.json()["error"]["code"] == "public_url_required"
    invited = await client.request("POST", "/api/v1/users", headers=forged_headers,
                                   json={"email": "new@demo.clinic", "name": "New Person",
                                         "role": "provider", "invite": True})
    assert invited.status_code == 409
    assert await queued() == before
    assert "new@demo.clinic" not in await _users(client)
    # From this machine's own address the link is sent as before.
    sent = await client.request("POST", f"/api/v1/users/{ada['id']}/password-reset-email")
    assert sent.status_code == 202 and await queued() == before + 1
