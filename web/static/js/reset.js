// The page an emailed password-reset link opens: /reset#<token>. The token stays in the
// fragment (never sent to the server with the page request) and is posted with the new
// password to POST /api/v1/auth/password-reset.
import { api } from "./api.js";

const form = document.getElementById("reset-form");
const errorBox = document.getElementById("reset-error");
const token = decodeURIComponent(location.hash.slice(1));
// Out of the address bar and the history, so that the link cannot be read off the screen.
history.replaceState(null, "", location.pathname);

function showError(text, control) {
  errorBox.textContent = text;
  errorBox.hidden = false;
  for (const input of [form.password, form.repeat]) input.removeAttribute("aria-invalid");
  if (control) {
    control.setAttribute("aria-invalid", "true");
    control.focus();
  }
}

if (!token) showError("This page needs the link from your email. Open the link again.");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  if (form.password.value.length < 8) {
    showError("Password must be at least 8 characters long", form.password);
    return;
  }
  if (form.password.value !== form.repeat.value) {
    showError("The two passwords are not the same.", form.repeat);
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await api("POST", "/auth/password-reset", { token, password: form.password.value });
    form.hidden = true;
    const done = document.getElementById("reset-done");
    done.hidden = false;
    done.querySelector("a").focus();
  } catch (error) {
    showError(error.message, error.code === "invalid_reset_link" ? null : form.password);
  } finally {
    button.disabled = false;
  }
});
