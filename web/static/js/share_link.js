// The session link a Session Chair shares (seed step 4), on the Camera Preview and the call
// page: an Invitation session's guest link with the reminder that anyone with it can join, or
// for a Private or Internal session the colleagues' link (it starts at sign-in) with the
// seed's words for who can join. The page holds a #share box with #share-hint, #share-link,
// #copy-link and #replace-link.
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
  $("replace-link").hidden = level !== "invitation";
  box.hidden = false;
}

// Replace Link (Invitation sessions): a new guest link, the old one stops working at once
// (for a link sent to the wrong person). Returns false when the chair changed their mind.
export async function replaceLink(sessionId, status) {
  if (!window.confirm("Replace the session link? The current link stops working; send the "
    + "new one to the people who still need to join.")) return false;
  try {
    const links = await api("POST", `/sessions/${encodeURIComponent(sessionId)}/links/rotate`);
    if (links.guest) $("share-link").value = new URL(links.guest.path, window.location.origin).href;
    status("The session link was replaced. The old link no longer works.");
    return true;
  } catch (error) {
    status(error.message, "error");
    return false;
  }
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
