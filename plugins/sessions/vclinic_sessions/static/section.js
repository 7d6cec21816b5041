// Provider → Telehealth: the caller's sessions (Camera Preview, Copy Link, and Settings for
// Session Chairs) and "Start a Session". The dashboard calls the default export with the
// section's element and its shell ({ user, socket, api }).
import { api, apiAll, me } from "/static/js/api.js";
import { sessionForm } from "/static/js/session_form.js";
import { announce, el, formatWhen, roleName } from "/static/js/ui.js";

async function copyLink(session, row) {
  const links = await api("GET", `/sessions/${encodeURIComponent(session.id)}/links`);
  // Only an Invitation session's guests join by the guest link; colleagues use the practice one.
  const link = session.access_level && session.access_level !== "invitation"
    ? links.practice : links.guest;
  if (!link) {
    announce("This session has no link to share.");
    return;
  }
  const href = new URL(link.path, window.location.origin).href;
  try {
    await navigator.clipboard.writeText(href);
    announce(`The link of ${session.name} is copied.`);
  } catch {
    // Without clipboard access, show the link selected so the keyboard can copy it.
    const shown = row.querySelector(".session-link") || el("input", { class: "session-link",
      type: "text", readonly: true, "aria-label": `Session link of ${session.name}` });
    shown.value = href;
    row.append(shown);
    shown.focus();
    shown.select();
    announce("Select the link and copy it with your keyboard.");
  }
}

// End Session (chairs): closes it for everyone, so that it leaves the list.
async function endSession(session, done) {
  if (!window.confirm(`End ${session.name} for everyone? Its links stop working.`)) return;
  await api("POST", `/sessions/${encodeURIComponent(session.id)}/close`);
  announce(`${session.name} has ended.`);
  await done();
}

function sessionRow(session, openSettings, refresh) {
  const preview = `/preview?session=${encodeURIComponent(session.id)}`;
  const row = el("li", { class: "session-row", "data-session": session.id });
  const status = el("span", { class: "row-status", role: "status" });
  const copy = el("button", { type: "button", text: "Copy Link",
    "aria-label": `Copy Link of ${session.name}`,
    onclick: () => copyLink(session, row).catch((error) => { status.textContent = error.message; }) });
  // Node.append would show a left-out part (null) as the text "null".
  row.append(...[
    el("a", { class: "session-name", href: preview, text: session.name }),
    session.scheduled_at ? el("span", { class: "muted", text: ` ${formatWhen(session.scheduled_at)}` }) : null,
    session.your_role ? el("span", { class: "muted", text: ` · ${roleName(session.your_role)}` }) : null,
    el("div", { class: "row-actions" },
      el("a", { class: "button", href: preview, "aria-label": `Camera Preview of ${session.name}`,
        text: "Camera Preview" }),
      copy,
      session.your_role === "chair" ? el("button", { type: "button", text: "Settings",
        "aria-label": `Settings of ${session.name}`, onclick: () => openSettings(session) })
        : null,
      session.your_role === "chair" ? el("button", { type: "button", class: "danger",
        text: "End Session", "aria-label": `End Session ${session.name}`,
        onclick: () => endSession(session, refresh)
          .catch((error) => { status.textContent = error.message; }) })
        : null),
    status].filter(Boolean));
  return row;
}

export default async function render(element, shell = {}) {
  const info = shell.user ? { user: shell.user } : await me();
  const you = info && info.user ? info.user.id : null;
  const list = el("ul", { class: "session-list", "aria-label": "Your telehealth sessions" });
  const panel = el("div", { class: "session-panel" });
  const start = el("button", { type: "button", class: "primary", text: "Start a Session" });

  async function renderList() {
    const sessions = await apiAll("/sessions", "sessions");
    list.replaceChildren();
    if (!sessions.length) list.append(el("li", { text: "No open sessions." }));
    // Ended sessions stay in the records, not in this list.
    for (const session of sessions.filter((s) => !s.status || s.status === "open")) {
      list.append(sessionRow(session, openSettings, renderList));
    }
    if (!list.children.length) list.append(el("li", { text: "No open sessions." }));
  }

  function close(focus) {
    panel.replaceChildren();
    if (focus) focus.focus();
  }

  async function open(options, returnTo) {
    const form = await sessionForm({ you, onCancel: () => close(returnTo), ...options });
    panel.replaceChildren(form.element);
    form.focus();
  }

  function openSettings(session) {
    const button = list.querySelector(`[data-session="${session.id}"] .row-actions `
      + "button[aria-label^='Settings']");
    open({ sessionId: session.id, onSaved: async () => {
      close(null);
      await renderList();
      announce("Session settings saved.");
      const again = list.querySelector(`[data-session="${session.id}"] a`);
      if (again) again.focus();
    } }, button).catch((error) => {
      panel.replaceChildren(el("p", { class: "error", role: "alert", text: error.message }));
    });
  }

  start.addEventListener("click", () => open({
    onSaved: (created) => window.location.assign(created.next),
  }, start));
  // A colleague who adds you to a session: it appears here without reloading the page.
  if (shell.socket) {
    shell.socket.on("notification.created", (data) => {
      const item = (data && data.notification) || data || {};
      if (item.data && item.data.session_id) renderList().catch(() => {});
    });
  }
  element.replaceChildren(start, panel, list);
  await renderList();
}
