// Administration → Organisation settings: the organisation's name and time zone (the admin
// pages show times in it; other pages read it from GET /organisation). API: GET and PATCH
// /organisation (docs/api.md).
import { el } from "../ui.js";
import { field, resultLine } from "./form.js";

function zones() {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [];
  }
}

export default async function render(element, shell) {
  const { api } = shell;
  const result = resultLine();
  const org = await api("GET", "/organisation");
  const name = el("input", { type: "text", maxlength: "200", required: true,
    autocomplete: "organization" });
  name.value = org.name;
  const zone = el("input", { type: "text", maxlength: "64", required: true,
    list: "admin-timezones", autocomplete: "off", spellcheck: "false" });
  zone.value = org.timezone;
  const options = el("datalist", { id: "admin-timezones" },
    ...zones().map((z) => el("option", { value: z })));
  const save = el("button", { type: "submit", class: "primary", text: "Save settings" });
  const form = el("form", { novalidate: true, class: "admin-form" },
    el("div", { class: "admin-grid" }, field("Organisation name", name),
      field("Time zone", zone, "A place name such as Europe/Paris or America/Chicago.")),
    options,
    el("p", { class: "muted" }, "Address in links: ", el("code", { text: org.slug }),
      " (stays the same when the name changes)."),
    el("div", { class: "row-actions" }, save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    let done = null;
    try {
      done = await api("PATCH", "/organisation", { name: name.value, timezone: zone.value.trim() });
    } catch (error) {
      result.fail(error, error.code === "invalid_timezone" ? zone : name);
    } finally {
      save.disabled = false;
    }
    if (done) {
      result.ok("Organisation settings saved.");
      const shown = document.getElementById("org-name");
      if (shown) shown.textContent = done.organisation.name;
      if (shell.organisation) Object.assign(shell.organisation, done.organisation);
    }
  });
  element.replaceChildren(form, result.node);
}
