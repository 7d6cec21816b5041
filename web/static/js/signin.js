import { api, me } from "./api.js";

const form = document.getElementById("signin-form");
const errorBox = document.getElementById("signin-error");

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = false;
}

// Where to go after signing in: a same-origin path from ?next= (a colleague's session link
// sends them here first), else the dashboard.
function destination() {
  const next = new URLSearchParams(location.search).get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/dashboard";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const email = form.email.value.trim();
  const password = form.password.value;
  if (!email || !password) {
    showError("Enter your email and password.");
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await api("POST", "/auth/signin", { email, password });
    window.location.replace(destination());
  } catch (error) {
    showError(error.message);
    form.password.value = "";
    form.password.focus();
  } finally {
    button.disabled = false;
  }
});

// Ready once submitting goes through the API (a native submit would put the password in the
// URL); the browser tests wait for this before typing.
document.body.dataset.ready = "true";

if (await me()) window.location.replace(destination());
