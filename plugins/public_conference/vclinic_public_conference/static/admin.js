// Admin → Schedule Event Type: a name, "Video Conferencing" and, only when that is on,
// "Public Conference". The dashboard calls render(element).
import { api, ApiError } from "/static/js/api.js";
import { el } from "/static/js/ui.js";

export default async function render(element) {
  const name = el("input", { id: "conference-type-name", required: "", maxlength: "100" });
  const video = el("input", { id: "conference-type-video", type: "checkbox" });
  const open = el("input", { id: "conference-type-public", type: "checkbox", disabled: "" });
  const status = el("p", { role: "status" });
  const list = el("ul", { class: "conference-types" });
  video.addEventListener("change", () => {
    open.disabled = !video.checked;
    if (!video.checked) open.checked = false;
  });
  const form = el("form", { class: "conference-type-form" },
    el("label", { for: "conference-type-name", text: "Name" }), name,
    el("label", {}, video, " Video Conferencing"),
    el("label", {}, open, " Public Conference"),
    el("button", { type: "submit", text: "Save" }));
  async function refresh() {
    const { event_types: types } = await api("GET", "/conferences/event-types");
    list.replaceChildren(...types.map((t) => el("li", {
      text: `${t.name}${t.video_conferencing ? " · Video Conferencing" : ""}` +
            `${t.public_conference ? " · Public Conference" : ""}` })));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/conferences/event-types", {
        name: name.value, video_conferencing: video.checked, public_conference: open.checked });
      status.textContent = "The event type was saved.";
      form.reset();
      open.disabled = true;
      await refresh();
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message
        : "The server could not be reached. Check your connection and try again.";
    }
  });
  element.replaceChildren(el("h3", { text: "Schedule Event Type" }), form, status, list);
  await refresh();
}
