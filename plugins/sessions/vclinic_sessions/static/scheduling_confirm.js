// Create Telehealth Session's confirm step, a modal dialog: the Session Access, the invite list
// with each person's Role, and OK, which starts the session, sends the invites and goes to the
// Camera Preview. Errors stay in the dialog.
import { api, ApiError } from "/static/js/api.js";
import { announce, el, formatWhen } from "/static/js/ui.js";
import { inviteList } from "./invite_list.js";
import { accessChoice, REMINDER } from "/static/js/access_levels.js";

const pad = (n) => String(n).padStart(2, "0");

// The proposed session name, in the seed article's style ("2020-04-15 09:30 Dr. Campo - New
// Patient Consult"): the appointment's time as the user's browser shows it, and its provider
// (you, if you are one of them). Never the patient's name: guests see the session's name.
export function proposedName(appointment, you) {
  const at = new Date(appointment.starts_at);
  const when = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} `
    + `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const providers = appointment.providers || [];
  const provider = providers.some((p) => p.user_id === you.user_id) ? you.name
    : (providers[0] && providers[0].name) || you.name;
  return `${when} ${provider} - Appointment`;
}

// Opens the confirm step for `appointment` (the Appointment Summary, with its `proposal`) as
// `you` ({user_id, name}); focus returns to `opener` when the dialog closes without starting.
export function confirmSession(appointment, you, opener) {
  const proposal = appointment.proposal;
  const access = accessChoice("confirm-access", proposal.access_level || "invitation");
  const invites = inviteList(proposal.participants, you);
  const name = el("input", { id: "confirm-session-name", type: "text", required: true,
                             maxlength: "200", autocomplete: "off",
                             value: proposedName(appointment, you),
                             "aria-describedby": "confirm-session-name-hint" });
  const error = el("p", { class: "banner", "data-kind": "error", role: "alert", hidden: true });
  const ok = el("button", { type: "submit", class: "primary", text: "OK" });
  const cancel = el("button", { type: "button", text: "Cancel" });
  const patient = appointment.patient ? ` with ${appointment.patient.display_name}` : "";
  const form = el("form", { method: "dialog" },
    el("h2", { id: "confirm-session-title", text: "Create Telehealth Session" }),
    el("p", { id: "confirm-session-text",
              text: `Appointment ${formatWhen(appointment.starts_at)}${patient}. Confirm the `
                + "session access, the invite list and the roles, then select OK to start the "
                + "session and send the invites." }),
    el("label", { for: name.id, text: "Session name" }), name,
    el("p", { id: "confirm-session-name-hint", class: "hint muted",
              text: "A descriptive name helps you pick the session from a list later. Guests "
                + "see it too, so leave the patient's name out." }),
    access.element, invites.element, error,
    el("div", { class: "actions" }, cancel, ok));
  const dialog = el("dialog", { class: "confirm-session card", "aria-modal": "true",
                                "aria-labelledby": "confirm-session-title",
                                "aria-describedby": "confirm-session-text" }, form);

  const showError = (text) => {
    error.textContent = text;
    error.hidden = !text;
  };
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    const sessionName = name.value.trim();
    name.setAttribute("aria-invalid", String(!sessionName));
    if (!sessionName) {
      showError("Enter a name for the session.");
      name.focus();
      return;
    }
    const level = access.value();
    if (level === "invitation" && !window.confirm(REMINDER)) {
      showError("The session was not started. Confirm the reminder to start an Invitation "
        + "session, or choose Private or Internal.");
      return;
    }
    ok.disabled = true;
    ok.textContent = "Starting…";
    try {
      const started = await api("POST",
        `/appointments/${encodeURIComponent(appointment.id)}/telehealth-session`, {
          name: sessionName, access_level: level, participants: invites.value(),
          confirm_link_reminder: level === "invitation",
        });
      announce("Session started. Opening the Camera Preview.");
      window.location.assign(started.next);
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "appointment_has_session"
          && typeof failure.details.next === "string" && failure.details.next.startsWith("/")) {
        // One appointment, one session: go to the session it already has.
        announce("This appointment already has a session. Opening its Camera Preview.");
        window.location.assign(failure.details.next);
        return;
      }
      showError(failure instanceof ApiError ? failure.message
        : "The server could not be reached. Check your connection and try again.");
      ok.disabled = false;
      ok.textContent = "OK";
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector("input[name=confirm-access]:checked").focus();
  return dialog;
}
