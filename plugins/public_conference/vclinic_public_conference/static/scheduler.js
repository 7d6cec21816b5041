// Public Conference → the Scheduler's events not yet over. On an event (right-click, or its
// "Actions" button for keyboard and touch): Join Conference, Cancel Conference, Get Public
// Conference Link, Get My Conference Link. "Open" lists its staff members and patients, each
// with Copy/Send-by-SMS/Send-by-Email of their own join link. The dashboard calls render(element).
import { api, ApiError } from "/static/js/api.js";
import { el } from "/static/js/ui.js";

const STYLESHEET = "/static/conference/conference.css";

function errorText(error) {
  return error instanceof ApiError ? error.message
    : "The server could not be reached. Check your connection and try again.";
}

function when(event) {
  const start = new Date(event.starts_at);
  return `${start.toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}, ` +
    `${event.duration_minutes} min`;
}

// A menu of actions behind a button; right-click on `target` opens it too.
function actionMenu(label, target, items) {
  const list = el("ul", { class: "conference-menu", role: "menu", hidden: "" });
  const button = el("button", { type: "button", class: "secondary", "aria-haspopup": "menu",
                                "aria-expanded": "false", text: label });
  const close = () => { list.hidden = true; button.setAttribute("aria-expanded", "false"); };
  const open = () => {
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    list.querySelector("button").focus();
  };
  for (const [text, action] of items) {
    const item = el("button", { type: "button", role: "menuitem", text });
    item.addEventListener("click", async () => { close(); await action(); });
    list.append(el("li", { role: "none" }, item));
  }
  button.addEventListener("click", () => (list.hidden ? open() : close()));
  list.addEventListener("keydown", (e) => { if (e.key === "Escape") { close(); button.focus(); } });
  target.addEventListener("contextmenu", (e) => { e.preventDefault(); open(); });
  return el("span", { class: "conference-actions" }, button, list);
}

async function copy(link, status) {
  try {
    await navigator.clipboard.writeText(link.link);
    status.textContent = link.message;
  } catch {
    status.textContent = `Copy this link: ${link.link}`;
  }
}

function say(status, text) {
  status.textContent = text;  // a role="status" region: screen readers hear it
}

function personRow(event, person, status) {
  const who = person.kind === "staff" ? "Staff" : "Patient";
  const base = `/conferences/${event.id}/members/${person.id}`;
  const row = el("li", { class: "conference-person", tabindex: "0" },
                 el("span", { text: `${person.name} (${who === "Staff" ? "staff" : "patient"})` }));
  row.append(actionMenu(`Actions for ${person.name}`, row, [
    [`Copy ${who} Join Link to Clipboard`,
     async () => copy(await api("GET", `${base}/link`), status)],
    [`Send ${who} Join Link by SMS`, async () => {
      try { await api("POST", `${base}/sms`); say(status, `${who} Join Link sent by SMS.`); }
      catch (error) { say(status, errorText(error)); }
    }],
    [`Send ${who} Join Link by Email`, async () => {
      try { await api("POST", `${base}/email`); say(status, `${who} Join Link sent by email.`); }
      catch (error) { say(status, errorText(error)); }
    }],
  ]));
  return row;
}

function eventRow(event, status, refresh) {
  const people = el("ul", { class: "conference-people", hidden: "" });
  for (const person of event.members) people.append(personRow(event, person, status));
  const title = el("strong", { text: event.title });
  const row = el("li", { class: "conference-event", tabindex: "0" }, title,
                 el("span", { text: ` · ${when(event)}` }));
  const toggle = el("button", { type: "button", class: "secondary", "aria-expanded": "false",
                                text: "Open" });
  toggle.addEventListener("click", () => {
    people.hidden = !people.hidden;
    toggle.setAttribute("aria-expanded", String(!people.hidden));
  });
  const items = [
    ["Join Conference", async () => {
      try { location.assign((await api("POST", `/conferences/${event.id}/join`)).next); }
      catch (error) { say(status, errorText(error)); }
    }],
    ["Cancel Conference", async () => {
      try { await api("POST", `/conferences/${event.id}/cancel`); await refresh(); }
      catch (error) { say(status, errorText(error)); }
    }],
  ];
  if (event.public_conference) {
    items.push(["Get Public Conference Link", async () => {
      try {
        const { link } = await api("GET", `/conferences/${event.id}/public-link`);
        await copy({ link, message: `Public Conference Link: ${link}` }, status);
      } catch (error) { say(status, errorText(error)); }
    }]);
  }
  items.push(["Get My Conference Link", async () => {
    try {
      const { link } = await api("GET", `/conferences/${event.id}/my-link`);
      await copy({ link, message: `My Conference Link: ${link}` }, status);
    } catch (error) { say(status, errorText(error)); }
  }]);
  row.append(toggle, actionMenu(`Actions for ${event.title}`, title, items), people);
  return row;
}

function field(id, label, attrs = {}) {
  const input = el("input", { id, name: id, ...attrs });
  return [el("label", { for: id, text: label }), input];
}

// Schedule Event: type, title, start, duration, the staff members and one patient to link.
async function eventForm(status, refresh) {
  const [{ event_types: types }, { staff }] = await Promise.all([
    api("GET", "/conferences/event-types"), api("GET", "/conferences/staff")]);
  const type = el("select", { id: "conference-type", name: "type" },
    ...types.filter((t) => t.video_conferencing).map((t) => el("option", { value: t.id,
      text: t.public_conference ? `${t.name} (Public Conference)` : t.name })));
  const people = el("fieldset", {}, el("legend", { text: "Staff members" }),
    ...staff.map((u) => el("label", {}, el("input", { type: "checkbox", value: u.id,
                                                       name: "staff" }), ` ${u.name}`)));
  const form = el("form", { class: "conference-event-form", hidden: "" },
    el("label", { for: "conference-type", text: "Event type" }), type,
    ...field("conference-title", "Title", { required: "", maxlength: "200" }),
    ...field("conference-start", "Start", { type: "datetime-local", required: "" }),
    ...field("conference-minutes", "Duration (minutes)", { type: "number", min: "5",
                                                          max: "480", value: "60" }),
    people,
    ...field("conference-patient", "Patient name (optional)", { maxlength: "200" }),
    ...field("conference-patient-email", "Patient email", { type: "email" }),
    ...field("conference-patient-phone", "Patient mobile", { type: "tel" }),
    el("button", { type: "submit", text: "Save" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id) => form.querySelector(`#${id}`).value.trim();
    const patient = value("conference-patient");
    try {
      const saved = await api("POST", "/conferences", {
        type_id: type.value, title: value("conference-title"),
        starts_at: new Date(value("conference-start")).toISOString(),
        duration_minutes: Number(value("conference-minutes")),
        staff: [...form.querySelectorAll("input[name=staff]:checked")].map((i) => i.value),
        patients: patient ? [{ name: patient, email: value("conference-patient-email") || null,
                               phone: value("conference-patient-phone") || null }] : [],
      });
      say(status, saved.confirmation);
      form.reset();
      form.hidden = true;
      await refresh();
    } catch (error) {
      say(status, errorText(error));
    }
  });
  const open = el("button", { type: "button", text: "Schedule Event" });
  open.addEventListener("click", () => { form.hidden = !form.hidden; });
  return [open, form];
}

export default async function render(element) {
  if (!document.querySelector(`link[href="${STYLESHEET}"]`)) {
    document.head.append(el("link", { rel: "stylesheet", href: STYLESHEET }));
  }
  const list = el("ul", { class: "conference-events" });
  const status = el("p", { class: "conference-status", role: "status" });
  element.replaceChildren(list, status);
  element.prepend(...await eventForm(status, refresh).catch(() => []));
  async function refresh() {
    try {
      const { events } = await api("GET", "/conferences");
      list.replaceChildren(...events.map((event) => eventRow(event, status, refresh)));
      if (!events.length) list.append(el("li", { text: "No conferences are scheduled." }));
    } catch (error) {
      say(status, errorText(error));
    }
  }
  await refresh();
}
