// The dashboard shell: the signed-in user's bar (availability, bell, sign out) and one section
// per enabled workflow, each rendered by its plugin's module (docs/plugins.md,
// vclinic_dashboard_sections). A module's default export is called as
// `render(element, shell)`, where `shell` offers { user, socket, api }.
import { api, me } from "./api.js";
import { Bell } from "./bell.js";
import { el, setBanner } from "./ui.js";
import { Socket } from "./ws.js";

const AVAILABILITY = "availability";

async function renderSection(section, element, shell) {
  try {
    const module = await import(section.module_url);
    await module.default(element, shell);
  } catch (error) {
    console.error(`dashboard section ${section.id} failed`, error);
    element.replaceChildren(el("p", { class: "error",
      text: "This section could not be loaded. Reload the page to try again." }));
  }
}

// A link into the dashboard (a notification's "/dashboard#on-demand-request-…") names an
// element that exists only once its section has rendered, so the browser cannot scroll to it
// on load: scroll once the sections are drawn, falling back to the section the name starts with.
function showTarget(sections) {
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id) return;
  const section = sections.find((s) => id === s.id || id.startsWith(`${s.id}-`));
  const target = document.getElementById(id)
    || (section && document.getElementById(`section-${section.id}`));
  if (!target) return;
  target.scrollIntoView({ block: "center" });
  target.classList.add("targeted");
}

async function main() {
  const info = await me();
  if (!info) {
    window.location.replace("/signin");
    return;
  }
  if (info.user.guest) {
    // A guest (signed in only by a session link) sees nothing of the practice.
    window.location.replace("/left");
    return;
  }
  document.getElementById("user-name").textContent = info.user.name;
  document.getElementById("admin-link").hidden = !(info.user.roles || []).includes("admin");
  document.getElementById("org-name").textContent = info.user.organisation.slug;
  document.getElementById("signout").addEventListener("click", async () => {
    await api("POST", "/auth/signout");
    window.location.replace("/signin");
  });

  const socket = new Socket();
  socket.onState((state) => setBanner("connection", {
    reconnecting: "Connection lost. Reconnecting…",
  }[state] || "", "warning"));
  const bell = new Bell(document.getElementById("bell"), socket);
  const shell = { user: info.user, socket, api };
  const ready = Promise.all([bell.load(), socket.connect().catch(() => null)]);

  const { sections } = await api("GET", "/dashboard");
  const container = document.getElementById("sections");
  const status = document.getElementById("status");
  const rendering = [];
  for (const section of sections) {
    if (section.id === AVAILABILITY) {
      const slot = document.getElementById("availability");
      slot.hidden = false;
      slot.setAttribute("aria-label", section.title);
      rendering.push(renderSection(section, slot, shell));
      continue;
    }
    const heading = el("h2", { id: `section-${section.id}-title`, text: section.title });
    const body = el("div", { class: "section-body" });
    container.append(el("section", { class: "card section", id: `section-${section.id}`,
      "aria-labelledby": heading.id, "data-section": section.id }, heading, body));
    rendering.push(renderSection(section, body, shell));
  }
  const shown = sections.filter((s) => s.id !== AVAILABILITY).length;
  status.textContent = shown ? "" : "No workflows are enabled for your organisation yet.";
  status.hidden = shown > 0;
  await Promise.all([ready, ...rendering]);
  showTarget(sections);
  window.addEventListener("hashchange", () => showTarget(sections));
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  console.error(error);
  document.getElementById("status").textContent =
    "The dashboard could not be loaded. Check your connection and reload the page.";
});
