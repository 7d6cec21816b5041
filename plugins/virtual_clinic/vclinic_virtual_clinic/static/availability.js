// The availability toggle at the top of a provider's dashboard: "I Am Available for Sessions"
// or "I Am Unavailable for Sessions". Unavailable providers get no alerts; going unavailable
// declines the requests still waiting.
import { el, link } from "./live.js";

const WORDS = { true: "I Am Available for Sessions", false: "I Am Unavailable for Sessions" };

export default async function render(element, shell) {
  const { socket, api, user } = await link(shell);
  const button = el("button", { type: "button", id: "vc-availability", class: "toggle" });
  const status = el("span", { role: "status", class: "visually-hidden" });
  let available = false;
  const show = (value) => {
    available = value;
    button.textContent = WORDS[value];
    button.setAttribute("aria-pressed", String(value));
    button.dataset.available = String(value);
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      show((await api("PUT", "/virtual-clinic/availability", { available: !available })).available);
      status.textContent = WORDS[available];
    } catch (error) {
      status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
  socket.on("virtual_clinic.availability", (data) => {
    if (data.provider_id === user.id) show(data.available);
  });
  show((await api("GET", "/virtual-clinic/availability")).available);
  element.replaceChildren(button, status);
}
