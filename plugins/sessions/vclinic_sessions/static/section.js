// Provider → Telehealth: the caller's sessions and "Start a Session".
// The dashboard imports this module and calls its default export with the section's element.
import { api, me } from "/static/js/api.js";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

async function renderList(list) {
  const { sessions } = await api("GET", "/sessions");
  list.replaceChildren();
  if (!sessions.length) list.append(el("li", { text: "No open sessions." }));
  for (const session of sessions) {
    const link = el("a", { href: `/preview?session=${encodeURIComponent(session.id)}`,
                           text: session.name });
    const when = session.scheduled_at ? ` (${new Date(session.scheduled_at).toLocaleString()})` : "";
    list.append(el("li", {}, link, when));
  }
}

function startForm(list) {
  const form = el("form", { "aria-label": "Start a Session" });
  const name = el("input", { id: "session-name", name: "name", required: "", maxlength: "200",
                             placeholder: "2020-04-15 09:30 Dr. Campo - New Patient Consult" });
  const when = el("input", { id: "session-when", name: "scheduled_at", type: "datetime-local" });
  const status = el("p", { role: "status" });
  form.append(
    el("label", { for: "session-name", text: "Session name" }), name,
    el("label", { for: "session-when", text: "Date and time (optional)" }), when,
    el("button", { type: "submit", text: "OK" }), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const confirmed = window.confirm(
      "Anyone you share the session link with will be able to join this session.");
    if (!confirmed) return;
    const body = { name: name.value, access_level: "invitation", confirm_link_reminder: true };
    if (when.value) body.scheduled_at = new Date(when.value).toISOString();
    try {
      const created = await api("POST", "/sessions", body);
      window.location.assign(created.next);
    } catch (error) {
      status.textContent = error.message;
    }
  });
  return form;
}

export default async function render(element) {
  await me();  // loads the CSRF token for the writes below
  const list = el("ul", { "aria-label": "Your telehealth sessions" });
  const start = el("button", { type: "button", text: "Start a Session" });
  let form = null;
  start.addEventListener("click", () => {
    if (!form) { form = startForm(list); element.append(form); }
    form.querySelector("input").focus();
  });
  element.replaceChildren(start, list);
  await renderList(list);
}
