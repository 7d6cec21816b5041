// What a Session Chair has on the call page beyond the others: Session Settings (the session
// form in a dialog), a Role for each participant in the list, and Capture Image on each remote
// video while a patient is linked. The server refuses all of it to everyone else anyway.
import { api, me, upload } from "./api.js";
import { sessionForm } from "./session_form.js";
import { announce, el, roleName } from "./ui.js";

// A JPEG of at most this width stays well under the capture size limit (1 MiB).
const CAPTURE_MAX_WIDTH = 1280;

function isChair(state) {
  return Boolean(state.you) && !state.ended && state.you.role === "chair";
}

export class ChairTools {
  // `status(text, kind)` shows and announces a line on the page.
  constructor({ sessionId, status, button, dialog, tiles }) {
    this.sessionId = sessionId;
    this.status = status;
    this.button = button;
    this.dialog = dialog;
    this.tiles = tiles;
    this.state = {};
    this.button.addEventListener("click", () => this.openSettings());
    this.dialog.addEventListener("close", () => this.dialog.replaceChildren());
  }

  // Called on every render of the call page with its state.
  update(state) {
    this.state = state;
    const chair = isChair(state);
    this.button.hidden = !chair;
    if (!chair && this.dialog.open) this.dialog.close();
    const capture = chair && Boolean(state.session && state.session.patient_linked);
    for (const tile of this.tiles.querySelectorAll("li.tile[data-source=camera]:not(.self)")) {
      let button = tile.querySelector(".tile-capture");
      if (!capture) {
        if (button) button.remove();
        continue;
      }
      const name = tile.querySelector(".tile-name").textContent || "Participant";
      if (!button) {
        button = el("button", { type: "button", class: "tile-capture", text: "Capture Image",
          onclick: () => this.capture(tile) });
        tile.append(button);
      }
      button.setAttribute("aria-label", `Capture Image of ${name}`);
    }
  }

  // The Role control of one row of the participant list (chairs only; not their own row).
  roleControl(participant) {
    const you = this.state.you;
    if (!isChair(this.state) || !you || participant.id === you.id
      || participant.state === "left" || participant.state === "removed") {
      return null;
    }
    const roles = participant.kind === "guest" ? ["broadcaster", "viewer"]
      : ["chair", "broadcaster", "viewer"];
    const name = participant.display_name || "Participant";
    const select = el("select", { class: "participant-role-select", "data-control": "role",
      "aria-label": `Role of ${name}` },
    ...roles.map((role) => el("option", { value: role, text: roleName(role),
      selected: role === participant.role })));
    select.addEventListener("change", () => this.changeRole(participant, select));
    return select;
  }

  async changeRole(participant, select) {
    const role = select.value;
    const name = participant.display_name || "Participant";
    try {
      await api("PATCH", `/sessions/${encodeURIComponent(this.sessionId)}/participants/`
        + encodeURIComponent(participant.id), { role });
      announce(`${name} is now ${role === "viewer" ? "a Viewer" : `a ${roleName(role)}`}.`);
    } catch (error) {
      select.value = participant.role;
      this.status(error.message, "error");
    }
  }

  async openSettings() {
    if (this.dialog.open) return;
    let form;
    try {
      const info = await me();
      form = await sessionForm({
        sessionId: this.sessionId,
        you: info && info.user ? info.user.id : null,
        onCancel: () => this.dialog.close(),
        onSaved: () => {
          this.dialog.close();
          this.status("Session settings saved.");
        },
      });
    } catch (error) {
      this.status(error.message, "error");
      return;
    }
    this.dialog.replaceChildren(form.element);
    this.dialog.showModal();
    form.focus();
  }

  async capture(tile) {
    const video = tile.querySelector("video");
    const name = tile.querySelector(".tile-name").textContent || "the participant";
    if (!video || !video.videoWidth) {
      this.status(`There is no video of ${name} to capture yet.`, "warning");
      return;
    }
    const scale = Math.min(1, CAPTURE_MAX_WIDTH / video.videoWidth);
    const canvas = el("canvas", { width: Math.round(video.videoWidth * scale),
      height: Math.round(video.videoHeight * scale) });
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    if (!blob) {
      this.status("The image could not be captured. Try again.", "error");
      return;
    }
    const path = `/sessions/${encodeURIComponent(this.sessionId)}/captures?participant_id=`
      + encodeURIComponent(tile.dataset.participant);
    try {
      await upload(path, blob);
      this.status(`Image of ${name} saved to the patient's Files.`);
    } catch (error) {
      this.status(error.message, "error");
    }
  }
}
