// The public Meet Now page: patient information, the setup guide (each answer saved at once),
// the virtual waiting room, and the move into the call once a provider claims the request.
// Talks to /api/v1/on_demand/... (docs/workflows/on_demand.md) and keeps the patient socket
// /on_demand/patient/ws open (it pushes the place in line, on_demand.position): closing the page starts the grace period, reopening it within the
// grace period keeps the patient's place (the vclinic_od cookie says who they are).
import { readyKey } from "/static/js/ui.js";

const slug = location.pathname.split("/")[2];
const $ = (id) => document.getElementById(id);
const STEPS = ["step-start", "step-info", "step-intake", "step-waiting", "step-final"];
let fields = [];
let socket = null;
let attempt = 0;
let done = false;

function show(step) {
  for (const id of STEPS) $(id).hidden = id !== step;
  const heading = $(step).querySelector("h1");
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

function error(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

async function call(method, path, body) {
  const response = await fetch(`/api/v1/on_demand${path}`, {
    method, credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const err = new Error((data && data.error && data.error.message) || "Please try again.");
    err.code = data && data.error && data.error.code;
    err.details = data && data.error && data.error.details;
    err.status = response.status;
    throw err;
  }
  return data;
}

function minutes(seconds) {
  const m = Math.max(1, Math.round(seconds / 60));
  return m === 1 ? "about 1 minute" : `about ${m} minutes`;
}

function renderWaiting(status) {
  $("position").textContent = status.position === 1
    ? "You are next in line."
    : `You are number ${status.position} in line.`;
  $("estimate").textContent = status.typical_wait_seconds == null
    ? "No wait estimate yet: too few patients have been seen recently to give an honest one."
    : `Recently, patients waited ${minutes(status.typical_wait_seconds)} ` +
      `(the median of the last ${status.based_on}).`;
}

function renderField(field, answers) {
  const id = `field-${field.key}`;
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = field.label + (field.required ? " (required)" : " (optional)");
  let input;
  if (field.kind === "long_text") input = document.createElement("textarea");
  else if (field.kind === "choice") {
    input = document.createElement("select");
    input.append(new Option("Choose…", ""));
    for (const option of field.options) input.append(new Option(option, option));
  } else {
    input = document.createElement("input");
    input.type = field.kind === "consent" ? "checkbox" : field.kind === "phone" ? "tel" : "text";
    if (field.kind === "state") { input.maxLength = 2; input.autocomplete = "address-level1"; }
    if (field.kind === "phone") input.autocomplete = "tel";
  }
  input.id = id;
  input.name = field.key;
  if (field.required) input.required = true;
  // Said beside the field when a required answer is missing (see markMissing).
  const problem = document.createElement("p");
  problem.id = `${id}-error`;
  problem.className = "field-error";
  problem.hidden = true;
  input.setAttribute("aria-describedby", problem.id);
  const value = answers[field.key];
  if (field.kind === "consent") input.checked = value === true;
  else if (value != null) input.value = value;
  input.addEventListener("change", async () => {
    const answer = field.kind === "consent" ? input.checked : input.value;
    try {
      await call("PATCH", "/patient/answers", { answers: { [field.key]: answer } });
      input.removeAttribute("aria-invalid");
      problem.hidden = true;
      error("");
    } catch (err) {
      input.setAttribute("aria-invalid", "true");
      problem.textContent = err.message;
      problem.hidden = false;
    }
  });
  if (field.kind === "consent") {
    wrap.classList.add("field-check");
    wrap.append(input, label, problem);
  } else {
    wrap.append(label, input, problem);
  }
  return wrap;
}

// Every missing required answer is marked, with the reason beside it; the first gets focus.
function markMissing(keys) {
  let first = null;
  for (const key of keys) {
    const input = $(`field-${key}`);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const problem = $(`field-${key}-error`);
    problem.textContent = input.type === "checkbox"
      ? "Check this box to continue." : "This answer is required.";
    problem.hidden = false;
    first = first || input;
  }
  if (first) first.focus();
}

function intakeError(message) {
  $("intake-error").textContent = message || "";
  $("intake-error").hidden = !message;
}

function renderIntake(answers) {
  $("intake-fields").replaceChildren(...fields.map((f) => renderField(f, answers)));
  show("step-intake");
}

function finish(status) {
  done = true;
  if (socket) socket.close();
  show("step-final");
  $("final-text").textContent = status.status === "declined"
    ? status.message
    : "You left the queue. Use Meet Now again whenever you are ready.";
  $("again").hidden = false;
}

async function joinCall() {
  const joined = await call("POST", "/patient/join");
  done = true;
  // The Camera Preview then says that a provider is ready (a claim is what brought us here).
  sessionStorage.setItem(readyKey(joined.session_id), "true");
  location.assign(joined.next);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/on_demand/patient/ws`);
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "hello") {
      attempt = 0;
      const status = message.data.request;
      if (status.status === "claimed") joinCall();
      else if (status.status === "waiting") renderWaiting(status);
      else if (status.status !== "intake") finish(status);
    } else if (message.type === "on_demand.position") {
      renderWaiting(message.data);
    } else if (message.type === "on_demand.claimed") {
      joinCall();
    } else if (message.type === "on_demand.declined") {
      finish({ status: "declined", message: message.data.message });
    } else if (message.type === "on_demand.left") {
      finish({ status: "abandoned" });
    }
  });
  socket.addEventListener("close", () => {
    if (done) return;
    attempt = Math.min(attempt + 1, 5);
    setTimeout(connect, 500 * 2 ** attempt);
  });
}

async function resume() {
  let status;
  try { status = await call("GET", "/patient"); } catch { return false; }
  if (status.status === "claimed") { await joinCall(); return true; }
  if (!["intake", "waiting"].includes(status.status)) return false;
  connect();
  if (status.status === "intake") renderIntake(status.answers || {});
  else { show("step-waiting"); renderWaiting(status); }
  return true;
}

async function main() {
  const info = await call("GET", `/orgs/${encodeURIComponent(slug)}`);
  $("org-name").textContent = info.organisation.name;
  document.title = `${info.organisation.name} · Meet Now`;
  fields = info.fields;
  $("meet-now").addEventListener("click", () => show("step-info"));
  // After a decline or leaving, the page offers a new start instead of ending there.
  $("again").addEventListener("click", () => {
    done = false;
    $("step-info").reset();
    show("step-info");
  });
  $("step-info").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const started = await call("POST", `/orgs/${encodeURIComponent(slug)}/requests`, {
        name: $("patient-name").value, email: $("patient-email").value });
      fields = started.fields;
      error("");
      connect();
      renderIntake({});
    } catch (err) { error(err.message); }
  });
  $("step-intake").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const status = await call("POST", "/patient/complete");
      intakeError("");
      show("step-waiting");
      renderWaiting(status);
    } catch (err) {
      if (err.code === "intake_incomplete") {
        const missing = err.details.missing;
        intakeError(missing.length === 1 ? "Please answer the question marked above."
          : `Please answer the ${missing.length} questions marked above.`);
        markMissing(missing);
      } else intakeError(err.message);
    }
  });
  $("leave").addEventListener("click", async () => {
    await call("DELETE", "/patient").catch(() => null);
    finish({ status: "abandoned" });
  });
  await resume();
  document.body.dataset.ready = "true";
}

main().catch((err) => error(err.message || "This page could not be loaded."));
