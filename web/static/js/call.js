// The call page: remote videos with names and roles, self view, controls, the participant list,
// connection quality, recording and time left. Speaks only docs/protocol.md (session.* and
// media.*), and after a network drop reconnects, enters the session again and restarts media.
import { api } from "./api.js";
import { ChairTools } from "./chair_tools.js";
import { chosenDevices, constraints, mediaErrorText, openMedia } from "./devices.js";
import { SfuPeer } from "./media.js";
import { copyLink, replaceLink, showShareLink as shareLink } from "./share_link.js";
import {
  announce, consentKey, formatClock, localName, roleName, sessionIdFromUrl, setBanner,
} from "./ui.js";
import { renderParticipants, Tiles } from "./tiles.js";
import { Socket, WsError } from "./ws.js";

const sessionId = sessionIdFromUrl();
const socket = new Socket();
const tiles = new Tiles(document.getElementById("tiles"));
const participants = new Map();
const state = {
  session: null, you: null, peer: null, stream: null, screen: null, iceServers: [],
  audioMuted: false, videoMuted: false, facingMode: "user", ended: false, mediaStarted: false,
  recording: { state: "stopped" }, enteredRole: null, recordBusy: false, timeUp: false,
  // What the session's workflow plugin says Hang Up does for you (docs/plugins.md,
  // vclinic_call_page): a confirmation, an end endpoint, the ended page's words.
  callPage: {}, hangingUp: false, guestLeftShown: false,
};
const $ = (id) => document.getElementById(id);
const chairTools = new ChairTools({ sessionId, status: (...args) => status(...args),
  button: $("settings"), dialog: $("settings-dialog"), tiles: $("tiles") });
const isPhone = () => navigator.maxTouchPoints > 0 && matchMedia("(pointer: coarse)").matches;

function status(text, kind = "info") {
  setBanner("call-status", text, kind);
  if (text) announce(text);
}

// Whether this participant may send `source`; the server checks again on every offer. The
// permissions come with session.enter; after a role change (which arrives as the role alone)
// the role decides.
function canPublish(source) {
  const you = state.you || {};
  if (state.enteredRole && you.role !== state.enteredRole) return you.role !== "viewer";
  const permissions = you.permissions;
  if (Array.isArray(permissions)) {
    return permissions.includes(`publish_${source}`) || permissions.includes("publish")
      || permissions.includes(`publish:${source}`);
  }
  if (permissions && typeof permissions === "object") {
    if (source in permissions) return Boolean(permissions[source]);
    if (Array.isArray(permissions.publish)) return permissions.publish.includes(source);
    if (`publish_${source}` in permissions) return Boolean(permissions[`publish_${source}`]);
  }
  return you.role !== "viewer";
}

function render() {
  const session = state.session || {};
  const name = localName(session.name) || "Session";
  $("session-name").textContent = name;
  document.title = `${name} · vclinic`;
  $("recording").hidden = !isRecording();
  chairTools.update(state);
  renderParticipants($("participants"), [...participants.values()], state.you,
    (p) => chairTools.roleControl(p));
  const present = [...participants.values()]
    .filter((p) => p.state !== "left" && p.state !== "removed").length;
  showWaitingFor();
  $("participant-count").textContent = `(${present})`;
  for (const p of participants.values()) {
    if (state.you && p.id === state.you.id) continue;
    if (p.state === "connected" || p.state === "reconnecting") tiles.participant(p);
    else tiles.removeParticipant(p.id);
  }
  const self = $("self-tile");
  self.querySelector(".tile-role").textContent = state.you ? roleName(state.you.role) : "";
  self.querySelector(".tile-muted").hidden = !state.audioMuted;
  self.querySelector(".tile-off").hidden = !state.videoMuted && Boolean(state.stream
    && state.stream.getVideoTracks().length);
  updateControls();
  chairTools.update(state);
}

// Someone who is in the call before any Session Chair (a requester station before the
// provider, a patient before the clinician) is told whom they are waiting for.
function showWaitingFor() {
  const box = $("waiting-for");
  const you = state.you;
  const others = [...participants.values()].filter((p) => !you || p.id !== you.id);
  const chairHere = others.some((p) => p.role === "chair"
    && (p.state === "connected" || p.state === "reconnecting"));
  const waiting = Boolean(you) && !state.ended && you.role !== "chair" && you.state !== "waiting"
    && !chairHere;
  const names = others.filter((p) => p.role === "chair" && p.state !== "removed")
    .map((p) => p.display_name).filter(Boolean);
  const text = waiting ? `Waiting for ${names.length ? names.join(" or ") : "the Session Chair"} `
    + "to join. Please stay on this page." : "";
  if (box.textContent !== text) box.textContent = text;
  box.hidden = !waiting;
}

function isRecording() {
  return Boolean(state.recording && state.recording.state === "recording");
}

// Chairs may record. Permissions come with session.enter; a later role change arrives as the
// new role alone, so after one the role decides (docs/workflows/sessions.md, Roles).
function canRecord() {
  const you = state.you;
  if (!you || state.ended) return false;
  if (you.permissions && typeof you.permissions.record === "boolean"
    && you.role === state.enteredRole) return you.permissions.record;
  return you.role === "chair";
}

function updateControls() {
  const mute = $("mute");
  mute.textContent = state.audioMuted ? "Unmute" : "Mute";
  mute.setAttribute("aria-pressed", String(state.audioMuted));
  mute.disabled = !state.stream || !state.stream.getAudioTracks().length;
  const camera = $("camera");
  camera.textContent = state.videoMuted ? "Start Camera" : "Stop Camera";
  camera.setAttribute("aria-pressed", String(state.videoMuted));
  camera.disabled = !state.stream || !state.stream.getVideoTracks().length;
  // A Viewer sends nothing: Mute and Stop Camera would do nothing for them.
  mute.hidden = !canPublish("audio");
  camera.hidden = !canPublish("video");
  $("switch-camera").hidden = camera.hidden || camera.disabled || !state.canSwitch;
  const screen = $("screen");
  screen.hidden = !navigator.mediaDevices.getDisplayMedia || isPhone() || !canPublish("screen")
    || !state.mediaStarted;
  screen.textContent = state.screen ? "Stop Sharing" : "Share Screen";
  screen.setAttribute("aria-pressed", String(Boolean(state.screen)));
  const record = $("record");
  record.hidden = !canRecord();
  record.textContent = isRecording() ? "Stop Recording" : "Start Recording";
  record.setAttribute("aria-pressed", String(isRecording()));
  record.disabled = state.recordBusy;
  $("end-all").hidden = !isChair();
}

function isChair() {
  return Boolean(state.you) && !state.ended && state.you.role === "chair";
}

// The patient the session is about (About Patient), for the practice's people only: a guest
// (often the patient) is never shown it, and the server refuses them the patient anyway.
async function showPatient() {
  const box = $("about-patient");
  const you = state.you;
  if (!you || you.kind === "guest" || !(state.session && state.session.patient_linked)) {
    box.hidden = true;
    return;
  }
  const detail = await api("GET", `/sessions/${encodeURIComponent(sessionId)}`);
  const patientId = detail.session && detail.session.patient_id;
  if (!patientId) {
    box.hidden = true;
    return;
  }
  const found = await api("GET", `/patients/${encodeURIComponent(patientId)}`);
  const ref = found.patient.external_ref ? ` (${found.patient.external_ref})` : "";
  box.textContent = `About Patient: ${found.patient.display_name}${ref}`;
  box.hidden = false;
}

// Chairs see the link to share under the participant list (share_link.js).
async function showShareLink() {
  if (!isChair()) {
    $("share").hidden = true;
    return;
  }
  await shareLink(sessionId, state.session && state.session.access_level);
}

async function endForEveryone() {
  if (!window.confirm("End the session for everyone? Its links stop working.")) return;
  try {
    await api("POST", `/sessions/${encodeURIComponent(sessionId)}/close`);
  } catch (error) {
    status(error.message, "error");
  }
}

function upsert(participant) {
  const known = participants.get(participant.id) || {};
  const merged = { ...known, ...participant };
  participants.set(participant.id, merged);
  if (state.you && participant.id === state.you.id) {
    const wasWaiting = state.you.state === "waiting";
    const wasRole = state.you.role;
    state.you = { ...state.you, ...participant };
    if (wasWaiting && state.you.state === "connected") {
      status("You have been admitted.");
      startMedia();
    } else if (state.you.role !== wasRole) {
      regainMedia().catch((error) => console.error("media after a role change", error));
    }
  }
  return merged;
}

async function enter() {
  const data = { session_id: sessionId };
  // The answer given on the Camera Preview; without one the server keeps the last answer.
  const consent = sessionStorage.getItem(consentKey(sessionId));
  if (consent === "true" || consent === "false") data.consent_recording = consent === "true";
  const reply = await socket.request("session.enter", data);
  state.session = reply.session;
  state.you = reply.you;
  state.enteredRole = reply.you.role;
  state.recording = reply.recording || { state: "stopped" };
  state.iceServers = reply.ice_servers || [];
  state.callPage = reply.call_page || {};
  participants.clear();
  for (const p of reply.participants || []) participants.set(p.id, p);
  if (!participants.has(reply.you.id)) {
    participants.set(reply.you.id, { ...reply.you, state: reply.you.state || "connected" });
  }
  render();
  return reply;
}

async function videoInputs() {
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
}

// "Switch Camera" is offered only while there is more than one camera to switch between.
async function updateCameras() {
  state.canSwitch = (await videoInputs()).length > 1;
  updateControls();
}

async function startMedia() {
  if (state.mediaStarted || state.ended) return;
  state.mediaStarted = true;
  const want = { audio: canPublish("audio"), video: canPublish("video") };
  if (want.audio || want.video) {
    try {
      state.stream = await openMedia(chosenDevices(), want);
    } catch (error) {
      status(`${mediaErrorText(error)} You can still see and hear the others.`, "error");
    }
  }
  if (state.stream) {
    $("self-video").srcObject = state.stream;
    await updateCameras();
  }
  render();
  state.peer = new SfuPeer(socket, sessionId, {
    onTrack: (info) => tiles.addTrack(info, participants.get(info.participantId)),
    onTrackGone: (mid) => tiles.removeTrack(mid),
    onState: mediaState,
  }, { iceServers: state.iceServers });
  const stream = state.stream;
  try {
    await state.peer.start({
      audio: stream ? stream.getAudioTracks()[0] || null : null,
      video: stream ? stream.getVideoTracks()[0] || null : null,
    });
    if (state.audioMuted || state.videoMuted) await sendMuteState();
  } catch (error) {
    status(error.message || "The video connection could not be started.", "error");
  }
}

function liveTrack(kind) {
  return Boolean(state.stream && state.stream.getTracks()
    .some((track) => track.kind === kind && track.readyState === "live"));
}

// A role that may publish again (a Viewer made Broadcaster during the call): open the camera
// and microphone the revocation stopped and send them on the same connection, so that the
// others see and hear this participant without a reload.
async function regainMedia() {
  if (!state.peer || state.ended || state.regaining) return;
  const want = { audio: canPublish("audio") && !liveTrack("audio"),
    video: canPublish("video") && !liveTrack("video") };
  if (!want.audio && !want.video) return;
  state.regaining = true;
  try {
    const fresh = await openMedia(chosenDevices(), want);
    const kept = state.stream ? state.stream.getTracks()
      .filter((track) => track.readyState === "live") : [];
    state.stream = new MediaStream([...kept, ...fresh.getTracks()]);
    $("self-video").srcObject = state.stream;
    for (const track of fresh.getTracks()) {
      await state.peer.publish(track.kind, track);
      if (track.kind === "audio") state.audioMuted = false;
      if (track.kind === "video") state.videoMuted = false;
    }
    await sendMuteState();
    await updateCameras();
    status("The Session Chair let you send audio and video again.");
  } catch (error) {
    status(`${mediaErrorText(error)} You can still see and hear the others.`, "error");
  } finally {
    state.regaining = false;
    render();
  }
}

let failedTimer = null;
function mediaState(connection) {
  const labels = { connected: "good", connecting: "checking", new: "checking",
    disconnected: "interrupted", failed: "lost" };
  $("quality-value").textContent = labels[connection] || connection;
  $("quality").dataset.level = connection === "connected" ? "good" : "unknown";
  clearTimeout(failedTimer);
  if (connection === "connected") {
    if ($("call-status").dataset.kind !== "error") status("");
    document.body.dataset.media = "connected";
  } else if (connection === "disconnected") {
    status("The video connection was interrupted. Trying to restore it…", "warning");
  } else if (connection === "failed" && !state.ended && socket.state === "open") {
    status("The video connection was lost. Reconnecting…", "warning");
    failedTimer = setTimeout(() => state.peer && state.peer.restart(), 1000);
  }
}

async function sendMuteState() {
  if (state.peer) await state.peer.setMuted(state.audioMuted, state.videoMuted).catch(() => {});
  if (state.you) upsert({ id: state.you.id, audio_muted: state.audioMuted, video_muted: state.videoMuted });
  render();
}

async function toggleMute() {
  state.audioMuted = !state.audioMuted;
  for (const track of state.stream ? state.stream.getAudioTracks() : []) track.enabled = !state.audioMuted;
  announce(state.audioMuted ? "Microphone muted" : "Microphone on");
  await sendMuteState();
}

async function toggleCamera() {
  state.videoMuted = !state.videoMuted;
  for (const track of state.stream ? state.stream.getVideoTracks() : []) track.enabled = !state.videoMuted;
  announce(state.videoMuted ? "Camera off" : "Camera on");
  await sendMuteState();
}

// The next camera: on a phone whose camera reports which way it faces, the other side
// (front/back); otherwise the next one in the device list (what a laptop with a USB camera, and
// a phone that does not report facing modes, needs).
async function nextCamera(settings) {
  if (isPhone() && settings.facingMode) {
    state.facingMode = settings.facingMode === "user" ? "environment" : "user";
    return { facingMode: state.facingMode };
  }
  const cameras = await videoInputs();
  const index = cameras.findIndex((c) => c.deviceId === settings.deviceId);
  return { videoId: cameras[(index + 1) % cameras.length].deviceId };
}

// Switch the camera in place: the sender's track is replaced, so nothing is renegotiated.
async function switchCamera() {
  const old = state.stream && state.stream.getVideoTracks()[0];
  if (!old || state.switchingCamera) return;
  state.switchingCamera = true;
  try {
    await replaceCamera(old);
  } finally {
    state.switchingCamera = false;
  }
}

async function replaceCamera(old) {
  const settings = old.getSettings();
  const choice = await nextCamera(settings);
  old.stop(); // many phones cannot open a second camera while one is in use
  let fresh;
  try {
    fresh = await navigator.mediaDevices.getUserMedia(constraints(choice, { audio: false }));
  } catch (error) {
    status(mediaErrorText(error), "error");
    // Back to the camera that worked, so the others keep seeing this participant.
    fresh = await navigator.mediaDevices.getUserMedia(
      constraints({ videoId: settings.deviceId }, { audio: false })).catch(() => null);
    if (!fresh) return;
  }
  const track = fresh.getVideoTracks()[0];
  track.enabled = !state.videoMuted;
  state.stream.removeTrack(old);
  state.stream.addTrack(track);
  $("self-video").srcObject = state.stream;
  if (state.peer) await state.peer.replaceTrack("video", track);
  if (track.getSettings().deviceId !== settings.deviceId) announce("Camera switched");
}

async function toggleScreen() {
  if (!state.peer) return;
  if (state.screen) {
    stopScreen();
    return;
  }
  try {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = display.getVideoTracks()[0];
    track.addEventListener("ended", () => state.screen === track && stopScreen());
    state.screen = track;
    await state.peer.setScreen(track);
    announce("You are sharing your screen");
  } catch (error) {
    if (error.name !== "NotAllowedError") status("Your screen could not be shared.", "error");
    state.screen = null;
  }
  updateControls();
}

function stopScreen() {
  if (state.screen) state.screen.stop();
  state.screen = null;
  if (state.peer) state.peer.setScreen(null).catch(() => {});
  announce("Screen sharing stopped");
  updateControls();
}

// `why` ("left", "removed" or "closed") tells a guest's Back page what happened, for when
// their link no longer signs them in.
function end(title, text, canRejoin = true, why = "left") {
  state.ended = true;
  if (state.peer) state.peer.close();
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
  if (state.screen) state.screen.stop();
  state.peer = null;
  state.stream = null;
  state.screen = null;
  socket.close();
  tiles.clear();
  clearInterval(clock);
  $("tiles").hidden = true;
  $("ended").hidden = false;
  $("ended-title").textContent = title;
  $("ended-text").textContent = text || "";
  document.querySelector(".controls").hidden = true;
  document.querySelector(".participants").hidden = true;
  $("quality").hidden = true;
  $("recording").hidden = true;
  $("share").hidden = true;
  chairTools.update(state);
  $("rejoin").hidden = !canRejoin;
  // A guest has no dashboard: Back takes them to a page that only says whether they can
  // join again.
  $("ended-back").href = state.you && state.you.kind === "guest" ? `/left?why=${why}`
    : "/dashboard";
  setBanner("call-status", "");
  document.body.dataset.ended = "true";
  (canRejoin ? $("rejoin") : $("ended-back")).focus();
  announce(title);
}

async function hangUp() {
  const page = state.callPage;
  if (page.hang_up_confirm && !window.confirm(page.hang_up_confirm)) return;
  if (page.hang_up_path) {
    // The workflow ends its session: the session.closed that follows is ours, not the Chair's.
    state.hangingUp = true;
    let answer;
    try {
      answer = await api("POST", page.hang_up_path, {});
    } catch (error) {
      state.hangingUp = false;
      status(error.message, "error");
      return;
    }
    end((answer && answer.message) || page.ended_title || "The session has ended",
      page.ended_text || "", false, "closed");
    return;
  }
  try {
    await socket.request("session.leave", { session_id: sessionId });
  } catch {
    // Leaving still ends the call here; the server drops the participant after its grace period.
  }
  end(page.ended_title || "You left the session",
    page.ended_text || "The session is still open for the others.");
}

function revoked({ source }) {
  if (!state.peer) return;
  state.peer.revoke(source);
  if (source === "screen") {
    if (state.screen) state.screen.stop();
    state.screen = null;
  } else if (state.stream) {
    for (const track of state.stream.getTracks()) if (track.kind === source) track.stop();
    if (source === "audio") state.audioMuted = true;
    if (source === "video") state.videoMuted = true;
  }
  status(`The Session Chair stopped your ${source === "screen" ? "screen share" : source}.`, "warning");
  render();
}

async function toggleRecording() {
  if (state.recordBusy || !canRecord()) return;
  state.recordBusy = true;
  updateControls();
  const path = `/sessions/${encodeURIComponent(sessionId)}/recording`;
  try {
    await api(isRecording() ? "DELETE" : "POST", path);
  } catch (error) {
    status(error.message || "The recording could not be changed.", "error");
  } finally {
    state.recordBusy = false;
    updateControls();
  }
}

function tellRecording() {
  const mine = state.you && participants.get(state.you.id);
  const consented = mine ? mine.consent_recording : state.you && state.you.consent_recording;
  status(consented ? "This session is being recorded."
    : "This session is being recorded. You are not in the recording: you did not agree to be recorded.",
  "warning");
}

// session.recording: everyone sees the indicator; the people not in the recording are told.
function recordingChanged(data) {
  const was = isRecording();
  state.recording = data.state === "recording" ? data : { state: data.state };
  render();
  if (data.state === "recording" && !was) {
    tellRecording();
  } else if (data.state === "interrupted") {
    status("The recording stopped because of a server problem. What was recorded so far is kept.",
      "error");
  } else if (data.state === "stopped" && was) {
    status("Recording stopped.");
  }
}

function removed({ participant_id: id, reason, message }) {
  if (state.you && id === state.you.id) {
    // A workflow that removed its guest says why in its own words (SessionService.remove_guest).
    end("You were removed from the session", message || (reason === "access_changed"
      ? "The session's access level changed and no longer includes you."
      : "The Session Chair removed you from the session."), false, "removed");
    return;
  }
  const p = participants.get(id);
  if (p) upsert({ id, state: "removed" });
  tiles.removeParticipant(id);
  render();
}

// Time Left counts down to the session's end (set by a chair). Reaching it does not end the
// call: a clinical visit is never cut off by the clock, so the page only warns and says so.
function updateClock() {
  const endsAt = state.session && state.session.ends_at;
  const box = $("time-left");
  if (!endsAt || state.ended) {
    box.hidden = true;
    return;
  }
  const left = (new Date(endsAt).getTime() - Date.now()) / 1000;
  box.hidden = false;
  $("time-left-value").textContent = formatClock(left);
  box.dataset.warn = String(left < 300);
  const minute = Math.ceil(left / 60);
  if ((minute === 5 || minute === 1) && state.announcedMinute !== minute) {
    state.announcedMinute = minute;
    announce(`${minute} minute${minute === 1 ? "" : "s"} left`);
  }
  if (left <= 0 && !state.timeUp) {
    state.timeUp = true;
    status("The session's time is up. The call goes on until a Session Chair ends it.", "warning");
  } else if (left > 0) {
    state.timeUp = false;
  }
}
const clock = setInterval(updateClock, 1000);

setInterval(async () => {
  if (!state.peer) return;
  const quality = await state.peer.quality().catch(() => null);
  if (!quality || quality.level === "unknown") return;
  $("quality").dataset.level = quality.level;
  $("quality-value").textContent = quality.level;
}, 3000);

// The workflow's "a guest left" notice goes once a guest is back in the call.
function guestBack(participant) {
  if (state.guestLeftShown && participant.kind === "guest" && participant.state === "connected") {
    state.guestLeftShown = false;
    status("");
  }
}
socket.on("session.participant_joined", ({ participant }) => {
  upsert(participant);
  guestBack(participant);
  render();
});
socket.on("session.participant_updated", ({ participant }) => {
  upsert(participant);
  guestBack(participant);
  render();
});
socket.on("session.participant_left", ({ participant_id: id }) => {
  const known = participants.get(id);
  if (known && known.kind === "guest" && state.callPage.guest_left_notice) {
    state.guestLeftShown = true;
    status(state.callPage.guest_left_notice, "warning");
  }
  if (known && known.state !== "removed") upsert({ id, state: "left" });
  tiles.removeParticipant(id);
  render();
});
// Media events of the session (docs/protocol.md): mute state and connection quality of others.
socket.on("media.participant_state", ({ participant_id: id, audio_muted, video_muted }) => {
  if (!participants.has(id)) return;
  upsert({ id, audio_muted, video_muted });
  render();
});
// One media.stats per session and interval lists every participant that reported.
socket.on("media.stats", ({ participants: reported = [] }) => {
  let changed = false;
  for (const { participant_id: id, loss, rtt } of reported) {
    const known = participants.get(id);
    if (!known || (state.you && id === state.you.id)) continue;
    let quality = "good";
    if (loss > 0.08 || (rtt !== null && rtt > 0.6)) quality = "poor";
    else if (loss > 0.02 || (rtt !== null && rtt > 0.25)) quality = "fair";
    if (known.quality === quality) continue;
    upsert({ id, quality });
    changed = true;
  }
  if (changed) render();
});
socket.on("session.updated", ({ session }) => {
  const level = state.session && state.session.access_level;
  state.session = { ...state.session, ...session };
  render();
  updateClock();
  if (state.session.access_level !== level) {
    showShareLink().catch((error) => console.error("session link", error));
  }
  showPatient().catch((error) => console.error("about patient", error));
});
socket.on("session.removed", removed);
socket.on("session.recording", recordingChanged);
// A workflow's own words for its ended session (vclinic_call_page) win over the Chair's.
socket.on("session.closed", () => state.hangingUp || end(
  state.callPage.ended_title || "The session has ended",
  state.callPage.ended_title ? state.callPage.ended_text || ""
    : "The Session Chair ended the session for everyone.", false, "closed"));
socket.on("media.server_offer", (data) => state.peer && state.peer.handleServerOffer(data)
  .catch((error) => console.error("server offer failed", error)));
socket.on("media.renegotiate", () => {
  if (!state.peer) return;
  status("Restoring the video connection…", "warning");
  state.peer.restart().catch(() => {});
});
socket.on("media.revoked", revoked);
socket.on("media.connection_state", ({ state: connection }) => {
  if (connection === "failed" && !state.ended) {
    status("The video connection was lost. Reconnecting…", "warning");
  }
});
socket.onState((connection) => {
  if (state.ended) return;
  if (connection === "reconnecting") {
    status("Connection lost. Reconnecting…", "warning");
    document.body.dataset.media = "reconnecting";
  }
});
socket.on("reopen", async () => {
  if (state.ended) return;
  status("Reconnected. Restoring video…", "warning");
  try {
    await enter();
    if (state.peer) {
      await state.peer.restart();
      // The server's view of this participant restarted with the connection.
      if (state.audioMuted || state.videoMuted) await sendMuteState();
    }
    else if (state.you.state !== "waiting") await startMedia();
  } catch (error) {
    if (error instanceof WsError && ["not_found", "gone", "forbidden"].includes(error.code)) {
      end("The session has ended", error.message, false, "closed");
    }
  }
});
socket.on("resync", () => !state.ended && enter().catch(() => {}));

$("mute").addEventListener("click", toggleMute);
$("camera").addEventListener("click", toggleCamera);
$("switch-camera").addEventListener("click", switchCamera);
navigator.mediaDevices.addEventListener("devicechange", () => {
  if (state.stream) updateCameras().catch(() => {});
});
$("screen").addEventListener("click", toggleScreen);
$("record").addEventListener("click", toggleRecording);
$("hangup").addEventListener("click", hangUp);
$("end-all").addEventListener("click", endForEveryone);
$("copy-link").addEventListener("click", () => copyLink(status));
$("replace-link").addEventListener("click", () => replaceLink(sessionId, status));
$("rejoin").addEventListener("click", () => window.location.reload());

async function main() {
  if (!sessionId) {
    end("No session", "This link does not name a session. Go back and open the session again.");
    return;
  }
  status("Connecting…");
  try {
    await socket.connect();
    await enter();
  } catch (error) {
    const text = error instanceof WsError && error.code === "unreachable"
      ? "The server cannot be reached. Check your connection, then select Join Session."
      : error.message;
    end("You could not join the session", text);
    return;
  }
  if (state.you.state === "waiting") {
    status("You are in the Waiting Room. You will join as soon as you are admitted.");
  } else {
    status("");
  }
  if (isRecording()) tellRecording();
  updateClock();
  showShareLink().catch((error) => console.error("session link", error));
  showPatient().catch((error) => console.error("about patient", error));
  if (state.you.state !== "waiting") await startMedia();
  document.body.dataset.ready = "true";
}

main();
