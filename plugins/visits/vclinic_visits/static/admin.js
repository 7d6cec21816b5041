// Admin → Visits: add clients (Demographics, optional email) and service codes ("allows
// virtual visits"), schedule visits, and reschedule, reassign or cancel today's visits.
import { api, ApiError } from "/static/js/api.js";
import { announce, el } from "/static/js/ui.js";

const STYLESHEET = "/static/visits/visits.css";
const ICON = "/static/visits/virtual_care.svg";
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

function icon() {
  return el("img", { src: ICON, alt: "Virtual visit", class: "virtual-icon", width: "20",
                     height: "20" });
}

function addStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  document.head.append(el("link", { rel: "stylesheet", href: STYLESHEET }));
}

function field(label, name, attrs = {}) {
  const id = `visits-${name}-${Math.random().toString(36).slice(2, 8)}`;
  return [el("label", { for: id, text: label }), el("input", { id, name, ...attrs })];
}

function select(label, name, options) {
  const id = `visits-${name}-${Math.random().toString(36).slice(2, 8)}`;
  return [el("label", { for: id, text: label }),
          el("select", { id, name, required: true },
            ...options.map(([value, text]) => el("option", { value, text })))];
}

function localInput(iso) {
  const d = new Date(iso);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

function form(title, children, submit, onSubmit) {
  const status = el("p", { class: "hint", role: "status" });
  const node = el("form", {}, el("h3", { text: title }), ...children,
                  el("button", { type: "submit", text: submit }), status);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const text = await onSubmit(new FormData(node));
      status.textContent = text;
      announce(text);
      node.reset();
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message
        : "The server could not be reached. Check your connection and try again.";
      status.setAttribute("role", "alert");
    }
  });
  return node;
}

export default async function render(element) {
  addStylesheet();
  const root = el("div", { class: "visit-admin" });
  element.replaceChildren(root);

  let clientFilter = "";

  async function draw() {
    const query = new URLSearchParams({ tz: ZONE });
    if (clientFilter) query.set("client_id", clientFilter);
    const [{ clients }, { service_codes: codes }, { employees: providers }, { visits }] = await Promise.all([
      api("GET", "/visits/clients"), api("GET", "/visits/service-codes"),
      api("GET", "/visits/employees"), api("GET", `/visits?${query}`)]);
    const clientForm = form("New client", [
      ...field("First name", "first_name", { required: true, maxlength: "100" }),
      ...field("Last name", "last_name", { required: true, maxlength: "100" }),
      ...field("Email (optional)", "email", { type: "email", maxlength: "254" })],
      "Add client", async (data) => {
        const email = data.get("email");
        await api("POST", "/visits/clients", { first_name: data.get("first_name"),
          last_name: data.get("last_name"), email: email || null });
        await draw();
        return "The client was added.";
      });
    const codeForm = form("New service code", [
      ...field("Code", "code", { required: true, maxlength: "20" }),
      ...field("Name", "name", { required: true, maxlength: "100" }),
      el("label", {}, el("input", { type: "checkbox", name: "allows_virtual" }),
         " Allows virtual visits")],
      "Add service code", async (data) => {
        await api("POST", "/visits/service-codes", { code: data.get("code"),
          name: data.get("name"), allows_virtual: data.get("allows_virtual") === "on" });
        await draw();
        return "The service code was added.";
      });
    const visitForm = form("New visit", [
      ...select("Client", "client_id", clients.map((c) => [c.id, `${c.first_name} ${c.last_name}`])),
      ...select("Employee", "employee_id", providers.map((p) => [p.id, p.name])),
      ...select("Service code", "service_code_id", codes.map((c) => [c.id, `${c.code} · ${c.name}`])),
      ...field("Starts", "starts_at", { type: "datetime-local", required: true }),
      ...field("Ends", "ends_at", { type: "datetime-local", required: true })],
      "Schedule visit", async (data) => {
        await api("POST", "/visits", { client_id: data.get("client_id"),
          employee_id: data.get("employee_id"), service_code_id: data.get("service_code_id"),
          starts_at: new Date(data.get("starts_at")).toISOString(),
          ends_at: new Date(data.get("ends_at")).toISOString() });
        await draw();
        return "The visit was scheduled.";
      });
    const today = el("ul", { class: "visit-list", "aria-label": "Today's visits" },
      ...visits.map((v) => {
        const change = form(`${v.virtual ? "Virtual visit: " : ""}${v.client.name} · ${v.employee.name}${v.status === "cancelled" ? " (cancelled)" : ""}`, [
          ...field("Starts", "starts_at", { type: "datetime-local", value: localInput(v.starts_at) }),
          ...field("Ends", "ends_at", { type: "datetime-local", value: localInput(v.ends_at) }),
          ...select("Employee", "employee_id", providers.map((p) => [p.id, p.name]))],
          "Save changes", async (data) => {
            const body = await api("PATCH", `/visits/${v.id}`, {
              starts_at: new Date(data.get("starts_at")).toISOString(),
              ends_at: new Date(data.get("ends_at")).toISOString(),
              employee_id: data.get("employee_id") });
            return body.message || "The visit was changed.";
          });
        change.querySelector("select[name=employee_id]").value = v.employee.id;
        const cancel = el("button", { type: "button", class: "secondary", text: "Cancel visit" });
        cancel.addEventListener("click", async () => {
          await api("POST", `/visits/${v.id}/cancel`, {});
          await draw();
        });
        if (v.virtual) change.querySelector("h3").prepend(icon(), " ");
        return el("li", { "data-visit": v.id }, change, v.status === "cancelled" ? null : cancel);
      }));
    const [filterLabel, filter] = select("Client's schedule", "client_filter",
      [["", "All clients"], ...clients.map((c) => [c.id, `${c.first_name} ${c.last_name}`])]);
    filter.required = false;
    filter.value = clientFilter;
    filter.addEventListener("change", async () => {
      clientFilter = filter.value;
      await draw();
    });
    root.replaceChildren(clientForm, codeForm, visitForm,
                         el("h3", { text: "Today's visits" }), filterLabel, filter, today);
  }

  await draw();
}
