"""The /ws gateway of a real node: handshake checks, the envelope, and bad input."""

from __future__ import annotations

import base64
import json
import os
from contextlib import AsyncExitStack
from typing import Any

import httpx

from tests.fakes import PROVIDER, Client
from vclinic.server.run import Running


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


class CountedData(dict[str, Any]):
    """Event data that counts how often it is serialised (``json`` reads a dict subclass's
    ``items()`` once per encoding)."""

    encoded = 0

    def items(self) -> Any:
        type(self).encoded += 1
        return super().items()


async def test_an_event_for_many_tabs_is_encoded_once_and_numbered_per_tab(
    node: Running, client: Client,
) -> None:
    await client.signin(PROVIDER)
    user_id = (await client.request("GET", "/api/v1/me")).json()["user"]["id"]
    async with AsyncExitStack() as stack:
        tabs = [await stack.enter_async_context(client.ws()) for _ in range(3)]
        for tab in tabs:
            await tab.next_event("hello")
            # The reply shows that the connection has subscribed to its user's topic.
            assert (await tab.request("ping"))["type"] == "reply"
        data = CountedData(note="Room 3 is ready", count=2)
        delivered = node.context.runtime.bus.publish(f"user:{user_id}",
                                                     {"type": "test.notice", "data": data})
        assert delivered == 3
        received = [await tab.next_event("test.notice") for tab in tabs]
    assert [event["data"] for event in received] == [{"note": "Room 3 is ready", "count": 2}] * 3
    assert [event["seq"] for event in received] == [2, 2, 2]
    assert CountedData.encoded == 1
