// The notification bell: unread count, a list, mark as read; fed live by notification.created
// and notification.read on the user's /ws topic (every open tab of the user agrees).
import { api } from "./api.js";
import { announce, el, formatWhen } from "./ui.js";

export class Bell {
  constructor(root, socket) {
    this.root = root;
    this.items = [];
    this.unread = 0;
    this.button = root.querySelector("#bell-button");
    this.count = root.querySelector("#bell-count");
    this.panel = root.querySelector("#bell-panel");
    this.list = root.querySelector("#bell-list");
    this.markAll = root.querySelector("#bell-mark-all");
    this.button.addEventListener("click", () => this.toggle());
    this.markAll.addEventListener("click", () => this.markRead(null));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.panel.hidden) {
        this.toggle(false);
        this.button.focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (!this.panel.hidden && !root.contains(event.target)) this.toggle(false);
    });
    socket.on("notification.created", (data) => this.created(data));
    socket.on("notification.read", (data) => this.read(data));
    socket.on("reopen", () => this.load());
    socket.on("resync", () => this.load());
  }

  async load() {
    const state = await api("GET", "/notifications");
    this.items = state.notifications;
    this.unread = state.unread;
    this.render();
  }

  created(notification) {
    if (this.items.some((item) => item.id === notification.id)) return;
    this.items.unshift(notification);
    if (!notification.read) this.unread += 1;
    this.render();
    announce(`New notification: ${notification.title}`);
  }

  read({ ids, unread }) {
    for (const item of this.items) if (ids === null || ids.includes(item.id)) item.read = true;
    this.unread = unread;
    this.render();
  }

  async markRead(ids) {
    const result = await api("POST", "/notifications/read", { ids });
    this.read({ ids, unread: result.unread });
    // The pressed button is gone or disabled now: keep keyboard users inside the panel.
    if (!this.panel.hidden && !this.panel.contains(document.activeElement)) {
      (this.list.querySelector("button") || this.panel.querySelector("h2")).focus();
    }
  }

  // A notification about something with a page (a session to join) links to it.
  link(item) {
    const url = item.data && item.data.url;
    if (typeof url !== "string" || !url.startsWith("/") || url.startsWith("//")) return item.title;
    return el("a", { href: url, text: item.title });
  }

  toggle(open = this.panel.hidden) {
    if (!open && this.panel.contains(document.activeElement)) this.button.focus();
    this.panel.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
    if (open) (this.list.querySelector("button") || this.markAll).focus();
  }

  render() {
    this.count.textContent = this.unread > 99 ? "99+" : String(this.unread);
    this.count.hidden = this.unread === 0;
    this.button.setAttribute("aria-label",
      this.unread ? `Notifications, ${this.unread} unread` : "Notifications, none unread");
    this.markAll.disabled = this.unread === 0;
    this.list.replaceChildren(...(this.items.length ? this.items.map((item) => el("li",
      { class: item.read ? "notification read" : "notification unread", "data-id": item.id },
      el("p", { class: "title" }, this.link(item)),
      el("p", { class: "when", text: formatWhen(item.created_at) }),
      item.read ? el("span", { class: "muted", text: "Read" }) : el("button", {
        type: "button", class: "link", text: "Mark as read",
        "aria-label": `Mark as read: ${item.title}`,
        onclick: () => this.markRead([item.id]),
      }),
    )) : [el("li", { class: "empty", text: "You have no notifications." })]));
  }
}
