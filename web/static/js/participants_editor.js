// Participants from Your Practice: Search Providers to add colleagues, a Role for each (Session
// Chair, Broadcaster, Viewer; people added start as Broadcasters) and Remove. Reusable wherever
// a session's invite list is confirmed (Start a Session, Session Settings, an appointment).
import { findProviders, searchField } from "./search_field.js";
import { announce, el, roleName } from "./ui.js";

export const ROLES = ["chair", "broadcaster", "viewer"];

// `people`: [{user_id, name, role, station?}]; `you`: the signed-in user's id (shown as
// "(you)"). A requester station (a Virtual Clinic room's device, listed by that workflow) is
// not a colleague: it is shown read-only and sent back as it is.
export class ParticipantsEditor {
  constructor({ people = [], you = null } = {}) {
    this.people = people.map((p) => ({ ...p }));
    this.you = you;
    this.list = el("ul", { class: "people-list", "aria-label": "Participants from Your Practice" });
    this.element = el("fieldset", { class: "people" },
      el("legend", { text: "Participants from Your Practice" }),
      el("p", { class: "hint muted", text: "People you add must sign in to join, get a "
        + "notification, and see the session in their Provider > Telehealth list." }),
      searchField({
        label: "Search Providers",
        empty: "No colleague at your practice has that name.",
        search: async (text) => {
          const providers = await findProviders(text);
          return providers.map((p) => ({ id: p.id, label: p.name }));
        },
        onPick: (row) => this.add(row.id, row.label),
      }),
      this.list);
    this.render();
  }

  add(userId, name) {
    if (this.people.some((p) => p.user_id === userId)) {
      announce(`${name} is already on the list.`);
      return;
    }
    this.people.push({ user_id: userId, name, role: "broadcaster" });
    this.render();
    announce(`${name} added as Broadcaster.`);
  }

  remove(userId) {
    const person = this.people.find((p) => p.user_id === userId);
    this.people = this.people.filter((p) => p.user_id !== userId);
    this.render();
    if (person) announce(`${person.name} removed from the list.`);
  }

  render() {
    if (!this.people.length) {
      this.list.replaceChildren(el("li", { class: "muted", text: "Nobody added yet." }));
      return;
    }
    this.list.replaceChildren(...this.people.map((person, index) => {
      if (person.station) {
        return el("li", { class: "person", "data-user": person.user_id },
          el("span", { class: "person-name", text: `${person.name} (requester station)` }),
          el("span", { class: "person-role", text: roleName(person.role) }));
      }
      const id = `person-role-${index}`;
      const name = `${person.name}${person.user_id === this.you ? " (you)" : ""}`;
      const select = el("select", { id, "aria-label": `Role of ${person.name}`,
        onchange: () => { person.role = select.value; } },
      ...ROLES.map((role) => el("option", { value: role, text: roleName(role),
        selected: role === person.role })));
      return el("li", { class: "person", "data-user": person.user_id },
        el("span", { class: "person-name", text: name }), select,
        el("button", { type: "button", class: "link", text: "Remove",
          "aria-label": `Remove ${person.name}`, onclick: () => this.remove(person.user_id) }));
    }));
  }

  // What the API takes: [{user_id, role}].
  value() {
    return this.people.map(({ user_id, role }) => ({ user_id, role }));
  }
}
