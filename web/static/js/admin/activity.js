// Administration → Recent activity: the organisation's audit trail, newest first (who did what,
// when; records by id). API: GET /admin/activity?offset=&limit= (docs/api.md, docs/admin.md).
import { el } from "../ui.js";
import { resultLine, run } from "./form.js";

const PAGE = 50;
const ACTIONS = {
  "user.created": "Added an account", "user.invited": "Invited an account by email",
  "user.roles_changed": "Changed an account's roles", "user.deactivated": "Deactivated an account",
  "user.activated": "Reactivated an account", "user.password_reset": "Set an account's password",
  "user.password_reset_sent": "Emailed a password reset link",
  "user.password_reset_completed": "Set their password from a reset link",
  "service.added": "Added an Account Service", "service.renamed": "Renamed an Account Service",
  "service.removed": "Removed an Account Service",
  "organisation.updated": "Changed the organisation settings",
  "session.ended_by_admin": "Ended a session for everyone",
  "virtual_clinic.settings_changed": "Changed the Virtual Clinic settings",
  "on_demand.intake_changed": "Changed the On-Demand setup guide",
};

function when(iso, timeZone) {
  const date = new Date(iso);
  try {
    return date.toLocaleString([], { dateStyle: "medium", timeStyle: "short", timeZone });
  } catch {
    return date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }
}

export default async function render(element, shell) {
  const { api } = shell;
  const timeZone = (shell.organisation && shell.organisation.timezone) || undefined;
  const result = resultLine();
  const body = el("tbody");
  const table = el("table", { class: "admin-table", id: "admin-activity" },
    el("caption", { class: "visually-hidden", text: "Recent activity, newest first" }),
    el("thead", {}, el("tr", {}, ...["When", "Who", "What", "Record"].map(
      (c) => el("th", { scope: "col", text: c })))), body);
  const more = el("button", { type: "button", text: "Show older" });
  const refresh = el("button", { type: "button", text: "Refresh" });
  let shown = 0;

  function row(event) {
    return el("tr", { "data-action": event.action },
      el("td", { "data-label": "When", text: when(event.created_at, timeZone) }),
      el("td", { "data-label": "Who", text: event.actor_name || "The system" }),
      el("td", { "data-label": "What", text: ACTIONS[event.action] || event.action }),
      el("td", { "data-label": "Record" }, ...event.target_ids.map(
        (id) => el("code", { text: id.slice(0, 8), title: id }))));
  }

  async function load(reset) {
    const offset = reset ? 0 : shown;
    const page = await api("GET", `/admin/activity?offset=${offset}&limit=${PAGE}`);
    if (reset) body.replaceChildren();
    body.append(...page.events.map(row));
    shown = offset + page.events.length;
    if (!shown) body.append(el("tr", {}, el("td", { colspan: "4", text: "Nothing yet." })));
    more.hidden = shown >= page.total;
    return page;
  }

  more.addEventListener("click", async () => {
    const page = await run(more, result, () => load(false));
    if (page) result.ok(`Showing ${shown} of ${page.total}.`);
  });
  refresh.addEventListener("click", async () => {
    const page = await run(refresh, result, () => load(true));
    if (page) result.ok(`Recent activity refreshed: ${page.total} in all.`);
  });
  element.replaceChildren(el("div", { class: "row-actions" }, refresh),
    el("div", { class: "admin-table-wrap" }, table), el("div", { class: "row-actions" }, more),
    result.node);
  await load(true);
}
