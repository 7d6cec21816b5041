// Small DOM helpers shared by the pages: element building, live announcements, banners and
// time formatting. Pages stay readable without a framework.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Screen readers hear `text` through the page's polite live region (created on first use).
export function announce(text) {
  let region = document.getElementById("announcer");
  if (!region) {
    region = el("div", { id: "announcer", class: "visually-hidden", "aria-live": "polite" });
    document.body.append(region);
  }
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

// Shows `text` in the element with id `id` (a banner or status line); hides it when empty.
export function setBanner(id, text, kind = "info") {
  const node = document.getElementById(id);
  if (!node) return;
  node.textContent = text || "";
  node.hidden = !text;
  node.dataset.kind = kind;
}

// Where the Camera Preview keeps the participant's answer to recording consent for the call page.
export function consentKey(sessionId) {
  return `vclinic.consent_recording.${sessionId}`;
}

export function formatClock(totalSeconds) {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0");
  return `${h ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

export function formatWhen(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

export function sessionIdFromUrl() {
  return new URLSearchParams(location.search).get("session");
}

// The words the seed articles use for roles and participant states.
export const ROLE_NAMES = {
  chair: "Session Chair", session_chair: "Session Chair", broadcaster: "Broadcaster",
  viewer: "Viewer", guest: "Guest", provider: "Provider", patient: "Patient",
  moderator: "Moderator",
};

export const STATE_NAMES = {
  invited: "Invited", waiting: "In Waiting Room", connected: "Connected",
  reconnecting: "Reconnecting", left: "Left", removed: "Removed",
};

export function roleName(role) {
  return ROLE_NAMES[role] || (role ? role.replace(/_/g, " ") : "");
}

// A name the server made carries its time in UTC ("On-Demand visit 2026-12-04 14:30 UTC"):
// show that time in the reader's own time zone.
export function localName(name) {
  const match = /^(.*) (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC$/.exec(name || "");
  if (!match) return name;
  const when = new Date(`${match[2]}T${match[3]}:00Z`);
  if (Number.isNaN(when.getTime())) return name;
  return `${match[1]} ${when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}`;
}

// Set by a page that moves its user to the Camera Preview because someone is ready to see
// them (an On-Demand patient whose request a provider claimed).
export function readyKey(sessionId) {
  return `vclinic.ready.${sessionId}`;
}
