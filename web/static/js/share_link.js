// The session link a Session Chair shares (seed step 4), on the Camera Preview and the call
// page: an Invitation session's guest link with the reminder that anyone with it can join, or
// for a Private or Internal session the colleagues' link (it starts at sign-in) with the
// seed's words for who can join. The page holds a #share box with #share-hint, #share-link and
// #copy-link.
import { ACCESS_LEVELS, REMINDER } from "./access_levels.js";
import { api } from "./api.js";

const $ = (id) => document.getElementById(id);

export async function showShareLink(sessionId, accessLevel) {
  const box = $("share");
  const links = await api("GET", `/sessions/${encodeURIComponent(sessionId)}/links`);
  const level = accessLevel || "invitation";
  const link = level === "invitation" ? links.guest : links.practice;
  if (!link) {
    box.hidden = true;
    return;
  }
  const described = ACCESS_LEVELS.find((l) => l.value === level);
  $("share-hint").textContent = level === "invitation" || !described ? REMINDER : described.text;
  $("share-link").value = new URL(link.path, window.location.origin).href;
  box.hidden = false;
}

// Copy Link; `status(text, kind)` tells the user how it went.
export async function copyLink(status) {
  const input = $("share-link");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    status("The session link is copied.");
  } catch {
    status("Select the link and copy it with your keyboard.", "warning");
  }
}
