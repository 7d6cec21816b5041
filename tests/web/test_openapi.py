"""The OpenAPI document declares every operation's error responses, with the shared error body,
and a 405 says which methods the path takes."""

from __future__ import annotations

from tests.fakes import Client

ERROR_REF = "#/components/schemas/Error"


async def test_every_operation_declares_its_error_responses(client: Client) -> None:
    spec = (await client.request("GET", "/openapi.json")).json()
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    operations = [(path, method, op) for path, item in spec["paths"].items()
                  for method, op in item.items()]
    assert len(operations) >= 60
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        responses = op["responses"]
        assert any(code.startswith("2") for code in responses), where
        errors = {code: body for code, body in responses.items() if code[0] in "45"}
        assert {"405", "503"} <= set(errors), where
        assert "Allow" in errors["405"]["headers"], where
        for code, body in errors.items():
            assert body["content"]["application/json"]["schema"]["$ref"] == ERROR_REF, \
                (where, code)
        if "{" in path:
            assert "404" in errors, where
        if method in ("post", "put", "patch", "delete"):
            assert {"400", "403", "409"} <= set(errors), where
        if "requestBody" in op:
            assert {"400", "413"} <= set(errors), where
    by_key = {(path, method): op for path, method, op in operations}
    assert "401" in by_key[("/api/v1/users", "get")]["responses"]
    # Lists that grow without bound are paginated with cursors (docs/api.md, Pagination).
    for path, key in (("/api/v1/users", "users"), ("/api/v1/sessions", "sessions")):
        op = by_key[(path, "get")]
        assert {"limit", "cursor"} <= {p["name"] for p in op["parameters"]}, path
        body = op["responses"]["200"]["content"]["application/json"]["schema"]
        if "$ref" in body:
            body = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        assert {key, "total", "next_cursor"} <= set(body["properties"]), path
    assert "429" in by_key[("/api/v1/auth/signin", "post")]["responses"]


async def test_a_wrong_method_gets_405_with_allow(client: Client) -> None:
    response = await client.request("DELETE", "/api/v1/me")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in {m.strip() for m in response.headers["allow"].split(",")}
