// The invite list of a session about to start: each colleague ticked to be invited, with their
// Role (Session Chair, Broadcaster, Viewer). The user starting the session is always on it as
// Session Chair. Used by Create Telehealth Session's confirm step (scheduling_confirm.js).
import { ROLES } from "/static/js/participants_editor.js";
import { el, roleName } from "/static/js/ui.js";

function youRow(you) {
  return el("tr", { "data-user-id": you.user_id },
    el("td", {}, el("input", { type: "checkbox", checked: true, disabled: true,
                               "aria-label": `${you.name} (you) is invited` })),
    el("th", { scope: "row", text: `${you.name} (you)` }),
    el("td", { text: roleName("chair") }));
}

function personRow(person) {
  const role = el("select", { "aria-label": `Role for ${person.name}` },
    ROLES.map((r) => el("option", { value: r, text: roleName(r), selected: r === person.role })));
  const invite = el("input", { type: "checkbox", checked: true,
                               "aria-label": `Invite ${person.name}` });
  invite.addEventListener("change", () => { role.disabled = !invite.checked; });
  const row = el("tr", { "data-user-id": person.user_id },
    el("td", {}, invite), el("th", { scope: "row", text: person.name }), el("td", {}, role));
  return { row, value: () => (invite.checked ? { user_id: person.user_id, role: role.value }
                                             : null) };
}

// `people`: [{user_id, name, role}] as proposed by the Appointment Summary; `you`: {user_id,
// name}. Returns { element, value } where value() is the ticked colleagues' [{user_id, role}].
export function inviteList(people, you) {
  const others = people.filter((p) => p.user_id !== you.user_id)
    .map((p) => personRow({ ...p, role: ROLES.includes(p.role) ? p.role : "broadcaster" }));
  const table = el("table", { class: "invite-list" },
    el("caption", { text: "Invite list" }),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", text: "Invite" }), el("th", { scope: "col", text: "Person" }),
      el("th", { scope: "col", text: "Role" }))),
    el("tbody", {}, youRow(you), others.map((o) => o.row)));
  return {
    element: table,
    value: () => others.map((o) => o.value()).filter(Boolean),
  };
}
