// Provider → Scheduling's "New Appointment" form: a date and time, the patient (Search
// Patients) and the providers (Search Providers, the user ticked to start with).
import { api, ApiError } from "/static/js/api.js";
import { findPatients, findProviders, whenTyped } from "/static/js/search_field.js";
import { announce, el } from "/static/js/ui.js";

// A search field and the choices it finds, as radios (one patient) or checkboxes (providers).
// `chosen` maps id → name and survives new searches; chosen ones stay listed first.
// `search(text)` resolves to [{id, name}].
function picker({ id, legend, searchLabel, search: lookUp, multiple, chosen }) {
  const search = el("input", { id: `${id}-search`, type: "search", autocomplete: "off",
                               "aria-controls": `${id}-choices` });
  const choices = el("div", { id: `${id}-choices`, class: "choices" });
  const status = el("p", { class: "hint", role: "status" });
  const fieldset = el("fieldset", { class: "picker", "aria-describedby": `${id}-status` },
    el("legend", { text: legend }),
    el("label", { for: search.id, text: searchLabel }), search, choices, status);
  status.id = `${id}-status`;
  let found = [];

  function render() {
    const rows = [...chosen].map(([value, label]) => ({ id: value, name: label }));
    for (const item of found) if (!chosen.has(item.id)) rows.push(item);
    choices.replaceChildren(...rows.map((item) => {
      const input = el("input", { type: multiple ? "checkbox" : "radio", name: id,
                                  id: `${id}-${item.id}`, value: item.id,
                                  checked: chosen.has(item.id) });
      input.addEventListener("change", () => {
        if (!multiple) chosen.clear();
        if (input.checked) chosen.set(item.id, item.name); else chosen.delete(item.id);
      });
      return el("div", { class: "choice" }, input,
        el("label", { for: input.id, text: item.name }));
    }));
  }

  async function find() {
    const query = search.value.trim();
    try {
      found = await lookUp(query);
      status.textContent = found.length ? `${found.length} found.`
        : `No one found for \u201c${query}\u201d.`;
    } catch (error) {
      found = [];
      status.textContent = error instanceof ApiError ? error.message
        : "The search failed. Check your connection and try again.";
    }
    render();
  }

  whenTyped(search, find);
  render();
  return { element: fieldset, find, focus: () => search.focus() };
}

// The form; `you` is {id, name}; `onSaved(appointment)` runs once the server saved it.
export function appointmentForm(you, onSaved, onCancel) {
  const when = el("input", { id: "appointment-when", type: "datetime-local", required: true });
  const patients = new Map();
  const providers = new Map([[you.id, you.name]]);
  const patient = picker({ id: "appointment-patient", legend: "Patient",
    searchLabel: "Search Patients", multiple: false, chosen: patients,
    search: async (q) => (await findPatients(q)).map((p) => ({ id: p.id, name: p.display_name })) });
  const people = picker({ id: "appointment-providers", legend: "Providers",
    searchLabel: "Search Providers", multiple: true, chosen: providers,
    search: async (q) => (await findProviders(q)).map((p) => ({ id: p.id, name: p.name })) });
  const error = el("p", { class: "banner", "data-kind": "error", role: "alert", hidden: true });
  const save = el("button", { type: "submit", class: "primary", text: "Save Appointment" });
  const cancel = el("button", { type: "button", text: "Cancel" });
  const form = el("form", { class: "appointment-form", "aria-labelledby": "new-appointment-title",
                            novalidate: true },
    el("h3", { id: "new-appointment-title", text: "New Appointment" }),
    el("label", { for: when.id, text: "Date and time" }), when,
    patient.element, people.element, error, el("div", { class: "actions" }, cancel, save));

  const fail = (text, field) => {
    error.textContent = text;
    error.hidden = false;
    when.setAttribute("aria-invalid", String(field === when));
    if (field) field.focus();
  };
  cancel.addEventListener("click", onCancel);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const startsAt = new Date(when.value);
    if (!when.value || Number.isNaN(startsAt.getTime())) {
      fail("Enter the date and time of the appointment.", when);
      return;
    }
    if (!patients.size) {
      fail("Choose the patient: search for them and select their name.", null);
      patient.focus();
      return;
    }
    if (!providers.size) {
      fail("Choose at least one provider.", null);
      people.focus();
      return;
    }
    when.removeAttribute("aria-invalid");
    save.disabled = true;
    let saved;
    try {
      saved = (await api("POST", "/appointments", {
        starts_at: startsAt.toISOString(), patient_id: [...patients.keys()][0],
        provider_ids: [...providers.keys()],
      })).appointment;
    } catch (failure) {
      fail(failure instanceof ApiError ? failure.message
        : "The appointment could not be saved. Check your connection and try again.", null);
      return;
    } finally {
      save.disabled = false;
    }
    announce("Appointment saved.");
    await onSaved(saved);
  });
  return {
    element: form,
    open: () => {
      patient.find();
      people.find();
      when.focus();
    },
  };
}
