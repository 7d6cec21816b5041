// The browser side of the SFU (docs/protocol.md "Media signalling", docs/media.md §2).
//
// One RTCPeerConnection per participant with the server. The client offers what it publishes
// (send-only m-lines named in `sources`); the server offers what the participant receives
// (`media.server_offer`, whose `tracks` maps each mid to the participant and source it
// carries) and the client answers. Negotiations run one at a time. An ICE restart is a new
// RTCPeerConnection: the server replaces the participant's connection when the ufrag changes.
import { WsError } from "./ws.js";

const GATHER_MS = 2000;

function ufrag(sdp) {
  const match = /^a=ice-ufrag:(\S+)/m.exec(sdp || "");
  return match ? match[1] : null;
}

function iceServers(list) {
  return (list || []).map((entry) => (typeof entry === "string" ? { urls: entry } : entry));
}

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, GATHER_MS);
  });
}

export class SfuPeer {
  // `callbacks`: onTrack({mid, participantId, source, track}), onTrackGone(mid),
  // onState(connectionState).
  constructor(socket, sessionId, callbacks = {}, options = {}) {
    this.socket = socket;
    this.sessionId = sessionId;
    this.callbacks = callbacks;
    this.iceServers = iceServers(options.iceServers);
    this.pc = null;
    this.senders = {}; // source → RTCRtpTransceiver we send on
    this.localTracks = {}; // source → MediaStreamTrack being sent (or null when stopped)
    this.tracks = {}; // mid → {participant_id, source}, from the latest server offer
    this.reported = new Map(); // mid → key of the track reported to onTrack
    this.queue = Promise.resolve();
    this.closed = false;
    this.offerSent = false;
  }

  // Run negotiation steps one at a time, in the order they were asked for.
  serial(step) {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => {});
    return run;
  }

  // Publish `tracks` ({audio, video}: MediaStreamTrack or null) and connect.
  start(tracks) {
    this.localTracks = { ...tracks };
    return this.serial(() => this.connect());
  }

  // A new connection: used at the start, after a network drop and when the server asks.
  restart() {
    return this.serial(() => this.connect());
  }

  async connect() {
    if (this.closed) return;
    this.dropConnection();
    const pc = this.pc = new RTCPeerConnection({
      iceServers: this.iceServers, bundlePolicy: "max-bundle", rtcpMuxPolicy: "require",
    });
    pc.addEventListener("icecandidate", (event) => this.trickle(pc, event.candidate));
    pc.addEventListener("connectionstatechange", () => {
      if (pc === this.pc && this.callbacks.onState) this.callbacks.onState(pc.connectionState);
    });
    this.senders = {};
    for (const source of ["audio", "video", "screen"]) {
      const track = this.localTracks[source];
      if (track) this.senders[source] = pc.addTransceiver(track, { direction: "sendonly" });
    }
    // A participant that publishes nothing still needs one m-line to connect.
    if (!Object.keys(this.senders).length) pc.addTransceiver("audio", { direction: "recvonly" });
    await this.offer();
  }

  // Offer what this participant sends; the caller holds the negotiation queue.
  async offer() {
    const pc = this.pc;
    this.offerSent = false;
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const sources = {};
    for (const [source, transceiver] of Object.entries(this.senders)) {
      if (transceiver.mid !== null && transceiver.direction !== "inactive") {
        sources[transceiver.mid] = source;
      }
    }
    const sdp = pc.localDescription.sdp;
    this.offerSent = true;
    let reply;
    try {
      reply = await this.socket.request("media.offer", { session_id: this.sessionId, sdp, sources });
    } catch (error) {
      if (pc.signalingState === "have-local-offer") {
        await pc.setLocalDescription({ type: "rollback" }).catch(() => {});
      }
      if (error instanceof WsError && error.code === "negotiation_in_progress") {
        // The server's own offer is on its way: answer it first, then offer again.
        setTimeout(() => this.serial(() => this.offer()), 200);
        return;
      }
      throw error;
    }
    if (pc !== this.pc) return;
    await pc.setRemoteDescription({ type: "answer", sdp: reply.sdp });
    this.reconcile();
  }

  trickle(pc, candidate) {
    // Candidates found before the offer left are in its SDP; later ones are sent on their own.
    if (!candidate || !candidate.candidate || pc !== this.pc || !this.offerSent) return;
    this.socket.request("media.candidate", {
      session_id: this.sessionId, candidate: candidate.candidate,
      sdp_mid: candidate.sdpMid, sdp_mline_index: candidate.sdpMLineIndex,
    }).catch(() => {});
  }

  // Answer a media.server_offer: the tracks of others this participant now receives.
  handleServerOffer(data) {
    return this.serial(async () => {
      const pc = this.pc;
      if (!pc || this.closed || data.session_id !== this.sessionId) return;
      const current = pc.remoteDescription && ufrag(pc.remoteDescription.sdp);
      // An offer for a connection that was replaced since is dead: the server said so.
      if (current && ufrag(data.sdp) !== current) return;
      this.tracks = data.tracks || {};
      await pc.setRemoteDescription({ type: "offer", sdp: data.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await this.socket.request("media.answer", {
        session_id: this.sessionId, sdp: pc.localDescription.sdp,
      });
      this.reconcile();
    });
  }

  // Report each received track to its participant, and tracks that went away.
  reconcile() {
    if (!this.pc) return;
    const seen = new Set();
    for (const transceiver of this.pc.getTransceivers()) {
      const mid = transceiver.mid;
      const info = mid !== null ? this.tracks[mid] : undefined;
      const receiving = transceiver.currentDirection === "recvonly"
        || transceiver.currentDirection === "sendrecv";
      if (!info || !receiving || Object.values(this.senders).includes(transceiver)) continue;
      const track = transceiver.receiver.track;
      const key = `${info.participant_id}/${info.source}/${track.id}`;
      seen.add(mid);
      if (this.reported.get(mid) === key) continue;
      this.reported.set(mid, key);
      if (this.callbacks.onTrack) {
        this.callbacks.onTrack({ mid, participantId: info.participant_id, source: info.source, track });
      }
    }
    for (const mid of [...this.reported.keys()]) {
      if (seen.has(mid)) continue;
      this.reported.delete(mid);
      if (this.callbacks.onTrackGone) this.callbacks.onTrackGone(mid);
    }
  }

  // Switch the camera or microphone without renegotiating.
  async replaceTrack(source, track) {
    this.localTracks[source] = track;
    const transceiver = this.senders[source];
    if (transceiver) await transceiver.sender.replaceTrack(track);
  }

  // Add a screen share as its own track (source "screen"), or stop it (track null).
  setScreen(track) {
    return this.serial(async () => {
      this.localTracks.screen = track;
      const current = this.senders.screen;
      if (track && current) {
        await current.sender.replaceTrack(track);
        return;
      }
      if (!this.pc) return;
      if (track) {
        this.senders.screen = this.pc.addTransceiver(track, { direction: "sendonly" });
      } else if (current) {
        current.stop();
        delete this.senders.screen;
      } else {
        return;
      }
      await this.offer();
    });
  }

  // Send `track` as `source` again after the permission came back (a Viewer made Broadcaster):
  // on the transceiver the source used before when there is one (no renegotiation), else on a
  // new one, offered to the server.
  publish(source, track) {
    return this.serial(async () => {
      this.localTracks[source] = track;
      const current = this.senders[source];
      if (current) {
        await current.sender.replaceTrack(track);
        return;
      }
      if (!this.pc) return;
      this.senders[source] = this.pc.addTransceiver(track, { direction: "sendonly" });
      await this.offer();
    });
  }

  // Stop sending `source`: the server withdrew the permission (media.revoked).
  async revoke(source) {
    if (source === "screen") return this.setScreen(null);
    this.localTracks[source] = null;
    const transceiver = this.senders[source];
    if (transceiver) await transceiver.sender.replaceTrack(null);
  }

  setMuted(audioMuted, videoMuted) {
    return this.socket.request("media.state", {
      session_id: this.sessionId, audio_muted: audioMuted, video_muted: videoMuted,
    });
  }

  // Connection quality from the selected candidate pair and incoming packet loss.
  async quality() {
    if (!this.pc) return null;
    const stats = await this.pc.getStats();
    let rtt = null;
    let received = 0;
    let lost = 0;
    stats.forEach((report) => {
      if (report.type === "candidate-pair" && report.nominated && report.state === "succeeded") {
        rtt = report.currentRoundTripTime ?? rtt;
      }
      if (report.type === "inbound-rtp") {
        received += report.packetsReceived || 0;
        lost += Math.max(0, report.packetsLost || 0);
      }
    });
    const previous = this.lastCounts || { received: 0, lost: 0 };
    this.lastCounts = { received, lost };
    const total = received - previous.received + (lost - previous.lost);
    const loss = total > 0 ? (lost - previous.lost) / total : 0;
    let level = "good";
    if (loss > 0.08 || (rtt !== null && rtt > 0.6)) level = "poor";
    else if (loss > 0.02 || (rtt !== null && rtt > 0.25)) level = "fair";
    if (this.pc.connectionState !== "connected") level = "unknown";
    return { rtt, loss, level };
  }

  dropConnection() {
    if (this.pc) this.pc.close();
    this.pc = null;
    for (const mid of [...this.reported.keys()]) {
      this.reported.delete(mid);
      if (this.callbacks.onTrackGone) this.callbacks.onTrackGone(mid);
    }
    this.tracks = {};
  }

  close() {
    this.closed = true;
    this.dropConnection();
  }
}
