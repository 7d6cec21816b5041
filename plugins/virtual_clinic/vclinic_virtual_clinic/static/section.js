// The Virtual Clinic section of the dashboard. Providers: the session requests waiting for
// them, newest on top, each with "Accept", "Accept and Enter" and "Decline" (with an optional
// note), announced by a beep and an alert. Requesters (and stations): the providers with their
// availability and "Request Session Now" under each name, the Account Service to check first,
// and the answers to their requests ("Dismiss" to clear a declined one). Both: their sessions,
// "Enter Waiting Room" or "Enter Meeting", and who is in the waiting room.
import { el, link } from "./live.js";

const REASONS = {
  declined_by_provider: "declined your request.",
  provider_unavailable: "is unavailable for sessions, so your request was declined.",
  provider_went_unavailable: "became unavailable for sessions, so your request was declined.",
  expired: "did not answer in time, so your request expired.",
};

function beep() {
  // An audible alert; browsers may refuse sound before the first click on the page.
  try {
    const audio = new (window.AudioContext || window.webkitAudioContext)();
    for (const start of [0, 0.3]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + start);
      tone.stop(audio.currentTime + start + 0.18);
    }
    setTimeout(() => audio.close(), 1000);
  } catch (error) {
    console.warn("no sound for the request alert", error);
  }
}

function withService(text, serviceName) {
  return serviceName ? `${text} (${serviceName})` : text;
}

export default async function render(element, shell) {
  const { socket, api, user } = await link(shell);
  const alert = el("p", { role: "alert", class: "banner", id: "vc-alert", hidden: "" });
  const incoming = el("div", { id: "vc-requests", "aria-label": "Session requests" });
  const answers = el("div", { id: "vc-answers", "aria-live": "polite" });
  const picker = el("fieldset", { id: "vc-services", hidden: "" });
  const providers = el("ul", { id: "vc-providers", "aria-label": "Providers" });
  const sessions = el("ul", { id: "vc-sessions", "aria-label": "Virtual Clinic sessions" });
  const status = el("p", { role: "status" });
  let data = null;
  let chosen = null;

  async function act(method, path, body) {
    try {
      status.textContent = "";
      return await api(method, `/virtual-clinic${path}`, body);
    } catch (error) {
      status.textContent = error.message;
      await refresh();
      return null;
    }
  }

  function requestItem(request) {
    const who = withService(request.requester_name, request.service_name);
    const noteId = `vc-note-${request.id}`;
    const note = el("textarea", { id: noteId, maxlength: "500", hidden: "" });
    const noteLabel = el("label", { for: noteId, hidden: "",
                                    text: `Note to ${request.requester_name} (optional)` });
    const send = el("button", { type: "button", text: "Send Decline", hidden: "",
      onclick: async () => {
        await act("POST", `/requests/${request.id}/decline`, { note: note.value || null });
        await refresh();
      } });
    const decline = el("button", { type: "button", text: "Decline", onclick: async () => {
      if (data.decline_notes && note.hidden) {
        note.hidden = false; noteLabel.hidden = false; send.hidden = false; note.focus();
        return;
      }
      await act("POST", `/requests/${request.id}/decline`, {});
      await refresh();
    } });
    const accept = (enter) => async () => {
      const reply = await act("POST", `/requests/${request.id}/accept`, { enter });
      if (reply && reply.next) window.location.assign(reply.next);
      else await refresh();
    };
    return el("li", { class: "request", "data-request": request.id },
      el("strong", { text: `Session request: ${who}` }), " ",
      el("button", { type: "button", text: "Accept", onclick: accept(false) }),
      el("button", { type: "button", text: "Accept and Enter", onclick: accept(true) }),
      decline, noteLabel, note, send);
  }

  function answerItem(request) {
    const to = withService(request.provider_name, request.service_name);
    if (request.status === "pending") {
      return el("li", { "data-request": request.id },
        `Request sent to ${to}. Waiting for an answer… `,
        el("button", { type: "button", text: "Cancel Request", onclick: async () => {
          await act("POST", `/providers/${request.provider_id}/requests/${request.id}/cancel`);
          await refresh();
        } }));
    }
    return el("li", { role: "alert", "data-request": request.id },
      `${request.provider_name} ${REASONS[request.reason] || "declined your request."}`,
      request.note ? el("blockquote", { text: `Note: ${request.note}` }) : null,
      el("button", { type: "button", text: "Dismiss", onclick: async () => {
        await act("POST", `/providers/${request.provider_id}/requests/${request.id}/dismiss`);
        await refresh();
      } }));
  }

  function providerItem(provider) {
    const asked = (data.outgoing || []).some((r) => r.provider_id === provider.id);
    return el("li", { class: "provider", "data-provider": provider.id },
      el("span", { class: "provider-name", text: provider.name }),
      el("span", { class: "provider-status",
                   text: provider.available ? " Available" : " Unavailable" }),
      el("br"),
      el("button", { type: "button", text: "Request Session Now", disabled: asked ? "" : null,
        "aria-label": `Request Session Now with ${provider.name}`,
        onclick: async () => {
          if (data.services.length > 1 && !chosen) {
            status.textContent = "Check the Account Service of your request first.";
            picker.querySelector("input").focus();
            return;
          }
          await act("POST", "/requests", { provider_id: provider.id, service_id: chosen });
          await refresh();
        } }));
  }

  function sessionItem(session) {
    const chair = session.your_role === "chair";
    const others = session.participants.filter((p) => p.role !== "chair");
    // A requester's sessions differ by who accepted them: name the provider.
    const providers = session.participants.filter((p) => p.role === "chair")
      .map((p) => p.display_name);
    return el("li", { class: "session", "data-session": session.id },
      el("strong", { text: session.name }), " ",
      !chair && providers.length
        ? el("span", { class: "session-provider", text: `with ${providers.join(", ")} ` }) : "",
      el("a", { class: "button", href: session.url,
                text: chair ? "Enter Meeting" : "Enter Waiting Room" }),
      el("ul", {}, ...others.map((p) => el("li", {},
        `${p.display_name}: `, el("span", { class: "participant-status", text: p.status })))));
  }

  function draw() {
    incoming.hidden = !data.is_provider;
    if (!(data.incoming || []).length) alert.hidden = true;
    incoming.replaceChildren(el("h3", { text: "Session Requests" }),
      (data.incoming || []).length
        ? el("ul", {}, ...data.incoming.map(requestItem))
        : el("p", { text: "No session requests right now." }));
    answers.replaceChildren(...(data.outgoing || []).map(answerItem));
    if (data.is_requester && data.services.length > 1) {
      picker.hidden = false;
      picker.replaceChildren(el("legend", { text: "Account Service" }),
        ...data.services.map((s) => el("label", {}, el("input", {
          type: "radio", name: "vc-service", value: s.id, checked: chosen === s.id ? "" : null,
          onchange: () => { chosen = s.id; } }), ` ${s.name}`)));
    }
    providers.hidden = !data.is_requester;
    providers.replaceChildren(...(data.providers || []).map(providerItem));
    sessions.replaceChildren(...data.sessions.map(sessionItem));
    if (!data.sessions.length) sessions.append(el("li", { text: "No sessions yet." }));
  }

  async function refresh() {
    data = await api("GET", "/virtual-clinic/dashboard");
    if (data.services && data.services.length === 1) chosen = data.services[0].id;
    draw();
  }

  async function watch() {
    try { await socket.request("virtual_clinic.watch", {}); } catch (error) {
      console.warn("virtual clinic live updates unavailable", error);
    }
  }

  socket.on("virtual_clinic.request_created", async ({ request }) => {
    if (request.provider_id === user.id) {
      beep();
      alert.hidden = false;
      alert.textContent = `New session request: ${withService(request.requester_name,
                                                              request.service_name)}`;
    }
    await refresh();
  });
  for (const type of ["request_declined", "request_expired", "request_cancelled",
                      "request_dismissed", "availability"]) {
    socket.on(`virtual_clinic.${type}`, () => refresh());
  }
  socket.on("virtual_clinic.request_accepted", async () => { await refresh(); await watch(); });
  for (const type of ["participant_joined", "participant_updated", "participant_left",
                      "closed"]) {
    socket.on(`session.${type}`, () => refresh());
  }
  socket.on("reopen", async () => { await watch(); await refresh(); });

  try {
    await refresh();
  } catch (error) {
    if (error.code === "workflow_disabled") {
      const card = element.closest("section");
      (card || element).hidden = true;
      return;
    }
    throw error;
  }
  element.replaceChildren(alert, incoming, answers, picker, providers,
                          el("h3", { text: "Your Sessions" }), sessions, status);
  await watch();
}
