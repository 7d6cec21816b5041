// Visits → the employee's schedule for today, each virtual visit with the virtual-care icon,
// and "More Details": the visit dialog with Send invite to client, Copy invite link, Clock
// in/out, Join video session and the waiting message. The dashboard calls render(element).
import { api, ApiError } from "/static/js/api.js";
import { announce, el } from "/static/js/ui.js";

const STYLESHEET = "/static/visits/visits.css";
const ICON = "/static/visits/virtual_care.svg";
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

function addStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  document.head.append(el("link", { rel: "stylesheet", href: STYLESHEET }));
}

function hhmm(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function errorText(error) {
  return error instanceof ApiError ? error.message
    : "The server could not be reached. Check your connection and try again.";
}

function icon() {
  return el("img", { src: ICON, alt: "Virtual visit", class: "virtual-icon", width: "20",
                     height: "20" });
}

class VisitDialog {
  constructor(onChange) {
    this.onChange = onChange;
    this.dialog = el("dialog", { class: "visit-dialog", "aria-labelledby": "visit-title" });
    document.body.append(this.dialog);
  }

  async open(visitId) {
    this.visitId = visitId;
    this.link = null;
    await this.refresh();
    if (!this.dialog.open) this.dialog.showModal();
  }

  async refresh() {
    const query = new URLSearchParams({ tz: ZONE });
    const { visit } = await api("GET", `/visits/${this.visitId}?${query}`);
    this.visit = visit;
    this.render();
  }

  button(text, action, id) {
    const button = el("button", { type: "button", text, "data-action": id });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await action();
      } catch (error) {
        this.say(errorText(error), true);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  say(text, isError = false) {
    this.message.textContent = text;
    this.message.setAttribute("role", isError ? "alert" : "status");
    announce(text);
  }

  render() {
    const v = this.visit;
    this.message = el("p", { class: "hint", role: "status" });
    const facts = el("dl", { class: "visit-facts" },
      el("dt", { text: "Client" }), el("dd", { text: v.client.name }),
      el("dt", { text: "Employee" }), el("dd", { text: v.employee.name }),
      el("dt", { text: "Time" }), el("dd", { text: `${hhmm(v.starts_at)}–${hhmm(v.ends_at)}` }),
      el("dt", { text: "Service" }), el("dd", { text: `${v.service_code.code} · ${v.service_code.name}` }),
      el("dt", { text: "Clocked in" }), el("dd", { text: v.clock_in_at ? hhmm(v.clock_in_at) : "No" }),
      el("dt", { text: "Clocked out" }), el("dd", { text: v.clock_out_at ? hhmm(v.clock_out_at) : "No" }));
    const actions = el("div", { class: "visit-actions" });
    if (v.virtual && !v.session_ended && v.status !== "cancelled") {
      const invited = Boolean(v.last_invite_sent_at);
      actions.append(
        this.button(invited ? "Resend invite to client" : "Send invite to client",
                    () => this.invite(), "invite"),
        this.button("Copy invite link", () => this.copy(), "copy"));
    }
    if (!v.clock_in_at) actions.append(this.button("Clock in", () => this.clock("clock-in"), "clock-in"));
    if (v.virtual && v.clock_in_at && !v.clock_out_at && !v.session_ended) {
      actions.append(this.button("Join video session", () => this.join(), "join"));
    }
    if (v.session_id && !v.session_ended && v.status !== "cancelled") {
      actions.append(this.button("Hang up", () => this.hangUp(false), "hang-up"));
    }
    if (v.clock_in_at && !v.clock_out_at) {
      actions.append(this.button("Clock out", () => this.clockOut(false), "clock-out"));
    }
    const close = el("button", { type: "button", text: "Close", class: "secondary" });
    close.addEventListener("click", () => this.dialog.close());
    const parts = [el("h2", { id: "visit-title" }, v.virtual ? icon() : null,
                      v.virtual ? "Virtual visit" : "Visit"),
                   facts];
    if (v.resend_needed) {
      parts.push(el("p", { class: "hint", text: "Note that you will need to resend the invite "
                            + "to the client if the time of the visit was changed." }));
    }
    if (v.waiting_message && v.session_id && !v.session_ended) {
      parts.push(el("p", { class: "waiting", "data-waiting": "", text: v.waiting_message }));
    }
    parts.push(actions);
    if (this.link) {
      parts.push(el("label", { for: "visit-link", text: "Invite link" }),
                 el("input", { id: "visit-link", class: "visit-link", readonly: true,
                               value: this.link }));
    }
    parts.push(this.message, close);
    this.dialog.replaceChildren(...parts);
  }

  async invite() {
    const body = await api("POST", `/visits/${this.visitId}/invite`, {});
    await this.refresh();
    this.say("The invite was sent to the client.");
    return body;
  }

  async copy() {
    const { link } = await api("POST", `/visits/${this.visitId}/invite-link`, {});
    this.link = link;
    await this.refresh();
    try {
      await navigator.clipboard.writeText(link);
      this.say("The invite link was copied.");
    } catch {
      this.say("Copy the invite link below and send it to the client.");
    }
  }

  async clock(action) {
    await api("POST", `/visits/${this.visitId}/${action}`, {});
    await this.refresh();
    this.onChange();
  }

  async clockOut(confirm) {
    try {
      await api("POST", `/visits/${this.visitId}/clock-out`, { confirm });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "session_still_active") throw error;
      this.say(error.message, true);
      this.message.after(this.button("Clock out and end the video session",
                                     () => this.clockOut(true), "clock-out-confirm"));
      return;
    }
    await this.refresh();
    this.onChange();
  }

  async hangUp(confirmed) {
    if (!confirmed) {
      this.say("Hanging up ends the video session with the client: no new video session can "
               + "be opened for this visit.", true);
      this.message.after(this.button("Hang up and end the video session",
                                     () => this.hangUp(true), "hang-up-confirm"));
      return;
    }
    const { message } = await api("POST", `/visits/${this.visitId}/end`, {});
    await this.refresh();
    this.say(message);
    this.onChange();
  }

  async join() {
    const { next } = await api("POST", `/visits/${this.visitId}/join`, {});
    window.open(next, "_blank", "noopener");
  }
}

export default async function render(element) {
  addStylesheet();
  const list = el("ul", { class: "visit-list", "aria-label": "Today's visits" });
  const status = el("p", { class: "hint", role: "status" });
  element.replaceChildren(status, list);
  const dialog = new VisitDialog(() => load());

  async function load() {
    try {
      const { visits } = await api("GET", `/visits?${new URLSearchParams({ tz: ZONE })}`);
      status.textContent = visits.length ? "" : "You have no visits today.";
      list.replaceChildren(...visits.map((v) => {
        const more = el("button", { type: "button", class: "visit-more", text: "More Details",
                                    "data-visit": v.id });
        more.addEventListener("click", () => dialog.open(v.id).catch(
          (error) => { status.textContent = errorText(error); }));
        return el("li", { class: "visit-row", "data-visit": v.id },
          el("span", { class: "visit-when", text: `${hhmm(v.starts_at)}–${hhmm(v.ends_at)}` }),
          v.virtual ? icon() : null,
          el("span", { text: v.client.name }),
          el("span", { class: "visit-code", text: v.service_code.code }),
          v.status === "cancelled" ? el("span", { class: "hint", text: "Cancelled" }) : null,
          more);
      }));
    } catch (error) {
      status.textContent = errorText(error);
    }
  }

  await load();
}
