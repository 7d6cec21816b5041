"""The HTTP side of a real node: health, metrics, OpenAPI, sign-in, CSRF and JSON errors."""

from __future__ import annotations

import httpx

from tests.fakes import ADMIN, PROVIDER, STATION, Client


async def test_health_readiness_and_metrics(client: Client) -> None:
    assert (await client.request("GET", "/healthz")).json() == {"status": "ok"}
    assert (await client.request("GET", "/readyz")).json() == {"status": "ready"}
    metrics = await client.request("GET", "/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "vclinic_http_requests_total" in metrics.text
    assert "vclinic_actors " in metrics.text


async def test_openapi_describes_the_api(client: Client) -> None:
    spec = (await client.request("GET", "/openapi.json")).json()
    assert "/api/v1/auth/signin" in spec["paths"]
    assert "/api/v1/me" in spec["paths"]
    docs = await client.request("GET", "/docs")
    assert docs.status_code == 200


async def test_signin_page_is_served(client: Client) -> None:
    page = await client.request("GET", "/signin")
    assert page.status_code == 200
    assert "Sign in" in page.text and 'for="email">Email' in page.text
    assert (await client.request("GET", "/static/js/signin.js")).status_code == 200


async def test_demo_provider_signs_in_and_sees_themselves(client: Client) -> None:
    response = await client.signin(PROVIDER)
    assert response.status_code == 200
    assert "HttpOnly" in response.headers["set-cookie"]
    me = (await client.request("GET", "/api/v1/me")).json()
    assert me["user"]["email"] == PROVIDER
    assert me["user"]["roles"] == ["provider"]
    assert me["user"]["organisation"]["slug"] == "demo-clinic"


async def test_station_account_is_a_requester(client: Client) -> None:
    assert (await client.signin(STATION)).status_code == 200
    me = (await client.request("GET", "/api/v1/me")).json()
    assert me["user"]["roles"] == ["requester"] and me["user"]["is_station"] is True


async def test_wrong_password_gets_a_clear_error_and_no_cookie(client: Client) -> None:
    response = await client.signin(PROVIDER, "not-the-password")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert "set-cookie" not in response.headers
    assert (await client.request("GET", "/api/v1/me")).status_code == 401


async def test_repeated_failed_signins_are_rate_limited(client: Client) -> None:
    for _ in range(5):
        assert (await client.signin(ADMIN, "wrong")).status_code == 401
    limited = await client.signin(ADMIN)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


async def test_signout_ends_the_session(client: Client) -> None:
    await client.signin(PROVIDER)
    assert (await client.request("POST", "/api/v1/auth/signout")).status_code == 204
    assert (await client.request("GET", "/api/v1/me")).status_code == 401


async def test_cookie_write_without_csrf_token_is_refused(client: Client) -> None:
    await client.signin(PROVIDER)
    response = await client.request("POST", "/api/v1/auth/signout",
                                     headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert (await client.request("GET", "/api/v1/me")).status_code == 200


async def test_write_from_a_foreign_origin_is_refused(client: Client) -> None:
    await client.signin(PROVIDER)
    response = await client.request("POST", "/api/v1/auth/signout",
                                     headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "bad_origin"
    assert (await client.request("GET", "/api/v1/me")).status_code == 200


async def test_malformed_body_gets_a_json_error(client: Client) -> None:
    response = await client.http.post("/api/v1/auth/signin", content=b"{not json",
                                      headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("bad_request", "invalid_body")
    missing = await client.http.post("/api/v1/auth/signin", json={"email": "a@b.c"})
    assert missing.status_code == 400
    assert "password" in missing.json()["error"]["message"]


async def test_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = await client.request("GET", "/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_admin_creates_a_user_who_can_sign_in(client: Client) -> None:
    await client.signin(ADMIN)
    created = await client.request("POST", "/api/v1/users", json={
        "email": "nurse@demo.clinic", "password": "long-enough-1", "name": "Nurse Joy",
        "role": "staff"})
    assert created.status_code == 201, created.text
    users = (await client.request("GET", "/api/v1/users")).json()["users"]
    assert "nurse@demo.clinic" in {u["email"] for u in users}
    duplicate = await client.request("POST", "/api/v1/users", json={
        "email": "nurse@demo.clinic", "password": "long-enough-1", "name": "Other",
        "role": "staff"})
    assert duplicate.status_code == 409
    other = Client(client.base)
    try:
        assert (await other.signin("nurse@demo.clinic", "long-enough-1")).status_code == 200
    finally:
        await other.aclose()


async def test_provider_may_not_list_users(client: Client) -> None:
    await client.signin(PROVIDER)
    response = await client.request("GET", "/api/v1/users")
    assert response.status_code == 403
    assert isinstance(response, httpx.Response)


async def test_every_page_has_an_icon_and_favicon_ico_answers(client: Client) -> None:
    icon = await client.request("GET", "/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    linked = await client.request("GET", "/static/favicon.svg")
    assert linked.status_code == 200 and linked.content == icon.content
    for page in ("signin", "dashboard", "preview", "call", "join", "left"):
        html = (await client.request("GET", f"/{page}")).text
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html, page
