// Administration → On-Demand setup (admins): the public-facing calendar page (its link, a QR
// code to print), its calendar's weekly hours (calendar_admin.js) and the setup guide, the
// intake questions a patient answers after Meet Now or when booking a time.
// API: GET /api/v1/on_demand/public-page, GET/PUT /api/v1/on_demand/intake
// (docs/workflows/on_demand.md).
import { checkbox, field, resultLine } from "/static/js/admin/form.js";
import { calendarSettings } from "/static/on_demand/calendar_admin.js";
import { el } from "/static/js/ui.js";

const KINDS = [["text", "Short answer"], ["long_text", "Long answer"], ["phone", "Phone number"],
  ["state", "US state"], ["choice", "One of several options"], ["consent", "Tick box (consent)"]];

function keyFor(label, taken) {
  let base = label.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "")
    .replace(/^[^a-z]+/, "").slice(0, 24) || "question";
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${base}_${n}`;
  return key;
}

function publicPage(page, org, result) {
  const link = el("input", { type: "text", readonly: true, value: page.url });
  const copy = el("button", { type: "button", text: "Copy link" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(page.url);
      result.ok("The public page's link was copied.");
    } catch {
      link.select();
      result.ok("Select the link and copy it.");
    }
  });
  const poster = el("figure", { class: "qr-poster print-target", id: "on-demand-poster" },
    el("p", { class: "qr-title", text: org.name }),
    el("img", { src: page.qr_svg_url, width: "264", height: "264",
      alt: `QR code that opens ${page.url}` }),
    el("figcaption", {}, "Scan to see a provider now (Meet Now): ", el("span", { text: page.url })));
  const print = el("button", { type: "button", class: "primary", text: "Print QR code" });
  print.addEventListener("click", () => {
    document.body.classList.add("printing");
    window.addEventListener("afterprint", () => document.body.classList.remove("printing"),
      { once: true });
    window.print();
  });
  return el("div", { class: "admin-block" },
    el("h3", { text: "Public page" }),
    el("p", { class: "muted", text: "Patients click Meet Now on this page to join the "
      + "On-Demand queue, or book a time on its calendar. Share the link or print the QR "
      + "code for your waiting room." }),
    field("Link to the public page", link),
    el("div", { class: "row-actions" }, copy,
      el("a", { href: page.url, target: "_blank", rel: "noopener", class: "button",
        text: "Open the public page" }), print),
    poster);
}

function setupGuide(api, initial, result) {
  let fields = initial.map((f) => ({ ...f }));
  const list = el("ol", { class: "admin-list intake-list", id: "on-demand-intake" });
  const add = el("button", { type: "button", text: "Add question" });
  const save = el("button", { type: "submit", class: "primary", text: "Save setup guide" });

  function row(f, index) {
    const label = el("input", { type: "text", maxlength: "200", required: true,
      "data-role": "label" });
    label.value = f.label;
    label.addEventListener("input", () => { f.label = label.value; });
    const kind = el("select", {});
    for (const [value, text] of KINDS) kind.append(new Option(text, value));
    kind.value = f.kind;
    const options = el("input", { type: "text", maxlength: "1000" });
    options.value = (f.options || []).join(", ");
    const optionsField = field(`Options of question ${index + 1}, separated by commas`, options);
    optionsField.hidden = f.kind !== "choice";
    kind.addEventListener("change", () => { f.kind = kind.value; optionsField.hidden = f.kind !== "choice"; });
    options.addEventListener("input", () => {
      f.options = options.value.split(",").map((o) => o.trim()).filter(Boolean);
    });
    const required = checkbox("Required", f.required);
    required.box.addEventListener("change", () => { f.required = required.box.checked; });
    const up = el("button", { type: "button", text: "Move up", disabled: index === 0,
      "aria-label": `Move up: question ${index + 1}` });
    const down = el("button", { type: "button", text: "Move down",
      disabled: index === fields.length - 1, "aria-label": `Move down: question ${index + 1}` });
    const remove = el("button", { type: "button", text: "Remove",
      "aria-label": `Remove: question ${index + 1}` });
    const move = (to, focusName) => {
      const [taken] = fields.splice(index, 1);
      fields.splice(to, 0, taken);
      draw();
      const target = list.children[to] && list.children[to].querySelector(
        `button[aria-label^="${focusName}"]`);
      (target && !target.disabled ? target : list.children[to].querySelector("input")).focus();
    };
    up.addEventListener("click", () => move(index - 1, "Move up"));
    down.addEventListener("click", () => move(index + 1, "Move down"));
    remove.addEventListener("click", () => {
      fields.splice(index, 1);
      draw();
      result.ok(`Question ${index + 1} removed; save the setup guide to keep the change.`);
      add.focus();
    });
    return el("li", { class: "admin-row", "data-key": f.key },
      el("div", { class: "admin-grid" }, field(`Question ${index + 1}`, label),
        field(`Answer type of question ${index + 1}`, kind)),
      optionsField, required.node,
      el("div", { class: "row-actions" }, up, down, remove));
  }

  function draw() { list.replaceChildren(...fields.map(row)); }

  add.addEventListener("click", () => {
    fields.push({ key: "", label: "", kind: "text", required: false, options: [] });
    draw();
    list.lastElementChild.querySelector("input").focus();
  });
  const form = el("form", { novalidate: true, class: "admin-block" },
    el("h3", { text: "Setup guide" }),
    el("p", { class: "muted", text: "The information your organization requires: patients "
      + "answer these after Meet Now, in this order." }),
    list, el("div", { class: "row-actions" }, add, save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const empty = fields.findIndex((f) => !f.label.trim());
    if (empty >= 0) {
      result.fail(`Question ${empty + 1} needs a question text.`,
        list.children[empty].querySelector("input"));
      return;
    }
    const taken = new Set(fields.map((f) => f.key).filter(Boolean));
    const body = fields.map((f) => {
      const key = f.key || keyFor(f.label, taken);
      taken.add(key);
      return { key, label: f.label.trim(), kind: f.kind, required: Boolean(f.required),
        options: f.kind === "choice" ? f.options || [] : [] };
    });
    save.disabled = true;
    try {
      const done = await api("PUT", "/on_demand/intake", { fields: body });
      fields = done.fields.map((f) => ({ ...f }));
      draw();
      result.ok(`Setup guide saved: ${fields.length} questions.`);
    } catch (error) {
      result.fail(error);
    } finally {
      save.disabled = false;
    }
  });
  draw();
  return form;
}

export default async function render(element, shell) {
  const { api } = shell;
  const result = resultLine();
  const [page, intake, calendar] = await Promise.all([api("GET", "/on_demand/public-page"),
    api("GET", "/on_demand/intake"), api("GET", "/on_demand/calendar")]);
  const org = shell.organisation || await api("GET", "/organisation");
  element.replaceChildren(publicPage(page, org, result),
    calendarSettings(api, calendar, result), setupGuide(api, intake.fields, result),
    result.node);
}
