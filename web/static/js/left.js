// Where a guest goes after leaving a call (hung up, removed, or the session ended): a guest sees
// nothing else of the system, so this page only says whether the session is still open and, if
// their link still lets them in, offers to join again. Practice users go to their dashboard.
import { api, me } from "./api.js";

const what = document.getElementById("left-what");
const rejoin = document.getElementById("left-rejoin");
const OPEN_LINK_AGAIN = "To join again, open the session link you were sent.";
// What the call page said happened (?why=), for a guest whose link no longer signs them in.
const BECAUSE = {
  closed: "The session has ended.",
  removed: "You can no longer join this session.",
  left: OPEN_LINK_AGAIN,
};

// The guest's session, or why they cannot go back to it.
async function situation(sessionId) {
  try {
    const { session } = await api("GET", `/sessions/${encodeURIComponent(sessionId)}`);
    if (session.status === "closed") return { text: "The session has ended." };
    return { text: "The session is still open.", open: true };
  } catch (error) {
    if (error.status === 404 || error.status === 410) return { text: "The session has ended." };
    if (error.status === 401 || error.status === 403) {
      return { text: "You can no longer join this session." };
    }
    return { text: `${error.message} ${OPEN_LINK_AGAIN}` };
  }
}

async function main() {
  let info = null;
  try {
    info = await me();
  } catch {
    info = null;
  }
  if (info && !info.user.guest) {
    window.location.replace("/dashboard");
    return;
  }
  if (!info || !info.user.session_id) {
    const why = new URLSearchParams(window.location.search).get("why");
    what.textContent = Object.hasOwn(BECAUSE, why) ? BECAUSE[why] : OPEN_LINK_AGAIN;
    return;
  }
  const found = await situation(info.user.session_id);
  what.textContent = found.text;
  if (found.open) {
    rejoin.href = `/preview?session=${encodeURIComponent(info.user.session_id)}`;
    rejoin.hidden = false;
    rejoin.focus();
  }
}

main().finally(() => { document.body.dataset.ready = "true"; });
