"""Sign-in limits behind a real nginx on loopback, and against one account from many addresses.

Clients are told apart by their source address: each binds its own 127.0.0.x, as different
machines would reach nginx (or the node) from different addresses.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio
from structlog.testing import capture_logs

from tests.conftest import require
from tests.fakes import PROVIDER, Client, base_url, start_node
from vclinic.server.run import Running

NGINX = Path("/usr/sbin/nginx")

NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
error_log {tmp}/error.log warn;
pid {tmp}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass {upstream};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            stream = await trio.open_tcp_stream("127.0.0.1", port)
        except OSError:
            await trio.sleep(0.05)
            continue
        await stream.aclose()
        return
    raise AssertionError(f"nothing listens on port {port}")


@pytest.fixture
async def nginx(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[tuple[Running, str]]:
    """A node trusting 127.0.0.1 as its proxy, and the URL of a real nginx in front of it."""
    require(await trio.Path(NGINX).exists(), f"nginx at {NGINX}")
    node = await start_node(nursery, tmp_path / "node", trusted_proxies=["127.0.0.1"],
                            log_level="info")
    port = free_port()
    conf = trio.Path(tmp_path / "nginx.conf")
    await conf.write_text(NGINX_CONF.format(tmp=tmp_path, port=port, upstream=base_url(node)))
    process = await trio.lowlevel.open_process(
        [str(NGINX), "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await wait_listening(port)
        yield node, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        with trio.move_on_after(10):
            await process.wait()
        if process.returncode is None:
            process.kill()


async def test_a_stranger_behind_the_proxy_locks_out_nobody_else(
    nginx: tuple[Running, str],
) -> None:
    _, url = nginx
    stranger = Client(url, local_address="127.0.0.2")
    colleague = Client(url, local_address="127.0.0.3")
    try:
        with capture_logs() as logs:
            for _ in range(5):
                answer = await stranger.signin("nobody@made-up.example", "wrong-password")
                assert answer.status_code == 401
        assert (await stranger.signin("nobody@made-up.example", "x")).status_code == 429
        # Others behind the same proxy: the made-up account and a real one both still work.
        assert (await colleague.signin("nobody@made-up.example", "wrong")).status_code == 401
        assert (await colleague.signin(PROVIDER)).status_code == 200
    finally:
        await stranger.aclose()
        await colleague.aclose()
    failed = [e for e in logs if e["event"] == "signin_failed"]
    assert len(failed) == 5 and {e["client"] for e in failed} == {"127.0.0.2"}
    locked = [e for e in logs if e["event"] == "signin_locked_out"]
    assert [e["limit"] for e in locked] == ["pair"]
    assert "made-up" not in repr(logs)


async def test_forwarded_headers_from_an_untrusted_client_are_ignored(
    nginx: tuple[Running, str],
) -> None:
    node, _ = nginx
    direct = Client(base_url(node), local_address="127.0.0.4")
    try:
        for i in range(5):
            answer = await direct.http.post(
                "/api/v1/auth/signin", json={"email": PROVIDER, "password": "wrong"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"})
            assert answer.status_code == 401
        refused = await direct.http.post(
            "/api/v1/auth/signin", json={"email": PROVIDER, "password": "wrong"},
            headers={"X-Forwarded-For": "198.51.100.200"})
        assert refused.status_code == 429
    finally:
        await direct.aclose()


async def test_strangers_cannot_lock_the_owner_out_of_their_own_browser(
    nursery: trio.Nursery, tmp_path: Path,
) -> None:
    node = await start_node(nursery, tmp_path, signin_attempts=3, signin_account_attempts=6)
    owner = Client(base_url(node), local_address="127.0.0.10")
    new_browser = Client(base_url(node), local_address="127.0.0.10")
    strangers = [Client(base_url(node), local_address=f"127.0.0.{20 + i}") for i in range(3)]
    try:
        assert (await owner.signin(PROVIDER)).status_code == 200
        assert (await owner.request("POST", "/api/v1/auth/signout")).status_code == 204
        for stranger in strangers[:2]:
            for _ in range(3):
                assert (await stranger.signin(PROVIDER, "guess")).status_code == 401
        # The backstop: nobody without the device cookie may try now, right password or not.
        assert (await strangers[2].signin(PROVIDER, "guess")).status_code == 429
        assert (await new_browser.signin(PROVIDER)).status_code == 429
        # The owner, on the browser they signed in with before, still signs in.
        assert (await owner.signin(PROVIDER)).status_code == 200
        assert (await owner.request("GET", "/api/v1/me")).json()["user"]["email"] == PROVIDER
    finally:
        for client in (owner, new_browser, *strangers):
            await client.aclose()
    metrics = (await trio_get(base_url(node), "/metrics"))
    assert 'vclinic_signin_failures_total{reason="invalid_credentials"} 6.0' in metrics
    assert 'vclinic_signin_lockouts_total{limit="account"}' in metrics


async def trio_get(base: str, path: str) -> str:
    client = Client(base)
    try:
        return (await client.request("GET", path)).text
    finally:
        await client.aclose()
