// The /ws client of docs/protocol.md: one socket per tab, replies matched by txn, events
// dispatched by type, event numbers checked for gaps, and reconnection with backoff.
//
//   const socket = new Socket();
//   socket.on("notification.created", (data) => …);
//   socket.onState((state) => …);          // "connecting" | "open" | "reconnecting" | "closed"
//   await socket.connect();                // resolves on the server's hello
//   const reply = await socket.request("session.enter", { session_id });
//
// After a reconnect the server has forgotten what this connection subscribed to: listeners of
// "reopen" run once the new hello arrives, so pages can enter their session again.

export class WsError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export class Socket {
  constructor(url) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = url || `${scheme}//${location.host}/ws`;
    this.handlers = new Map();
    this.stateListeners = new Set();
    this.pending = new Map();
    this.nextTxn = 1;
    this.lastSeq = 0;
    this.state = "closed";
    this.user = null;
    this.attempt = 0;
    this.wanted = false;
    this.ws = null;
    this.timer = null;
  }

  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  onState(listener) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  connect() {
    this.wanted = true;
    if (this.state === "open") return Promise.resolve(this.user);
    return new Promise((resolve, reject) => {
      const offOpen = this.on("hello", (data) => { offOpen(); offFail(); resolve(data.user); });
      const offFail = this.on("gave-up", (error) => { offOpen(); offFail(); reject(error); });
      if (!this.ws) this.open();
    });
  }

  close() {
    this.wanted = false;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, "bye");
    this.ws = null;
    this.setState("closed");
  }

  request(type, data = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || this.state !== "open") {
      return Promise.reject(new WsError("disconnected", "Not connected to the server."));
    }
    const txn = `c${this.nextTxn++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(txn, { resolve, reject });
      this.ws.send(JSON.stringify({ v: 1, type, txn, data }));
    });
  }

  // Internals.

  open() {
    this.setState(this.attempt ? "reconnecting" : "connecting");
    const ws = this.ws = new WebSocket(this.url);
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", (event) => this.closed(ws, event));
  }

  receive(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (message.type === "reply" || message.type === "error") {
      const waiter = this.pending.get(message.txn);
      if (!waiter) return;
      this.pending.delete(message.txn);
      if (message.type === "reply") waiter.resolve(message.data || {});
      else waiter.reject(new WsError(message.error.code, message.error.message));
      return;
    }
    if (message.type === "hello") {
      this.lastSeq = message.seq;
      this.user = message.data.user;
      const reopened = this.attempt > 0;
      this.attempt = 0;
      this.setState("open");
      this.dispatch("hello", message.data);
      if (reopened) this.dispatch("reopen", message.data);
      return;
    }
    if (typeof message.seq === "number") {
      // A gap means events were lost: listeners of "resync" reload what they show.
      if (message.seq !== this.lastSeq + 1) this.dispatch("resync", { gap: true });
      this.lastSeq = message.seq;
    }
    this.dispatch(message.type, message.data || {});
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    this.ws = null;
    for (const waiter of this.pending.values()) {
      waiter.reject(new WsError("disconnected", "The connection to the server was lost."));
    }
    this.pending.clear();
    if (!this.wanted) {
      this.setState("closed");
      return;
    }
    this.dispatch("disconnected", { code: event.code });
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    if (this.attempt === 4) this.dispatch("gave-up", new WsError("unreachable",
      "The server cannot be reached."));
    this.setState("reconnecting");
    // Jitter keeps many tabs from reconnecting in the same instant after a server restart.
    this.timer = setTimeout(() => this.wanted && this.open(), delay * (0.75 + Math.random() / 2));
  }

  dispatch(type, data) {
    for (const handler of [...(this.handlers.get(type) || [])]) {
      try {
        handler(data);
      } catch (error) {
        console.error(`handler for ${type} failed`, error);
      }
    }
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
