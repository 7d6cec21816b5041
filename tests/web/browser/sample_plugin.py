"""A throwaway plugin for the dashboard contract, written into a node's ``plugins_dir``."""

from __future__ import annotations

from pathlib import Path

# Two throwaway plugins for the dashboard contract, loaded from the node's plugins_dir exactly
# as a deployment's local plugins are: a section, and the "availability" control of the top bar.
SECTION_PLUGIN = '''
from pathlib import Path
from vclinic.plugins import DashboardSection, hookimpl

VCLINIC_PLUGIN_API = (1, 0)
WITH_SECTION = {with_section}


@hookimpl
def vclinic_static_dirs():
    return {"/static/today": Path(__file__).parent / "static"}


@hookimpl
def vclinic_dashboard_sections(principal):
    sections = []
    if WITH_SECTION:
        sections.append(DashboardSection("today", "Today's Sessions", "/static/today/section.js",
                                         order=20))
    if "provider" in principal.roles:
        sections.append(DashboardSection("availability", "Availability",
                                         "/static/today/availability.js"))
    return sections
'''
SECTION_JS = '''
export default function render(element, shell) {
  const p = document.createElement("p");
  p.textContent = `No sessions today, ${shell.user.name}.`;
  element.append(p);
}
'''
AVAILABILITY_JS = '''
export default function render(element) {
  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-pressed", "false");
  button.textContent = "I Am Unavailable for Sessions";
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? "I Am Available for Sessions" : "I Am Unavailable for Sessions";
  });
  element.append(button);
}
'''


def write_test_plugins(root: Path, with_section: bool = True) -> Path:
    """Write the plugin ``today`` under ``root``: the availability control for providers and,
    with ``with_section``, a "Today's Sessions" section for everyone."""
    package = root / "today"
    (package / "static").mkdir(parents=True)
    (package / "__init__.py").write_text(SECTION_PLUGIN.replace("{with_section}",
                                                                 str(with_section)))
    (package / "static" / "section.js").write_text(SECTION_JS)
    (package / "static" / "availability.js").write_text(AVAILABILITY_JS)
    return root
