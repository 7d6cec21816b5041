"""The table ``vclinic plugins`` prints: installed plugins and whether each is enabled."""

from __future__ import annotations

from vclinic.plugins.host import PluginHost

_COLUMNS = ("NAME", "VERSION", "ENABLED", "SOURCE", "DESCRIPTION")


def format_plugin_table(host: PluginHost) -> str:
    """A plain-text table of ``host.installed()`` with a summary line, for a terminal."""
    infos = host.installed()
    if not infos:
        return "No plugins installed (entry-point group 'vclinic' is empty).\n"
    rows = [
        (
            info.name,
            info.version or "-",
            "yes" if info.enabled else "no",
            info.source,
            info.title + (f": {info.description}" if info.description else "") or "-",
        )
        for info in infos
    ]
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS) - 1)]
    lines = []
    for row in [_COLUMNS, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    enabled = sum(1 for info in infos if info.enabled)
    lines.append("")
    lines.append(f"{len(infos)} installed, {enabled} enabled")
    return "\n".join(lines) + "\n"
