// Administration → Users: every account of the organisation with its roles; add a user (a
// person or a requester station; with a first password or an emailed invitation), change
// roles, set a new password or email a reset link, deactivate / reactivate.
// API: GET /users (every page), POST /users, PATCH /users/<id>, POST /users/<id>/password and
// /users/<id>/password-reset-email (docs/api.md, docs/admin.md).
import { apiAll } from "../api.js";
import { el } from "../ui.js";
import { checkbox, field, resultLine, run } from "./form.js";

const ROLES = [["admin", "Admin"], ["provider", "Provider"], ["staff", "Staff"],
  ["requester", "Requester"]];
const ROLE_NAMES = Object.fromEntries(ROLES);
const TYPES = [...ROLES, ["station", "Requester station (stays signed in)"]];

function describe(user) {
  const parts = [user.roles.map((r) => ROLE_NAMES[r] || r).join(", ") || "No role"];
  if (user.is_station) parts.push("Station");
  parts.push(user.is_active ? "Active" : "Deactivated");
  return parts.join(" · ");
}

export default async function render(element, shell) {
  const { api } = shell;
  const result = resultLine();
  const list = el("ul", { class: "admin-list", "aria-label": "Users", id: "admin-users" });
  let users = [];

  function rolesEditor(user, toggle) {
    const boxes = ROLES.map(([role, name]) => ({ role, ...checkbox(name, user.roles.includes(role)) }));
    const save = el("button", { type: "submit", class: "primary", text: "Save roles" });
    const cancel = el("button", { type: "button", text: "Cancel" });
    const legend = el("legend", { text: `Roles of ${user.name}` });
    const form = el("form", { novalidate: true, class: "admin-editor" },
      el("fieldset", {}, legend, ...boxes.map((b) => b.node)),
      el("div", { class: "row-actions" }, save, cancel));
    const close = () => { form.remove(); toggle.setAttribute("aria-expanded", "false"); toggle.focus(); };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const roles = boxes.filter((b) => b.box.checked).map((b) => b.role);
      if (!roles.length) {
        result.fail("Give the account at least one role.", boxes[0].box);
        return;
      }
      const done = await run(save, result,
        () => api("PATCH", `/users/${user.id}`, { roles }), boxes[0].box);
      if (done) {
        result.ok(`Roles of ${user.name} saved: ${describe(done.user)}.`);
        await reload(`roles-${user.id}`);
      }
    });
    return form;
  }

  function passwordEditor(user, toggle) {
    const input = el("input", { type: "password", autocomplete: "new-password", minlength: "8",
      required: true });
    const save = el("button", { type: "submit", class: "primary", text: "Set password" });
    const cancel = el("button", { type: "button", text: "Cancel" });
    const form = el("form", { novalidate: true, class: "admin-editor" },
      field(`New password for ${user.name}`, input,
        "At least 8 characters. Tell it to them in person; they are signed out everywhere."),
      el("div", { class: "row-actions" }, save, cancel));
    const close = () => { form.remove(); toggle.setAttribute("aria-expanded", "false"); toggle.focus(); };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const done = await run(save, result, async () => {
        await api("POST", `/users/${user.id}/password`, { password: input.value });
        return true;
      }, input);
      if (done) {
        result.ok(`New password set for ${user.name}; they were signed out everywhere.`);
        close();
      }
    });
    return form;
  }

  function row(user) {
    const item = el("li", { class: "admin-row", "data-user": user.id });
    const editors = el("div");
    const opener = (text, key, make) => {
      const button = el("button", { type: "button", text, "aria-expanded": "false",
        "data-focus": `${key}-${user.id}`, "aria-label": `${text}: ${user.name}` });
      button.addEventListener("click", () => {
        if (button.getAttribute("aria-expanded") === "true") return;
        button.setAttribute("aria-expanded", "true");
        const form = make(user, button);
        editors.append(form);
        const first = form.querySelector("input");
        if (first) first.focus();
      });
      return button;
    };
    const activate = el("button", { type: "button", class: user.is_active ? "danger" : "",
      text: user.is_active ? "Deactivate" : "Reactivate", "data-focus": `active-${user.id}`,
      "aria-label": `${user.is_active ? "Deactivate" : "Reactivate"}: ${user.name}` });
    activate.addEventListener("click", async () => {
      const active = !user.is_active;
      if (!active && !window.confirm(`Deactivate ${user.name}? They are signed out at once and `
        + "cannot sign in until reactivated.")) return;
      const done = await run(activate, result,
        () => api("PATCH", `/users/${user.id}`, { active }));
      if (done) {
        result.ok(`${user.name} is ${active ? "active again" : "deactivated"}.`);
        await reload(`active-${user.id}`);
      }
    });
    const mail = el("button", { type: "button", text: "Email reset link",
      "aria-label": `Email reset link: ${user.name}`, disabled: !user.is_active });
    mail.addEventListener("click", async () => {
      const done = await run(mail, result,
        () => api("POST", `/users/${user.id}/password-reset-email`));
      if (done) result.ok(`A link to set a new password was emailed to ${user.name}.`);
    });
    // Nobody deactivates their own account (the server refuses it too).
    const self = user.id === shell.user.id;
    item.append(
      el("p", { class: "admin-row-title" }, user.name || user.email, self ? " (you) " : " ",
        el("span", { class: "muted", text: user.email })),
      el("p", { class: "admin-row-meta", text: describe(user) }),
      el("div", { class: "row-actions" }, opener("Change roles", "roles", rolesEditor),
        opener("Reset password", "password", passwordEditor), mail, self ? null : activate),
      editors);
    return item;
  }

  async function reload(focusKey) {
    users = await apiAll("/users", "users");
    list.replaceChildren(...users.map(row));
    if (focusKey) {
      const target = list.querySelector(`[data-focus="${focusKey}"]`);
      if (target) target.focus();
    }
  }

  // Add a user.
  const name = el("input", { type: "text", autocomplete: "off", maxlength: "200", required: true });
  const email = el("input", { type: "email", autocomplete: "off", maxlength: "254", required: true });
  const kind = el("select", {});
  for (const [value, text] of TYPES) kind.append(new Option(text, value));
  kind.value = "provider";
  const password = el("input", { type: "password", autocomplete: "new-password", minlength: "8",
    required: true });
  const invite = checkbox("Email them a link to choose their own password", false);
  const passwordField = field("First password", password,
    "At least 8 characters; give it to them in person.");
  invite.box.addEventListener("change", () => { passwordField.hidden = invite.box.checked; });
  const add = el("button", { type: "submit", class: "primary", text: "Add user" });
  const form = el("form", { novalidate: true, class: "admin-form", "aria-labelledby": "admin-users-add" },
    el("h3", { id: "admin-users-add", text: "Add a user" }),
    el("div", { class: "admin-grid" }, field("Name", name), field("Email", email),
      field("Account type", kind), passwordField),
    invite.node,
    el("div", { class: "row-actions" }, add));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const station = kind.value === "station";
    const invited = invite.box.checked;
    const body = { name: name.value.trim(), email: email.value.trim(),
      role: station ? "requester" : kind.value, station, invite: invited };
    if (!invited) body.password = password.value;
    if (!body.name) { result.fail("Enter the person's or the station's name.", name); return; }
    if (!invited && password.value.length < 8) {
      result.fail("The password must be at least 8 characters long.", password);
      return;
    }
    const invalid = (error) => ({ email: [email], password: [password], name: [name] }[
      error && error.details && error.details.field] || []);
    add.disabled = true;
    try {
      const created = await api("POST", "/users", body);
      result.ok(invited ? `${created.user.name} was added and emailed a link to choose a `
        + "password." : `${created.user.name} was added.`);
      form.reset();
      passwordField.hidden = false;
      kind.value = "provider";
      await reload();
    } catch (error) {
      result.fail(error, ...invalid(error));
    } finally {
      add.disabled = false;
    }
  });

  element.replaceChildren(list, result.node, form);
  await reload();
}
