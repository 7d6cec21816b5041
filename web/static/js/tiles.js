// The call page's video tiles (one per connected participant, one more per screen share) and
// its participant list. Incoming tracks are matched to participants by the server's `tracks`
// map (mid → participant, source), delivered here by SfuPeer.
import { el, roleName, STATE_NAMES } from "./ui.js";

export class Tiles {
  constructor(list) {
    this.list = list;
    this.tiles = new Map(); // key → {item, video, stream, participantId}
    this.mids = new Map(); // mid → {key, track}
  }

  ensure(key, participant, screen) {
    let tile = this.tiles.get(key);
    if (tile) return tile;
    const video = el("video", { autoplay: true, playsinline: true });
    const stream = new MediaStream();
    video.srcObject = stream;
    const item = el("li", { class: screen ? "tile screen" : "tile", "data-participant": participant.id,
      "data-source": screen ? "screen" : "camera" },
    video,
    el("p", { class: "tile-off", text: "Camera off", hidden: true }),
    el("p", { class: "tile-label" },
      el("span", { class: "tile-name" }), " ", el("span", { class: "tile-role" }), " ",
      el("span", { class: "tile-muted", text: "Muted", hidden: true })));
    tile = { item, video, stream, participantId: participant.id, screen };
    this.tiles.set(key, tile);
    this.list.append(item);
    this.label(tile, participant);
    return tile;
  }

  label(tile, participant) {
    const name = participant.display_name || "Participant";
    tile.item.querySelector(".tile-name").textContent = tile.screen ? `${name}’s screen` : name;
    tile.item.querySelector(".tile-role").textContent = tile.screen ? "" : roleName(participant.role);
    tile.video.setAttribute("aria-label", tile.screen ? `${name}’s screen` : `Video of ${name}`);
    if (tile.screen) return;
    tile.item.querySelector(".tile-muted").hidden = !participant.audio_muted;
    const hasVideo = tile.stream.getVideoTracks().length > 0;
    const off = tile.item.querySelector(".tile-off");
    off.hidden = hasVideo && !participant.video_muted;
    off.textContent = participant.video_muted ? "Camera off"
      : participant.state === "reconnecting" ? "Reconnecting…" : "Connecting…";
    tile.item.dataset.videoMuted = String(Boolean(participant.video_muted));
    tile.item.dataset.audioMuted = String(Boolean(participant.audio_muted));
    tile.item.dataset.state = participant.state || "";
  }

  // A connected participant always has a tile, even before (or without) video.
  participant(participant) {
    this.label(this.ensure(participant.id, participant, false), participant);
  }

  addTrack({ mid, participantId, source, track }, participant) {
    this.removeTrack(mid);
    const screen = source === "screen";
    const key = screen ? `${participantId}/screen` : participantId;
    const who = participant || { id: participantId };
    const tile = this.ensure(key, who, screen);
    for (const old of tile.stream.getTracks()) if (old.kind === track.kind) tile.stream.removeTrack(old);
    tile.stream.addTrack(track);
    this.mids.set(mid, { key, track });
    // Re-attach so the element picks up the new track; play() may wait for a user gesture.
    tile.video.srcObject = tile.stream;
    tile.video.play().catch(() => {});
    this.label(tile, who);
  }

  removeTrack(mid) {
    const entry = this.mids.get(mid);
    if (!entry) return;
    this.mids.delete(mid);
    const tile = this.tiles.get(entry.key);
    if (!tile) return;
    tile.stream.removeTrack(entry.track);
    if (tile.screen && !tile.stream.getTracks().length) this.drop(entry.key);
  }

  removeParticipant(participantId) {
    for (const [key, tile] of [...this.tiles]) if (tile.participantId === participantId) this.drop(key);
    for (const [mid, entry] of [...this.mids]) {
      if (!this.tiles.has(entry.key)) this.mids.delete(mid);
    }
  }

  drop(key) {
    const tile = this.tiles.get(key);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.item.remove();
    this.tiles.delete(key);
  }

  clear() {
    for (const key of [...this.tiles.keys()]) this.drop(key);
    this.mids.clear();
  }
}

// `control(participant)` may add a control to a row (a chair's Role select); the control that
// had the keyboard focus keeps it across re-renders.
export function renderParticipants(list, participants, you, control = () => null) {
  const focused = list.contains(document.activeElement) && document.activeElement.dataset.control
    ? [document.activeElement.closest("[data-participant]").dataset.participant,
      document.activeElement.dataset.control] : null;
  const order = { connected: 0, reconnecting: 1, waiting: 2, invited: 3, left: 4, removed: 4 };
  const sorted = [...participants].sort((a, b) => (order[a.state] ?? 5) - (order[b.state] ?? 5)
    || (a.display_name || "").localeCompare(b.display_name || ""));
  list.replaceChildren(...sorted.map((p) => {
    const mine = you && p.id === you.id;
    const flags = [];
    if (p.audio_muted) flags.push("Muted");
    if (p.video_muted) flags.push("Camera off");
    const quality = p.quality || p.connection_quality;
    return el("li", { class: "participant", "data-participant": p.id, "data-state": p.state || "" },
      el("span", { class: "participant-name",
        text: `${p.display_name || "Participant"}${mine ? " (you)" : ""}` }),
      el("span", { class: "participant-role",
        text: p.kind === "guest" ? `${roleName(p.role)}, Guest` : roleName(p.role) }),
      el("span", { class: `participant-state state-${p.state}`, text: STATE_NAMES[p.state] || p.state || "" }),
      flags.length ? el("span", { class: "participant-flags", text: flags.join(", ") }) : null,
      quality ? el("span", { class: "participant-quality", text: `Connection: ${quality}` }) : null,
      control(p));
  }));
  if (focused) {
    const again = list.querySelector(
      `[data-participant="${focused[0]}"] [data-control="${focused[1]}"]`);
    if (again) again.focus();
  }
}
