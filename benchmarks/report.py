"""Figures and report of the media forwarding benchmark: the JSON file and the markdown section.

Owned by :mod:`benchmarks.media_forward`. The markdown section lives between
:data:`START` and :data:`END` in ``docs/benchmarks.md``; everything outside the markers is kept.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
from typing import Any

from benchmarks.fleet import Video
from benchmarks.measure import Step

START = "<!-- media_forward:start -->"
END = "<!-- media_forward:end -->"
HEADLINE = (
    ("cpu_us_per_forwarded_packet", "Server CPU per forwarded packet (µs)"),
    ("forwarded_packets_per_second", "Forwarded packets per second"),
    ("server_cpu_percent", "Server CPU (% of one core)"),
    ("sent_fps", "Sent fps per publisher"),
    ("decoded_fps", "Decoded fps per stream at decoding subscribers"),
    ("latency_ms_p50", "Latency stamp → decode p50 (ms)"),
    ("latency_ms_p99", "Latency stamp → decode p99 (ms)"),
    ("delivered_ratio", "Packets delivered / packets expected"),
    ("clients_cpu_percent", "Load generators CPU (% of one core)"),
)


def step_line(step: Step) -> str:
    return (f"S={step.subscribers:3d} cpu={step.server_cpu_percent:5.1f}% "
            f"pps={step.forwarded_packets_per_second:7.0f} "
            f"us/pkt={step.cpu_us_per_forwarded_packet} fps={step.decoded_fps}/{step.sent_fps} "
            f"p50={step.latency_ms_p50}ms p99={step.latency_ms_p99}ms "
            f"delivered={step.delivered_ratio} clients={step.clients_cpu_percent:.0f}% "
            f"cores busy={step.server_core_busy_percent}%/{step.clients_core_busy_percent}% "
            f"connected={step.connected}")


def marginal_cost(steps: list[Step]) -> float | None:
    """Least-squares slope of server CPU against forwarded packets per second, in µs/packet.

    The per-step figure also carries the server's fixed costs (timers, RTCP, receiving the
    publishers); the slope is what one more forwarded packet costs.
    """
    points = [(s.forwarded_packets_per_second, s.server_cpu_percent * 1e4) for s in steps]
    if len({x for x, _ in points}) < 3:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return round(num / den, 2)


def figures(results: dict[str, list[Step]], args: argparse.Namespace, video: Video) -> dict:
    """The JSON document: headline figures per server at a common load, and every step."""
    ratio = args.min_fps_ratio
    held = {name: {s.subscribers for s in steps if s.holds(ratio, args.max_latency_ms)}
            for name, steps in results.items()}
    common = set.intersection(*held.values()) if held else set()
    at = max(common) if common else None
    out: dict[str, Any] = {}
    for name, steps in results.items():
        chosen = next((s for s in steps if s.subscribers == at), steps[-1] if steps else None)
        entry: dict[str, Any] = chosen.as_dict() if chosen else {}
        cpu = sum(s.server_cpu_percent * s.seconds / 100 for s in steps)
        packets = sum(s.forwarded_packets for s in steps)
        entry["cpu_us_per_forwarded_packet_all_steps"] = (
            round(cpu * 1e6 / packets, 2) if packets else None)
        entry["marginal_cpu_us_per_forwarded_packet"] = marginal_cost(
            [s for s in steps if s.holds(ratio, args.max_latency_ms)])
        entry["max_subscribers_without_drops"] = max(held[name], default=0)
        entry["steps"] = [s.as_dict() for s in steps]
        out[name] = entry
    out["setup"] = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "headline_subscribers": at,
        "publishers": args.publishers,
        "decoding_subscribers": args.decoders,
        "video": {"width": video.width, "height": video.height, "fps": video.fps,
                  "bitrate": video.bitrate, "codec": "VP8"},
        "audio": "Opus, 20 ms frames (silence)",
        "window_seconds": args.window,
        "min_fps_ratio": ratio,
        "max_latency_ms": args.max_latency_ms,
        "quick": bool(args.quick),
        "pinned": not args.no_pin,
        "nice": args.priority,
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "forwarded_packets_counted_at": "subscribers (RTP packets received after SRTP)",
    }
    return out


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def verdict(doc: dict[str, Any]) -> str:
    vclinic = doc.get("vclinic", {}).get("cpu_us_per_forwarded_packet")
    janus = doc.get("janus", {}).get("cpu_us_per_forwarded_packet")
    if vclinic is None or janus is None:
        return "Only one server was measured in this run."
    if vclinic <= janus:
        return (f"**Target met**: vclinic's worker spends {vclinic:.1f} µs of CPU per forwarded "
                f"packet, Janus {janus:.1f} µs.")
    return (f"**Target not met**: vclinic's worker spends {vclinic:.1f} µs of CPU per forwarded "
            f"packet, {vclinic / janus:.1f} times Janus's {janus:.1f} µs.")


def markdown(doc: dict[str, Any]) -> str:
    setup = doc["setup"]
    servers = [name for name in ("vclinic", "janus") if name in doc]
    video = setup["video"]
    lines = [
        START,
        "## Media forwarding: vclinic worker vs Janus 1.1.2 VideoRoom",
        "",
        "_Generated by `make bench-media` (`benchmarks/media_forward.py`) on "
        f"{setup['measured_at']}; edit the script, not this section._",
        "",
        f"{setup['publishers']} publishers (VP8 {video['width']}x{video['height']} at "
        f"{video['fps']} fps, pinned to {video['bitrate'] // 1000} kbit/s, plus Opus) to S "
        f"subscribers, all aiortc peers on 127.0.0.1; {setup['decoding_subscribers']} "
        "subscribers decode, the others count packets. Server on core 0, load generators on "
        f"core 1 ({setup['cpus']} cores, {setup['machine']}); servers, publishers and decoders "
        f"at nice {setup['nice']} (the machine is shared with other work). Each step measured for "
        f"{setup['window_seconds']} s; S grows until the decoding subscribers get fewer than "
        f"{setup['min_fps_ratio']:.0%} of the frames sent, the subscribers fewer than "
        f"{setup['min_fps_ratio']:.0%} of the packets, or the median latency exceeds "
        f"{setup['max_latency_ms']:.0f} ms (a backlog); a failing window is measured twice. "
        "Server CPU from `/proc/<pid>/stat`; forwarded packets counted at the subscribers.",
        "",
        f"Headline at S = {setup['headline_subscribers']} (the largest S both servers held):",
        "",
        "| Figure | " + " | ".join(servers) + " |",
        "|---|" + "---:|" * len(servers),
    ]
    for key, label in HEADLINE:
        lines.append(f"| {label} | " + " | ".join(_cell(doc[s].get(key)) for s in servers) + " |")
    lines.append("| Marginal server CPU per forwarded packet, slope over held steps (µs) | "
                 + " | ".join(_cell(doc[s].get("marginal_cpu_us_per_forwarded_packet"))
                              for s in servers) + " |")
    lines.append("| Largest S without drops | "
                 + " | ".join(_cell(doc[s]["max_subscribers_without_drops"]) for s in servers)
                 + " |")
    lines += ["", verdict(doc), ""]
    for name in servers:
        lines += [f"### {name}: every step", "",
                  "| S | server CPU % | packets/s | µs/packet | fps decoded/sent | "
                  "p50 ms | p99 ms | delivered | core 0 / core 1 busy % |", "|" + "---:|" * 9]
        for s in doc[name]["steps"]:
            lines.append(
                f"| {s['subscribers']} | {_cell(s['server_cpu_percent'])} | "
                f"{_cell(s['forwarded_packets_per_second'])} | "
                f"{_cell(s['cpu_us_per_forwarded_packet'])} | "
                f"{_cell(s['decoded_fps'])}/{_cell(s['sent_fps'])} | "
                f"{_cell(s['latency_ms_p50'])} | {_cell(s['latency_ms_p99'])} | "
                f"{_cell(s['delivered_ratio'])} | {_cell(s['server_core_busy_percent'])} / "
                f"{_cell(s['clients_core_busy_percent'])} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write(doc: dict[str, Any], json_path: str, markdown_path: str) -> None:
    """Write the JSON file and replace (or append) the section in the markdown file."""
    os.makedirs(os.path.dirname(json_path) or ".", exist_ok=True)
    with open(json_path, "w") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    section = markdown(doc)
    try:
        with open(markdown_path) as fh:
            text = fh.read()
    except FileNotFoundError:
        text = "# Benchmarks\n\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(markdown_path, "w") as fh:
        fh.write(text)
