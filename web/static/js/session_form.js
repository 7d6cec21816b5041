// The session settings form, in the seed's words: Start a Session (create) and a session's
// Settings (edit, from Provider > Telehealth or the call page). OK sends one request, so the
// settings and the participants list are saved together or not at all (the API's errors are
// shown in the form).
import { api } from "./api.js";
import { accessChoice, REMINDER } from "./access_levels.js";
import { ParticipantsEditor } from "./participants_editor.js";
import { findPatients, searchField } from "./search_field.js";
import { el } from "./ui.js";

let counter = 0;

// The value of a datetime-local input for an ISO time, in the browser's time zone.
function localValue(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function isoValue(local) {
  return local ? new Date(local).toISOString() : null;
}

// About Patient: search and select one patient, or clear the one linked.
class PatientPicker {
  constructor(patient) {
    this.patient = patient;
    this.shown = el("p", { class: "linked-patient", role: "status" });
    this.clear = el("button", { type: "button", class: "link", text: "Clear About Patient",
      onclick: () => this.set(null) });
    this.element = el("fieldset", { class: "about-patient" },
      el("legend", { text: "About Patient" }),
      el("p", { class: "hint muted",
        text: "Images captured during the session are saved to this patient's Files." }),
      this.shown, this.clear,
      searchField({
        label: "Search patients",
        empty: "No patient at your practice matches.",
        search: async (text) => {
          const patients = await findPatients(text);
          return patients.map((p) => ({ id: p.id, label: p.external_ref
            ? `${p.display_name} (${p.external_ref})` : p.display_name }));
        },
        onPick: (row) => this.set({ id: row.id, label: row.label }),
      }));
    this.set(patient);
  }

  set(patient) {
    this.patient = patient;
    this.shown.textContent = patient ? `Patient: ${patient.label}` : "No patient linked.";
    this.clear.hidden = !patient;
  }
}

async function loadSession(sessionId) {
  const detail = await api("GET", `/sessions/${encodeURIComponent(sessionId)}`);
  let patient = null;
  if (detail.session.patient_id) {
    const found = await api("GET", `/patients/${encodeURIComponent(detail.session.patient_id)}`);
    patient = { id: found.patient.id, label: found.patient.display_name };
  }
  const people = (detail.participants || [])
    .filter((p) => p.kind === "practice" && p.listed)
    .map((p) => ({ user_id: p.user_id, name: p.display_name, role: p.role,
      station: Boolean(p.station) }));
  return { session: detail.session, people, patient, everyone: detail.participants || [] };
}

// Who a new access level would drop: guests when it leaves Invitation, and for Private also
// colleagues not on the participants list (`listed`: the user ids the form keeps).
function dropped(everyone, level, listed, you) {
  if (level === "invitation") return [];
  return everyone.filter((p) => p.state !== "left" && p.user_id !== you
    && (p.kind === "guest" || (level === "private" && !listed.has(p.user_id))))
    .map((p) => p.display_name || "a participant");
}

// Builds the form. Without `sessionId` it starts a session and resolves `onSaved(created)`;
// with one it loads the session and `onSaved(session)` after saving. `you` is the user's id.
export async function sessionForm({ sessionId = null, you = null, onSaved, onCancel }) {
  const id = `session-form-${++counter}`;
  const loaded = sessionId ? await loadSession(sessionId)
    : { session: { access_level: "invitation" }, people: [], patient: null, everyone: [] };
  const initial = loaded.session;
  const name = el("input", { id: `${id}-name`, name: "name", required: true, maxlength: "200",
    "aria-describedby": `${id}-name-hint`, value: initial.name || "" });
  const when = el("input", { id: `${id}-when`, type: "datetime-local",
    "aria-describedby": `${id}-when-hint`, value: localValue(initial.scheduled_at) });
  const ends = el("input", { id: `${id}-ends`, type: "datetime-local",
    "aria-describedby": `${id}-ends-hint`, value: localValue(initial.ends_at) });
  const access = accessChoice(`${id}-access`, initial.access_level);
  const people = new ParticipantsEditor({ people: loaded.people, you });
  const patient = new PatientPicker(loaded.patient);
  const error = el("p", { class: "error", role: "alert" });
  const ok = el("button", { type: "submit", class: "primary", text: "OK" });
  const title = sessionId ? "Session Settings" : "Start a Session";

  const form = el("form", { class: "session-form card", "aria-label": title, novalidate: true },
    el("h3", { text: title }),
    el("label", { for: name.id, text: "Session name" }),
    el("p", { id: `${id}-name-hint`, class: "hint muted", text: "A descriptive name helps you "
      + "pick it from a list later, e.g. \u201c2020-04-15 09:30 Dr. Campo - New Patient "
      + "Consult\u201d." }), name,
    el("label", { for: when.id, text: "Date and time (optional)" }),
    el("p", { id: `${id}-when-hint`, class: "hint muted",
      text: "Leave empty to create and share the session link in advance." }), when,
    el("label", { for: ends.id, text: "End time (optional)" }),
    el("p", { id: `${id}-ends-hint`, class: "hint muted",
      text: "Time Left on the call page counts down to it; the call is never cut off." }), ends,
    access.element,
    sessionId ? null : el("p", { class: "hint muted", text: "You are the Session Chair." }),
    people.element, patient.element, error,
    el("div", { class: "actions" }, ok,
      el("button", { type: "button", text: "Cancel", onclick: () => onCancel && onCancel() })));

  function fail(text, field = null) {
    error.textContent = text;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    name.removeAttribute("aria-invalid");
    if (!name.value.trim()) {
      fail("Enter a name for your session.", name);
      return;
    }
    const level = access.value();
    const body = { name: name.value.trim(), access_level: level, participants: people.value(),
      patient_id: patient.patient ? patient.patient.id : null };
    const scheduled = isoValue(when.value);
    const end = isoValue(ends.value);
    if (!sessionId || when.value !== localValue(initial.scheduled_at)) body.scheduled_at = scheduled;
    if (!sessionId || ends.value !== localValue(initial.ends_at)) body.ends_at = end;
    // Before a session becomes Private or Internal, say who will be dropped from it.
    if (sessionId && level !== initial.access_level) {
      const names = dropped(loaded.everyone, level, new Set(body.participants.map((p) => p.user_id)),
        you);
      const title = level === "private" ? "Private Session" : "Internal Session";
      if (names.length && !window.confirm(`Switching to ${title} removes ${names.join(", ")} `
        + "from the session. Continue?")) return;
    }
    // The reminder before a new Invitation session, or before a session becomes one.
    if (level === "invitation" && (!sessionId || initial.access_level !== "invitation")) {
      if (!window.confirm(REMINDER)) return;
      if (!sessionId) body.confirm_link_reminder = true;
    }
    ok.disabled = true;
    try {
      if (sessionId) {
        const saved = await api("PATCH", `/sessions/${encodeURIComponent(sessionId)}`, body);
        await onSaved(saved.session);
      } else {
        await onSaved(await api("POST", "/sessions", body));
      }
    } catch (failure) {
      fail(failure.message);
    } finally {
      ok.disabled = false;
    }
  });
  return { element: form, focus: () => name.focus() };
}
