// Session List → On-Demand Requests (providers who are On-Call, and admins).
// Everyone waiting, longest wait first, with wait time and case information beside "Claim";
// admins also see phone and state and can assign to an On-Call provider or decline.
// Live: the /ws message on_demand.subscribe, then on_demand.request_added/_updated/_removed.
import { api, me } from "/static/js/api.js";

const PAGE = 50;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function waited(seconds) {
  const m = Math.floor(seconds / 60);
  return m < 1 ? `${Math.round(seconds)} s` : `${m} min`;
}

// The short reference of a request, as the bell's notification names it.
function ticket(id) {
  return String(id).slice(0, 8).toUpperCase();
}

function caseText(request, fieldsByKey) {
  const parts = Object.entries(request.case).map(([key, value]) => {
    const label = fieldsByKey[key] || key;
    return `${label}: ${value === true ? "yes" : value === false ? "no" : value}`;
  });
  return parts.length ? parts.join("; ") : "Intake just started";
}

class Socket {
  // A minimal /ws client for pages without the web UI's shell socket.
  constructor() { this.handlers = new Map(); this.pending = new Map(); this.txn = 0; }
  on(type, handler) { this.handlers.set(type, handler); }
  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.ws = new WebSocket(`${scheme}//${location.host}/ws`);
    return new Promise((resolve) => {
      this.ws.addEventListener("message", (event) => {
        const message = JSON.parse(event.data);
        if (message.type === "hello") resolve();
        if (message.txn && this.pending.has(message.txn)) {
          this.pending.get(message.txn)(message);
          this.pending.delete(message.txn);
        } else if (this.handlers.has(message.type)) this.handlers.get(message.type)(message.data);
      });
    });
  }
  request(type, data) {
    const txn = `od${++this.txn}`;
    this.ws.send(JSON.stringify({ v: 1, type, txn, data }));
    return new Promise((resolve, reject) => this.pending.set(txn, (message) =>
      message.type === "error" ? reject(new Error(message.error.message)) : resolve(message.data)));
  }
}

export default async function render(element, shell) {
  const info = (shell && shell.user) ? { user: shell.user } : await me();
  const isAdmin = (info.user.roles || []).includes("admin");
  const status = el("p", { role: "status" });
  const toggle = el("button", { type: "button", "aria-pressed": "false", id: "on-call" });
  const table = el("table", { "aria-label": "On-Demand Requests", id: "on-demand-requests" });
  const total = el("p", { class: "muted" });
  let fieldsByKey = {};
  let providers = [];
  let rows = [];
  // Everyone waiting, which may be more than the first page shown.
  let waiting = 0;
  let subscribed = false;
  // Live events keep arriving on the socket after a provider switches Off-Call; only an admin
  // or an On-Call provider shows them (a Claim they could not use otherwise).
  let showing = false;
  const socket = (shell && shell.socket) || new Socket();

  function head() {
    const cells = ["Waiting", "Patient", "Case information"];
    if (isAdmin) cells.push("Phone", "State");
    cells.push("Actions");
    return el("thead", {}, el("tr", {}, ...cells.map((c) => el("th", { scope: "col", text: c }))));
  }

  // Who has an assigned request, as this viewer can say it.
  function assignee(request) {
    if (!request.assigned_to) return "";
    if (request.assigned_to === info.user.id) return "Assigned to you";
    const provider = providers.find((p) => p.id === request.assigned_to);
    if (provider) return `Assigned to ${provider.name}`;
    return isAdmin ? "Assigned" : "Assigned to another provider";
  }

  function actions(request) {
    const cell = el("td");
    const claim = el("button", { type: "button", class: "primary", text: "Claim",
      "aria-label": `Claim request of ${request.name}` });
    // Only the assigned provider (or an admin) may claim an assigned request.
    if (!isAdmin && request.assigned_to && request.assigned_to !== info.user.id) {
      claim.disabled = true;
    }
    claim.addEventListener("click", async () => {
      claim.disabled = true;
      try {
        const claimed = await api("POST", `/on_demand/requests/${request.id}/claim`);
        location.assign(claimed.next);
      } catch (error) { status.textContent = error.message; claim.disabled = false; }
    });
    cell.append(claim);
    if (isAdmin) {
      const choose = el("select", { "aria-label": `Assign request of ${request.name} to` });
      choose.append(new Option("Assign to…", ""));
      for (const p of providers) {
        choose.append(new Option(p.name, p.id, false, p.id === request.assigned_to));
      }
      choose.addEventListener("change", async () => {
        if (!choose.value) return;
        try {
          await api("POST", `/on_demand/requests/${request.id}/assign`, { provider_id: choose.value });
          status.textContent = "Assigned; the provider was notified.";
        } catch (error) {
          status.textContent = error.message;
          choose.value = request.assigned_to || "";
        }
      });
      const decline = el("button", { type: "button", text: "Decline",
        "aria-label": `Decline request of ${request.name}` });
      decline.addEventListener("click", async () => {
        if (!window.confirm("Decline this request? The patient will be emailed.")) return;
        try { await api("POST", `/on_demand/requests/${request.id}/decline`); }
        catch (error) { status.textContent = error.message; }
      });
      cell.append(" ", choose, " ", decline);
    }
    return cell;
  }

  function draw() {
    const body = el("tbody");
    if (!rows.length) body.append(el("tr", {}, el("td", { colspan: isAdmin ? 6 : 4,
      text: "Nobody is waiting." })));
    for (const r of rows) {
      // The bell's link for an assigned request ("/dashboard#on-demand-request-<id>").
      const tr = el("tr", { "data-request": r.id, id: `on-demand-request-${r.id}` },
        el("td", { text: waited(r.wait_seconds) + (r.intake_complete ? "" : " (in setup guide)") }),
        el("td", {}, r.name, el("br"), el("span", { class: "muted",
          text: `Request ${ticket(r.id)}` })),
        el("td", {}, caseText(r, fieldsByKey), ...(r.assigned_to
          ? [el("br"), el("strong", { class: "assignee", text: assignee(r) })] : [])));
      if (isAdmin) tr.append(el("td", { text: r.phone || "" }), el("td", { text: r.state || "" }));
      tr.append(actions(r));
      body.append(tr);
    }
    table.replaceChildren(head(), body);
    total.textContent = `${Math.max(waiting, rows.length)} waiting, longest wait first.`;
  }

  async function load() {
    const page = await api("GET", `/on_demand/requests?limit=${PAGE}`);
    rows = page.requests;
    waiting = page.total;
    if (isAdmin) providers = (await api("GET", "/on_demand/providers")).providers;
    draw();
  }

  async function live() {
    if (subscribed) return;
    if (!(shell && shell.socket)) await socket.connect();
    socket.on("on_demand.request_added", (d) => {
      if (!showing) return;
      if (rows.some((r) => r.id === d.request.id)) return;
      waiting += 1;
      rows.push(d.request); draw();
    });
    socket.on("on_demand.request_updated", (d) => {
      if (!showing) return;
      rows = rows.map((r) => (r.id === d.request.id ? d.request : r)); draw();
    });
    socket.on("on_demand.request_removed", (d) => {
      if (!showing) return;
      waiting = Math.max(0, waiting - 1);
      rows = rows.filter((r) => r.id !== d.request_id); draw();
    });
    await socket.request("on_demand.subscribe", { limit: PAGE });
    subscribed = true;
  }

  async function show(onCall) {
    toggle.setAttribute("aria-pressed", String(onCall));
    toggle.textContent = onCall ? "On-Call" : "Off-Call: switch to On-Call";
    showing = onCall || isAdmin;
    if (!showing) {
      // The server ended this socket's subscription (on_demand.off_call): subscribe again
      // when back On-Call.
      subscribed = false;
      rows = [];
      table.replaceChildren();
      total.textContent = "Switch to On-Call to see On-Demand Requests.";
      return;
    }
    await load();
    await live();
  }

  toggle.addEventListener("click", async () => {
    const on = toggle.getAttribute("aria-pressed") !== "true";
    try { await show((await api("PUT", "/on_demand/on-call", { on_call: on })).on_call); }
    catch (error) { status.textContent = error.message; }
  });
  fieldsByKey = Object.fromEntries((await api("GET", "/on_demand/intake")).fields
    .map((f) => [f.key, f.label]));
  const parts = [];
  if ((info.user.roles || []).includes("provider")) parts.push(toggle);
  // The organisation's public-facing calendar, where patients click Meet Now or book a time.
  const org = info.user.organisation;
  if (org && org.slug) {
    parts.push(el("p", { class: "public-page-link" }, el("a", {
      href: `/o/${encodeURIComponent(org.slug)}/calendar`, target: "_blank", rel: "noopener",
      id: "on-demand-public-page", text: "Open the public-facing calendar (Meet Now and "
        + "bookable times)" })));
  }
  element.replaceChildren(...parts, total, table, status);
  const onCall = (await api("GET", "/on_demand/on-call")).on_call;
  await show(onCall);
}
