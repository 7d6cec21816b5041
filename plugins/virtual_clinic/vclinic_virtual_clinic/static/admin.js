// Administration → Virtual Clinic settings (admins): whether the organisation uses the Virtual
// Clinic, whether providers may add a note when declining, and how long a request waits for an
// answer. API: GET and PATCH /api/v1/virtual-clinic/settings (docs/workflows/virtual_clinic.md).
import { checkbox, field, resultLine } from "/static/js/admin/form.js";
import { el } from "/static/js/ui.js";

export default async function render(element, shell) {
  const { api } = shell;
  const result = resultLine();
  const { settings } = await api("GET", "/virtual-clinic/settings");
  const enabled = checkbox("Use the Virtual Clinic (requesters ask providers for a session now)",
    settings.enabled);
  const notes = checkbox("Notes are enabled: a provider who declines can enter a note for the "
    + "requester", settings.decline_notes);
  const expiry = el("input", { type: "number", min: "1", max: "3600", step: "1", required: true,
    inputmode: "numeric" });
  expiry.value = String(settings.request_expiry_seconds);
  const save = el("button", { type: "submit", class: "primary", text: "Save Virtual Clinic settings" });
  const form = el("form", { novalidate: true, class: "admin-form" }, enabled.node, notes.node,
    field("Request expiry (seconds)", expiry,
      "A request nobody answers expires after this long (1 to 3600 seconds)."),
    el("div", { class: "row-actions" }, save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const seconds = Number(expiry.value);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
      result.fail("Request expiry must be a whole number of seconds from 1 to 3600.", expiry);
      return;
    }
    save.disabled = true;
    try {
      const done = await api("PATCH", "/virtual-clinic/settings", {
        enabled: enabled.box.checked, decline_notes: notes.box.checked,
        request_expiry_seconds: seconds });
      result.ok(done.settings.enabled ? "Virtual Clinic settings saved."
        : "Virtual Clinic settings saved; the Virtual Clinic is off for your organisation.");
    } catch (error) {
      result.fail(error, expiry);
    } finally {
      save.disabled = false;
    }
  });
  element.replaceChildren(form, result.node);
}
