// Administration → Sessions in progress: the organisation's open sessions (ids, workflow,
// access, start, participants; the name only of sessions the admin is on, since a name may
// carry a patient's) with End for Everyone.
// API: GET /admin/sessions, POST /admin/sessions/<id>/end (docs/api.md).
import { el } from "../ui.js";
import { resultLine, run } from "./form.js";

const WORKFLOWS = { sessions: "Telehealth", virtual_clinic: "Virtual Clinic",
  on_demand: "On-Demand", visits: "Virtual visit", public_conference: "Public Conference" };
const ACCESS = { private: "Private", internal: "Internal", invitation: "Invitation" };

// In the organisation's time zone, so that every admin reads the same clock.
function when(iso, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  try {
    return date.toLocaleString([], { dateStyle: "medium", timeStyle: "short", timeZone,
      timeZoneName: "short" });
  } catch {
    return date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }
}

export default async function render(element, shell) {
  const { api } = shell;
  const timeZone = (shell.organisation && shell.organisation.timezone) || undefined;
  const result = resultLine();
  const table = el("table", { class: "admin-table", id: "admin-sessions" });
  const refresh = el("button", { type: "button", text: "Refresh" });

  function row(s) {
    const short = s.id.slice(0, 8);
    const end = el("button", { type: "button", class: "danger", text: "End for Everyone",
      "aria-label": `End for Everyone: session ${short}` });
    end.addEventListener("click", async () => {
      if (!window.confirm(`End session ${short} for everyone? Everyone in it is disconnected `
        + "and its links stop working.")) return;
      const done = await run(end, result, () => api("POST", `/admin/sessions/${s.id}/end`));
      if (done) {
        result.ok(`Session ${short} was ended for everyone.`);
        await reload();
        refresh.focus();
      }
    });
    return el("tr", { "data-session": s.id },
      el("th", { scope: "row" }, el("code", { text: short, title: s.id }),
        s.name ? el("span", { class: "admin-session-name", text: s.name }) : null),
      el("td", { "data-label": "Workflow", text: WORKFLOWS[s.workflow] || s.workflow }),
      el("td", { "data-label": "Access", text: ACCESS[s.access_level] || s.access_level }),
      el("td", { "data-label": "Started", text: when(s.started_at, timeZone) }),
      el("td", { "data-label": "Participants",
        text: `${s.present} in the call of ${s.participants}` }),
      el("td", {}, end));
  }

  async function reload() {
    const { sessions } = await api("GET", "/admin/sessions");
    const head = el("thead", {}, el("tr", {}, ...["Session", "Workflow", "Access", "Started",
      "Participants", "Action"].map((c) => el("th", { scope: "col", text: c }))));
    const body = el("tbody", {}, ...sessions.map(row));
    if (!sessions.length) {
      body.append(el("tr", {}, el("td", { colspan: "6", text: "No session is open." })));
    }
    table.replaceChildren(el("caption", { class: "visually-hidden",
      text: "Open sessions, oldest first" }), head, body);
  }

  refresh.addEventListener("click", async () => {
    const done = await run(refresh, result, async () => { await reload(); return true; });
    if (done) result.ok("Sessions in progress refreshed.");
  });
  element.replaceChildren(el("div", { class: "row-actions" }, refresh),
    el("div", { class: "admin-table-wrap" }, table), result.node);
  await reload();
}
