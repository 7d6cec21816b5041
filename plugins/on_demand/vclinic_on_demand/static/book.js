// The public calendar under Meet Now: the organisation's free times for the next 14 days, by
// provider and day, in the visitor's own time zone; choosing one asks for name, email and the
// setup guide's required answers, then books it (an appointment with that provider and an
// emailed invitation). API: GET /api/v1/on_demand/orgs/<slug>/slots and
// POST /api/v1/on_demand/orgs/<slug>/bookings (docs/workflows/on_demand.md).
import { el } from "/static/js/ui.js";

const slug = location.pathname.split("/")[2];
const $ = (id) => document.getElementById(id);
const base = `/api/v1/on_demand/orgs/${encodeURIComponent(slug)}`;
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dayFormat = new Intl.DateTimeFormat(undefined,
  { weekday: "long", day: "numeric", month: "long" });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric",
  month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
let fields = [];
let chosen = null;

async function call(method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method, credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const err = new Error((data && data.error && data.error.message) || "Please try again.");
    err.code = data && data.error && data.error.code;
    err.details = data && data.error && data.error.details;
    throw err;
  }
  return data;
}

function status(text) { $("calendar-status").textContent = text; }

function bookError(text) {
  $("book-error").textContent = text || "";
  $("book-error").hidden = !text;
}

function byDay(slots) {
  const days = new Map();
  for (const iso of slots) {
    const start = new Date(iso);
    const key = dayFormat.format(start);
    if (!days.has(key)) days.set(key, []);
    days.get(key).push({ iso, start });
  }
  return days;
}

function providerBlock(provider, index) {
  const heading = el("h3", { id: `calendar-provider-${index}`, text: provider.name });
  const days = [...byDay(provider.slots)].map(([day, slots], dayIndex) => {
    const list = el("ul", { class: "slot-list" }, slots.map(({ iso, start }) => {
      const time = timeFormat.format(start);
      const button = el("button", { type: "button", "data-slot": iso,
        "data-provider": provider.id,
        "aria-label": `${day}, ${time} with ${provider.name}`, text: time });
      button.addEventListener("click", () => choose(provider, iso));
      return el("li", {}, button);
    }));
    const details = el("details", { class: "calendar-day", open: dayIndex === 0 },
      el("summary", { text: `${day} (${slots.length} ${slots.length === 1 ? "time" : "times"})` }),
      list);
    return details;
  });
  return el("section", { class: "calendar-provider", "aria-labelledby": heading.id }, heading,
    days.length ? days : el("p", { class: "muted", text: "No free times in the next 14 days." }));
}

async function load(note) {
  const data = await call("GET", "/slots");
  const providers = data.providers.filter((p) => p.slots.length);
  $("calendar-providers").replaceChildren(...data.providers.map(providerBlock));
  $("calendar-zone").textContent = `Or choose a time for a video visit in the next `
    + `${data.days} days. Times are in your time zone (${zone}); each visit lasts `
    + `${data.slot_minutes} minutes.`;
  const count = providers.reduce((n, p) => n + p.slots.length, 0);
  status(note || (count ? `${count} free times with ${providers.length} `
    + `${providers.length === 1 ? "provider" : "providers"}.`
    : "No times can be booked online right now. Use Meet Now to see a provider today."));
}

function fieldInput(field) {
  const id = `book-field-${field.key}`;
  let input;
  if (field.kind === "long_text") input = el("textarea", { maxlength: "2000" });
  else if (field.kind === "choice") {
    input = el("select", {}, new Option("Choose…", ""),
      field.options.map((o) => new Option(o, o)));
  } else {
    input = el("input", { type: field.kind === "consent" ? "checkbox"
      : field.kind === "phone" ? "tel" : "text" });
    if (field.kind === "state") { input.maxLength = 2; input.autocomplete = "address-level1"; }
    if (field.kind === "phone") input.autocomplete = "tel";
  }
  input.id = id;
  input.dataset.key = field.key;
  input.dataset.kind = field.kind;
  if (field.required) input.required = true;
  const label = el("label", { for: id,
    text: field.label + (field.required ? " (required)" : " (optional)") });
  const problem = el("p", { id: `${id}-error`, class: "book-field-error", hidden: true });
  input.setAttribute("aria-describedby", problem.id);
  return field.kind === "consent"
    ? el("div", { class: "book-field-check" }, input, label, problem)
    : el("div", { class: "book-field" }, label, input, problem);
}

// The form's inputs exist only while a time is being booked, so that the page never holds
// two "Full name" fields (Meet Now has its own).
function drawInputs() {
  const name = el("input", { id: "book-name", name: "name", required: true, maxlength: "100",
    autocomplete: "name" });
  const email = el("input", { id: "book-email", name: "email", type: "email", required: true,
    maxlength: "254", autocomplete: "email" });
  $("book-fields").replaceChildren(el("label", { for: name.id, text: "Full name" }), name,
    el("label", { for: email.id, text: "Email" }), email, ...fields.map(fieldInput));
}

function answers() {
  const found = {};
  for (const input of $("book-fields").querySelectorAll("[data-key]")) {
    if (input.dataset.kind === "consent") {
      if (input.checked || input.required) found[input.dataset.key] = input.checked;
    } else if (input.value.trim()) found[input.dataset.key] = input.value;
  }
  return found;
}

function markMissing(keys) {
  let first = null;
  for (const key of keys) {
    const input = $(`book-field-${key}`);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const problem = $(`book-field-${key}-error`);
    problem.textContent = input.type === "checkbox"
      ? "Check this box to continue." : "This answer is required.";
    problem.hidden = false;
    first = first || input;
  }
  if (first) first.focus();
}

function clearMarks() {
  for (const node of $("book-form").querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
  }
  for (const node of $("book-form").querySelectorAll(".book-field-error")) node.hidden = true;
}

function choose(provider, iso) {
  chosen = { provider, iso };
  $("book-when").textContent = `${fullFormat.format(new Date(iso))} with ${provider.name}`;
  bookError("");
  drawInputs();
  $("book-done").hidden = true;
  $("calendar").hidden = true;
  $("book-form").hidden = false;
  $("book-title").tabIndex = -1;
  $("book-title").focus();
}

function backToList(note) {
  $("book-form").hidden = true;
  $("book-fields").replaceChildren();
  $("calendar").hidden = false;
  return load(note).then(() => {
    // Back to the time chosen if it is still free, else to the calendar's heading.
    const again = chosen && document.querySelector(
      `button[data-slot="${chosen.iso}"][data-provider="${chosen.provider.id}"]`);
    $("calendar-title").tabIndex = -1;
    (again || $("calendar-title")).focus();
  });
}

async function submit(event) {
  event.preventDefault();
  clearMarks();
  const name = $("book-name").value.trim();
  const email = $("book-email").value.trim();
  if (!name || !email) {
    bookError("Enter your name and email.");
    for (const input of [$("book-name"), $("book-email")]) {
      if (!input.value.trim()) input.setAttribute("aria-invalid", "true");
    }
    (name ? $("book-email") : $("book-name")).focus();
    return;
  }
  $("book-submit").disabled = true;
  try {
    const done = await call("POST", "/bookings", { provider_id: chosen.provider.id,
      starts_at: chosen.iso, name, email, answers: answers(), time_zone: zone || "UTC" });
    $("book-form").hidden = true;
    $("book-fields").replaceChildren();
    $("book-done-text").textContent = `${fullFormat.format(new Date(done.booking.starts_at))} `
      + `with ${done.booking.provider.name}.`;
    $("book-done").hidden = false;
    $("book-done-title").tabIndex = -1;
    $("book-done-title").focus();
    await load("Your time is booked.");
  } catch (err) {
    if (err.code === "intake_incomplete") {
      const missing = err.details.missing;
      bookError(missing.length === 1 ? "Please answer the question marked above."
        : `Please answer the ${missing.length} questions marked above.`);
      markMissing(missing);
    } else if (err.code === "slot_taken") {
      await backToList(err.message);
    } else {
      bookError(err.message);
      if (err.code === "invalid_email") {
        $("book-email").setAttribute("aria-invalid", "true");
        $("book-email").focus();
      } else if (err.code === "invalid_name") {
        $("book-name").setAttribute("aria-invalid", "true");
        $("book-name").focus();
      }
    }
  } finally {
    $("book-submit").disabled = false;
  }
}

async function main() {
  const info = await call("GET", "");
  fields = info.fields;
  $("book-form").addEventListener("submit", submit);
  $("book-cancel").addEventListener("click", () => backToList());
  $("book-again").addEventListener("click", () => {
    $("book-done").hidden = true;
    $("calendar").hidden = false;
    $("calendar-title").tabIndex = -1;
    $("calendar-title").focus();
  });
  await load();
  document.body.dataset.calendarReady = "true";
}

main().catch((err) => status(err.message || "The calendar could not be loaded."));
