// Administration → Account Services: the lines of care a Virtual Clinic request names
// ("General Practice"). Add, rename, remove. API: GET /organisation, POST /services,
// PATCH and DELETE /services/<id> (docs/api.md).
import { el } from "../ui.js";
import { field, resultLine, run } from "./form.js";

export default async function render(element, shell) {
  const { api } = shell;
  const result = resultLine();
  const list = el("ul", { class: "admin-list", "aria-label": "Account Services",
    id: "admin-services" });

  function row(service) {
    const item = el("li", { class: "admin-row", "data-service": service.id });
    const rename = el("button", { type: "button", text: "Rename", "aria-expanded": "false",
      "aria-label": `Rename ${service.name}`, "data-focus": `rename-${service.id}` });
    const remove = el("button", { type: "button", class: "danger", text: "Remove",
      "aria-label": `Remove ${service.name}` });
    const editor = el("div");
    rename.addEventListener("click", () => {
      if (rename.getAttribute("aria-expanded") === "true") return;
      rename.setAttribute("aria-expanded", "true");
      const input = el("input", { type: "text", maxlength: "200", required: true });
      input.value = service.name;
      const save = el("button", { type: "submit", class: "primary", text: "Save name" });
      const cancel = el("button", { type: "button", text: "Cancel" });
      const form = el("form", { novalidate: true, class: "admin-editor" },
        field(`New name for ${service.name}`, input),
        el("div", { class: "row-actions" }, save, cancel));
      const close = () => {
        form.remove(); rename.setAttribute("aria-expanded", "false"); rename.focus();
      };
      cancel.addEventListener("click", close);
      form.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const done = await run(save, result,
          () => api("PATCH", `/services/${service.id}`, { name: input.value }), input);
        if (done) {
          result.ok(`Renamed to ${done.service.name}.`);
          await reload(`rename-${service.id}`);
        }
      });
      editor.append(form);
      input.focus();
      input.select();
    });
    remove.addEventListener("click", async () => {
      if (!window.confirm(`Remove ${service.name}? Requesters will no longer be able to pick `
        + "it; past requests keep it.")) return;
      const done = await run(remove, result, async () => {
        await api("DELETE", `/services/${service.id}`);
        return true;
      });
      if (done) {
        result.ok(`${service.name} was removed.`);
        await reload();
        nameInput.focus();
      }
    });
    item.append(el("p", { class: "admin-row-title", text: service.name }),
      el("div", { class: "row-actions" }, rename, remove), editor);
    return item;
  }

  async function reload(focusKey) {
    const { services } = await api("GET", "/organisation");
    list.replaceChildren(...services.map(row));
    if (!services.length) {
      list.append(el("li", { class: "muted", text: "No Account Services yet." }));
    }
    const target = focusKey && list.querySelector(`[data-focus="${focusKey}"]`);
    if (target) target.focus();
  }

  const nameInput = el("input", { type: "text", maxlength: "200", required: true });
  const add = el("button", { type: "submit", class: "primary", text: "Add service" });
  const form = el("form", { novalidate: true, class: "admin-form admin-inline" },
    field("New Account Service", nameInput), add);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await run(add, result,
      () => api("POST", "/services", { name: nameInput.value }), nameInput);
    if (done) {
      result.ok(`${done.service.name} was added.`);
      form.reset();
      await reload();
    }
  });

  element.replaceChildren(
    el("p", { class: "muted", text: "Requesters check one of these before requesting a "
      + "session when there are several." }),
    list, result.node, form);
  await reload();
}
