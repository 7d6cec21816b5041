"""The /ws gateway of a real node: handshake checks, the envelope, and bad input."""

from __future__ import annotations

import base64
import json
import os

import httpx

from tests.fakes import PROVIDER, Client


async def test_signed_in_client_gets_hello_and_pong(client: Client) -> None:
    await client.signin(PROVIDER)
    async with client.ws() as ws:
        hello = await ws.next_event("hello")
        assert hello["seq"] == 1 and hello["data"]["protocol"] == 1
        reply = await ws.request("ping")
        assert reply == {"v": 1, "type": "reply", "txn": "t1", "data": {"pong": True}}


async def test_bearer_token_is_accepted(client: Client) -> None:
    await client.signin(PROVIDER)
    token = client.cookie
    client.http.cookies.clear()
    url = client.base.replace("http://", "ws://") + "/ws"
    from trio_websocket import open_websocket_url

    async with open_websocket_url(url, extra_headers=[(b"Authorization",
                                                       f"Bearer {token}".encode())]) as conn:
        assert json.loads(await conn.get_message())["type"] == "hello"


async def handshake(client: Client, origin: str) -> httpx.Response:
    """A WebSocket upgrade request, made by hand so that a refusal can be read like any
    response (trio-websocket leaks the socket of a rejected connection)."""
    headers = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(), "Origin": origin}
    return await client.http.get("/ws", headers=headers)


async def test_missing_credential_is_refused_at_the_handshake(client: Client) -> None:
    response = await handshake(client, client.base)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_foreign_origin_is_refused_at_the_handshake(client: Client) -> None:
    await client.signin(PROVIDER)
    response = await handshake(client, "https://evil.example")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "bad_origin"


async def test_bad_messages_get_errors_and_the_socket_keeps_working(client: Client) -> None:
    await client.signin(PROVIDER)
    async with client.ws() as ws:
        await ws.next_event("hello")
        await ws.conn.send_message("{not json")
        assert (await ws.answer(None))["error"]["code"] == "malformed_json"

        big = json.dumps({"v": 1, "type": "ping", "txn": "big", "data": {"x": "a" * 70_000}})
        await ws.conn.send_message(big)
        assert (await ws.answer("big"))["error"]["code"] == "payload_too_large"

        unknown = await ws.request("no.such_thing")
        assert unknown["type"] == "error"
        assert unknown["error"]["code"] == "unknown_type"

        assert (await ws.request("ping"))["data"] == {"pong": True}


async def test_deeply_nested_frames_get_an_error_and_the_socket_stays_open(client: Client) -> None:
    await client.signin(PROVIDER)
    async with client.ws() as ws:
        await ws.next_event("hello")
        # 10 KB of nested arrays: deeper than Python's JSON decoder can recurse.
        await ws.conn.send_message("[" * 5_000 + "]" * 5_000)
        assert (await ws.answer(None))["error"]["code"] == "too_deep"
        # Within the decoder's reach but past the protocol's limit, inside a valid envelope.
        nested = '{"v": 1, "type": "ping", "txn": "deep", "data": {"x": ' + "[" * 100 \
            + "]" * 100 + "}}"
        await ws.conn.send_message(nested)
        assert (await ws.answer("deep"))["error"]["code"] == "too_deep"
        # A binary frame that is not UTF-8 at all.
        await ws.conn.send_message(b"\xff\xfe\x00[[[")
        assert (await ws.answer(None))["error"]["code"] == "malformed_json"
        assert (await ws.request("ping"))["data"] == {"pong": True}
