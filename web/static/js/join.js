// Guest join: the join link (/join/<token>) set a cookie and brought the guest here without the
// token. Ask what the link is for, require a display name, then go where the server says
// (the Camera Preview, then the waiting room or the call, as the workflow decides).
import { api } from "./api.js";

const what = document.getElementById("join-what");
const form = document.getElementById("join-form");
const nameInput = document.getElementById("display-name");
const errorBox = document.getElementById("join-error");

function linkProblem(error) {
  if (error.code === "no_join_link") return "Open the session link you were sent again.";
  if (error.status === 410) return "This session has ended, or the link has expired.";
  if (error.status === 401 || error.status === 404) {
    return "This link is not valid. Ask the person who sent it for a new one.";
  }
  return error.message;
}

function safeNext(next) {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//")
    ? next : "/dashboard";
}

let info;
try {
  info = await api("GET", "/join");
} catch (error) {
  what.textContent = linkProblem(error);
  what.classList.add("error");
}

// Signed-in colleagues go straight on; sessions for the practice only need a sign-in first.
// Without a link (info unset) the message above says what to do: nothing else to offer.
if (!info) {
  form.hidden = true;
} else if (info.next) {
  window.location.replace(safeNext(info.next));
} else if (info.sign_in_required) {
  what.textContent = "This session is for people of the practice: sign in to join.";
  const link = document.createElement("a");
  link.className = "button primary wide";
  link.href = `/signin?next=${encodeURIComponent("/join")}`;
  link.textContent = "Sign in";
  what.after(link);
} else {
  what.textContent = info.session_name
    ? `You are joining “${info.session_name}”.` : "You are joining a session.";
  form.hidden = false;
  nameInput.focus();
}
document.body.dataset.ready = "true";

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const displayName = nameInput.value.trim();
  if (!displayName) {
    errorBox.textContent = "Enter your name to join.";
    errorBox.hidden = false;
    nameInput.setAttribute("aria-invalid", "true");
    nameInput.focus();
    return;
  }
  nameInput.removeAttribute("aria-invalid");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const result = await api("POST", "/join", { display_name: displayName });
    window.location.assign(safeNext(result.next));
  } catch (error) {
    errorBox.textContent = linkProblem(error);
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
});
