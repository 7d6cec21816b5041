"""Smoke tests of the media forwarding benchmark's machinery (``benchmarks/media_forward.py``).

They run the real load generators against a real vclinic media worker (and, where installed,
Janus) in the quickest mode and check the figures' shape, never their values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import media_forward, report
from benchmarks.janus import check_loopback, janus_available
from tests.conftest import require

QUICKEST = ["--quick", "--no-pin", "--steps", "1", "--max-subscribers", "1", "--window", "1",
            "--settle", "0.5"]
FIGURES = {
    "cpu_us_per_forwarded_packet", "forwarded_packets_per_second", "decoded_fps", "sent_fps",
    "latency_ms_p50", "latency_ms_p99", "server_cpu_percent", "steps",
    "max_subscribers_without_drops",
}


async def _run(tmp_path: Path, servers: str) -> dict:
    args = media_forward.parse_args([*QUICKEST, "--servers", servers])
    lines: list[str] = []
    figures = await media_forward.run(args, lines.append)
    report.write(figures, str(tmp_path / "media_forward.json"), str(tmp_path / "benchmarks.md"))
    return json.loads((tmp_path / "media_forward.json").read_text())


async def test_vclinic_quick_run_writes_every_figure(tmp_path: Path) -> None:
    doc = await _run(tmp_path, "vclinic")
    assert set(doc["vclinic"]) >= FIGURES
    step = doc["vclinic"]["steps"][0]
    assert step["subscribers"] == 1
    assert step["forwarded_packets"] > 0
    assert step["decoded_fps"] > 0
    markdown = (tmp_path / "benchmarks.md").read_text()
    assert report.START in markdown and report.END in markdown
    assert "vclinic" in markdown


@pytest.mark.slow
async def test_janus_quick_run_on_loopback_writes_every_figure(tmp_path: Path) -> None:
    require(janus_available(), "Janus (Debian package janus) and gcc")
    doc = await _run(tmp_path, "janus")
    assert set(doc["janus"]) >= FIGURES
    assert doc["janus"]["steps"][0]["forwarded_packets"] > 0


def test_regenerating_the_section_keeps_the_rest_of_the_page(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Benchmarks\n\nIntro.\n\n{report.START}\nold\n{report.END}\n\n## Other\n")
    doc = {
        "vclinic": {"steps": [], "max_subscribers_without_drops": 0},
        "setup": {"measured_at": "now", "publishers": 1, "decoding_subscribers": 1,
                  "video": {"width": 1, "height": 1, "fps": 1, "bitrate": 1000},
                  "cpus": 2, "machine": "x", "window_seconds": 1, "min_fps_ratio": 0.9,
                  "max_latency_ms": 1000, "nice": 0,
                  "headline_subscribers": None},
    }
    report.write(doc, str(tmp_path / "out.json"), str(page))
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nIntro.")
    assert text.rstrip().endswith("## Other")
    assert "old" not in text
    assert text.count(report.START) == 1


def test_a_janus_candidate_off_loopback_aborts_the_run() -> None:
    check_loopback("a=candidate:1 1 udp 2015363583 127.0.0.1 40000 typ host\r\n")
    with pytest.raises(RuntimeError, match=r"outside 127\.0\.0\.0/8"):
        check_loopback("a=candidate:1 1 udp 2015363583 192.0.2.2 40000 typ host\r\n")
    with pytest.raises(RuntimeError, match=r"outside 127\.0\.0\.0/8"):
        check_loopback("c=IN IP4 10.0.0.1\r\n")
