"""``/metrics`` in Prometheus conventions: counters end in ``_total``, latencies are
``_seconds`` histograms by route pattern, and the figures an operator watches are there."""

from __future__ import annotations

from pathlib import Path

import httpx
import trio
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes import PROVIDER, Client, base_url, eventually, start_node
from tests.smtp import free_port
from vclinic.notifications.email import enqueue
from vclinic.server.run import Running

COUNTERS = {
    "vclinic_http_requests", "vclinic_ws_connections_opened", "vclinic_ws_messages",
    "vclinic_signin_failures", "vclinic_signin_lockouts", "vclinic_actor_restarts",
    "vclinic_bus_subscriptions_dropped", "vclinic_media_worker_restarts",
    "vclinic_email_send_failures", "vclinic_database_unavailable",
}
GAUGES = {
    "vclinic_ws_connections", "vclinic_actors", "vclinic_actor_mailbox_depth",
    "vclinic_media_rooms", "vclinic_media_participants", "vclinic_media_worker_load",
    "vclinic_media_up", "vclinic_email_outbox_depth", "vclinic_email_outbox_failed",
    "vclinic_email_outbox_oldest_seconds", "vclinic_on_demand_queue_depth",
    "vclinic_on_demand_queue_longest_wait_seconds",
}


def families(text: str) -> dict[str, object]:
    return {family.name: family for family in text_string_to_metric_families(text)}


async def scrape(client: Client) -> str:
    response = await client.request("GET", "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_metrics_follow_prometheus_conventions(client: Client) -> None:
    await client.signin(PROVIDER, "wrong-password")
    await client.signin(PROVIDER)
    session = await client.request("GET", "/api/v1/sessions/not-a-real-session-id")
    assert session.status_code in (403, 404)
    async with client.ws() as ws:
        await ws.next_event("hello")
        assert (await ws.request("ping"))["type"] == "reply"
        text = await scrape(client)
    found = families(text)
    for name in COUNTERS:
        assert getattr(found.get(name), "type", None) == "counter", name
    for name in GAUGES:
        assert getattr(found.get(name), "type", None) == "gauge", name
    latency = found["vclinic_http_request_duration_seconds"]
    assert getattr(latency, "type", None) == "histogram"
    routes = {s.labels["route"] for s in latency.samples}  # type: ignore[attr-defined]
    assert "/api/v1/auth/signin" in routes
    assert "/api/v1/sessions/<session_id>" in routes
    assert not any("not-a-real-session-id" in route for route in routes)
    assert 'vclinic_signin_failures_total{reason="invalid_credentials"} 1.0' in text
    assert 'vclinic_ws_messages_total{outcome="ok",type="ping"} 1.0' in text
    assert "vclinic_ws_connections 1.0" in text
    assert "vclinic_ws_connections_opened_total 1.0" in text
    assert 'vclinic_media_worker_load{worker="0"}' in text
    for line in text.splitlines():
        # Nothing personal in any label: no email, no session id from a path.
        assert "@" not in line and "not-a-real" not in line, line


async def test_email_failures_and_outbox_depth_are_counted(
    nursery: trio.Nursery, tmp_path: Path,
) -> None:
    node = await start_node(nursery, tmp_path, smtp_port=free_port(),
                            email_retry_seconds=3600)
    await node.context.store.atomic(lambda: enqueue(
        "patient@example.org", "Reminder", "See you soon.", kind="test.reminder"))
    node.context.mailer.wake()
    client = Client(base_url(node))
    try:
        async def failed_once() -> bool:
            return 'vclinic_email_send_failures_total{final="false"} 1.0' in await scrape(client)

        await eventually(failed_once, "the failed delivery to be counted")
        text = await scrape(client)
        assert "vclinic_email_outbox_depth 1.0" in text
        assert "vclinic_email_outbox_failed 0.0" in text
    finally:
        await client.aclose()


async def test_metrics_can_be_served_only_on_their_own_address(
    nursery: trio.Nursery, tmp_path: Path,
) -> None:
    node: Running = await start_node(nursery, tmp_path, metrics_address="127.0.0.1:0")
    [metrics_url] = node.metrics_urls
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{base_url(node)}/metrics")).status_code == 404
        own = await http.get(f"{metrics_url}/metrics")
        assert own.status_code == 200
        assert "vclinic_http_requests_total" in own.text
        assert (await http.get(f"{metrics_url}/api/v1/me")).status_code == 404


async def test_made_up_methods_do_not_grow_the_metrics(client: Client) -> None:
    for made_up in ("PROBE1", "PROBE2", "PROBE3"):
        answer = await client.request(made_up, "/api/v1/me")
        assert answer.status_code == 405
    found = families(await scrape(client))
    for name in ("vclinic_http_requests", "vclinic_http_request_duration_seconds"):
        methods = {sample.labels["method"]  # type: ignore[attr-defined]
                   for sample in found[name].samples}  # type: ignore[attr-defined]
        assert "other" in methods and not any(m.startswith("PROBE") for m in methods), methods
