// Provider → Scheduling: the user's appointments from today on (upcoming first), "New
// Appointment", and, for the selected appointment, the Appointment Summary with "Create
// Telehealth Session". The dashboard calls the default export as render(element, shell).
import { api, ApiError } from "/static/js/api.js";
import { announce, el, formatWhen } from "/static/js/ui.js";
import { confirmSession } from "./scheduling_confirm.js";
import { appointmentForm } from "./scheduling_form.js";

const STYLESHEET = "/static/sessions/scheduling.css";

function addStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  document.head.append(el("link", { rel: "stylesheet", href: STYLESHEET }));
}

function patientName(appointment) {
  return appointment.patient ? appointment.patient.display_name : "No patient";
}

function providerNames(appointment) {
  return appointment.providers.map((p) => p.name).join(", ");
}

function startOfToday() {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  return today.toISOString();
}

function errorText(error) {
  return error instanceof ApiError ? error.message
    : "The server could not be reached. Check your connection and try again.";
}

class Scheduling {
  constructor(element, you) {
    this.you = you;
    this.selectedId = null;
    this.newButton = el("button", { type: "button", text: "New Appointment",
                                    "aria-expanded": "false", "aria-controls": "new-appointment" });
    this.formSlot = el("div", { id: "new-appointment", hidden: true });
    this.status = el("p", { class: "hint", role: "status" });
    this.list = el("ul", { class: "appointment-list", "aria-labelledby": "appointments-title" });
    this.summary = el("section", { id: "appointment-summary", class: "appointment-summary",
                                   hidden: true,
                                   "aria-labelledby": "appointment-summary-title" });
    this.newButton.addEventListener("click", () => this.toggleForm());
    element.replaceChildren(this.newButton, this.formSlot,
      el("div", { class: "scheduling-grid" },
        el("div", {}, el("h3", { id: "appointments-title", text: "Your appointments" }),
          this.status, this.list),
        this.summary));
  }

  toggleForm(open = this.formSlot.hidden) {
    this.newButton.setAttribute("aria-expanded", String(open));
    this.formSlot.hidden = !open;
    if (!open) {
      this.formSlot.replaceChildren();
      this.newButton.focus();
      return;
    }
    const form = appointmentForm(this.you, (saved) => this.saved(saved),
                                 () => this.toggleForm(false));
    this.formSlot.replaceChildren(form.element);
    form.open();
  }

  async saved(appointment) {
    this.toggleForm(false);
    await this.load();
    if (!appointment.providers.some((p) => p.user_id === this.you.id)) {
      this.status.textContent = "The appointment was saved. It is not in your list because you "
        + "are not one of its providers.";
      return;
    }
    await this.select(appointment.id);
  }

  async load() {
    let appointments;
    try {
      ({ appointments } = await api("GET",
        `/appointments?since=${encodeURIComponent(startOfToday())}`));
    } catch (error) {
      this.status.textContent = errorText(error);
      return;
    }
    this.status.textContent = appointments.length ? ""
      : "You have no appointments from today on. Select New Appointment to add one.";
    this.list.replaceChildren(...appointments.map((appointment) => {
      const button = el("button", { type: "button", class: "appointment",
                                    "data-appointment-id": appointment.id,
                                    "aria-controls": "appointment-summary",
                                    "aria-current": appointment.id === this.selectedId
                                      ? "true" : null },
        el("span", { class: "appointment-when", text: formatWhen(appointment.starts_at) }),
        el("span", { class: "appointment-patient", text: patientName(appointment) }),
        el("span", { class: "appointment-providers", text: providerNames(appointment) }));
      button.addEventListener("click", () => this.select(appointment.id));
      return el("li", {}, button);
    }));
  }

  async select(appointmentId) {
    this.selectedId = appointmentId;
    for (const button of this.list.querySelectorAll("button.appointment")) {
      if (button.dataset.appointmentId === appointmentId) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    const title = el("h3", { id: "appointment-summary-title", tabindex: "-1",
                             text: "Appointment Summary" });
    this.summary.hidden = false;
    let appointment;
    try {
      ({ appointment } = await api("GET", `/appointments/${encodeURIComponent(appointmentId)}`));
    } catch (error) {
      this.summary.replaceChildren(title, el("p", { class: "banner", "data-kind": "error",
                                                    role: "alert", text: errorText(error) }));
      title.focus();
      return;
    }
    const create = el("button", { type: "button", class: "primary",
                                  text: "Create Telehealth Session" });
    create.addEventListener("click", () => confirmSession(
      appointment, { user_id: this.you.id, name: this.you.name }, create));
    const started = appointment.session_id ? el("p", {},
      "A telehealth session was started for this appointment. ",
      el("a", { href: `/preview?session=${encodeURIComponent(appointment.session_id)}`,
                text: "Open its Camera Preview" })) : null;
    this.summary.replaceChildren(title,
      el("dl", { class: "summary-facts" },
        el("dt", { text: "Time" }), el("dd", { text: formatWhen(appointment.starts_at) }),
        el("dt", { text: "Patient" }), el("dd", { text: patientName(appointment) }),
        el("dt", { text: "Providers" }), el("dd", { text: providerNames(appointment) })),
      ...(started ? [started] : []), create);
    title.focus();
    announce(`Appointment Summary: ${formatWhen(appointment.starts_at)}`);
  }
}

export default async function render(element, shell) {
  addStylesheet();
  const scheduling = new Scheduling(element, shell.user);
  await scheduling.load();
}
