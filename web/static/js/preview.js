// Camera Preview: choose a camera and a microphone, see yourself, watch the microphone level,
// then "Join Session" (the call page) or "Back".
import { chosenDevices, levelMeter, mediaErrorText, openMedia, rememberDevices } from "./devices.js";
import { api, me } from "./api.js";
import { copyLink, replaceLink, showShareLink } from "./share_link.js";
import { consentKey, localName, readyKey, sessionIdFromUrl, setBanner } from "./ui.js";

const video = document.getElementById("self-video");
const cameraSelect = document.getElementById("camera");
const micSelect = document.getElementById("microphone");
const meter = document.getElementById("level");
const consent = document.getElementById("consent-recording");
const sessionId = sessionIdFromUrl();
// The answer to recording consent goes with entering the call (session.enter).
if (sessionId) consent.checked = sessionStorage.getItem(consentKey(sessionId)) === "true";
let stream = null;
let stopMeter = () => {};

function fill(select, devices, chosenId, noun) {
  select.replaceChildren();
  devices.forEach((device, index) => {
    const option = document.createElement("option");
    option.value = device.deviceId;
    option.textContent = device.label || `${noun} ${index + 1}`;
    option.selected = device.deviceId === chosenId;
    select.append(option);
  });
  if (!devices.length) {
    const option = document.createElement("option");
    option.value = "";
    option.textContent = `No ${noun.toLowerCase()} found`;
    select.append(option);
  }
  select.disabled = devices.length === 0;
}

async function start(choice) {
  stopMeter();
  if (stream) for (const track of stream.getTracks()) track.stop();
  setBanner("preview-error", "");
  try {
    stream = await openMedia(choice);
  } catch (error) {
    stream = null;
    setBanner("preview-error", mediaErrorText(error), "error");
    return;
  }
  video.srcObject = stream;
  const videoTrack = stream.getVideoTracks()[0];
  const audioTrack = stream.getAudioTracks()[0];
  document.getElementById("no-camera").hidden = Boolean(videoTrack);
  const actual = {
    videoId: videoTrack ? videoTrack.getSettings().deviceId : "",
    audioId: audioTrack ? audioTrack.getSettings().deviceId : "",
  };
  rememberDevices(actual);
  // Labels are only readable once the page may use the devices, so list them after opening.
  const devices = await navigator.mediaDevices.enumerateDevices();
  fill(cameraSelect, devices.filter((d) => d.kind === "videoinput"), actual.videoId, "Camera");
  fill(micSelect, devices.filter((d) => d.kind === "audioinput"), actual.audioId, "Microphone");
  stopMeter = levelMeter(stream, (level) => {
    meter.value = level;
    meter.setAttribute("aria-valuetext", `${Math.round(level * 100)} percent`);
  });
}

function stopAll() {
  stopMeter();
  if (stream) for (const track of stream.getTracks()) track.stop();
}

cameraSelect.addEventListener("change", () =>
  start({ videoId: cameraSelect.value, audioId: micSelect.value }));
micSelect.addEventListener("change", () =>
  start({ videoId: cameraSelect.value, audioId: micSelect.value }));

document.getElementById("devices").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!sessionId) return;
  sessionStorage.setItem(consentKey(sessionId), String(consent.checked));
  stopAll();
  window.location.assign(`/call?session=${encodeURIComponent(sessionId)}`);
});

const shareStatus = (text) => { document.getElementById("share-status").textContent = text; };
document.getElementById("copy-link").addEventListener("click", () => copyLink(shareStatus));
document.getElementById("replace-link").addEventListener("click",
  () => replaceLink(sessionId, shareStatus));

document.getElementById("back").addEventListener("click", async () => {
  stopAll();
  // Back leaves the preview without ending the session. A guest has no dashboard (and going
  // back would only reach the join page): they go to the page that offers to join again.
  const info = await me().catch(() => null);
  if (info && info.user.guest) window.location.assign("/left");
  else if (history.length > 1 && document.referrer.startsWith(location.origin)) history.back();
  else window.location.assign("/dashboard");
});

// Who is looking, and whether they may join, before the camera goes on: a colleague's link
// opened signed out goes to sign-in first (and comes back here), and someone the session does
// not admit (a Private session they are not listed on, a closed one) is told so with the
// camera never turned on.
async function admitted() {
  if (!sessionId) {
    setBanner("preview-error", "This link does not name a session. Go back and open the session again.", "error");
    return false;
  }
  const info = await me().catch(() => null);
  if (!info) {
    const next = `${location.pathname}${location.search}`;
    window.location.replace(`/signin?next=${encodeURIComponent(next)}`);
    return false;
  }
  let body;
  try {
    body = await api("GET", `/sessions/${encodeURIComponent(sessionId)}`);
  } catch (error) {
    if (error.status === 403 || error.status === 404) {
      setBanner("preview-error", error.message, "error");
      return false;
    }
    // The sessions API may be slow or absent: the preview works without the session's name.
    return true;
  }
  const session = (body && body.session) || {};
  if (session.status && session.status !== "open") {
    setBanner("preview-error", "This session has ended.", "error");
    return false;
  }
  if (session.name) {
    const line = document.getElementById("session-name");
    line.textContent = localName(session.name);
    line.hidden = false;
    document.title = `Camera Preview · ${line.textContent} · vclinic`;
  }
  // The Session Chair finds the link to share here right after Start a Session (seed step 4).
  if (body.you && body.you.role === "chair" && !info.user.guest) {
    showShareLink(sessionId, session.access_level)
      .catch((error) => console.error("session link", error));
  }
  if (sessionStorage.getItem(readyKey(sessionId))) {
    setBanner("ready", "A provider is ready to see you. Check your camera and microphone, "
      + "then select Join Session.", "info");
  }
  return true;
}

if (await admitted()) {
  await start(chosenDevices());
} else {
  document.getElementById("join").disabled = true;
  for (const select of [cameraSelect, micSelect]) select.disabled = true;
}
document.body.dataset.ready = "true";
