// The Virtual Clinic's link to the server: the dashboard shell's /ws socket and api() when it
// hands them over (render(element, shell)), or a socket and fetch of its own otherwise.
import * as fallbackApi from "/static/js/api.js";

class OwnSocket {
  constructor() {
    this.handlers = new Map();
    this.pending = new Map();
    this.nextTxn = 1;
    this.ready = null;
    this.open();
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws`);
    this.ws = ws;
    this.ready = new Promise((resolve) => {
      ws.addEventListener("message", (raw) => {
        const message = JSON.parse(raw.data);
        if (message.type === "reply" || message.type === "error") {
          const waiting = this.pending.get(message.txn);
          this.pending.delete(message.txn);
          if (waiting) message.type === "reply" ? waiting.resolve(message.data)
            : waiting.reject(new Error(message.error.message));
          return;
        }
        if (message.type === "hello") { resolve(); this.dispatch("reopen", message.data); }
        this.dispatch(message.type, message.data || {});
      });
    });
    ws.addEventListener("close", () => setTimeout(() => this.open(), 2000));
  }

  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  dispatch(type, data) {
    for (const handler of this.handlers.get(type) || []) handler(data);
  }

  async request(type, data = {}) {
    await this.ready;
    const txn = `vc${this.nextTxn++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(txn, { resolve, reject });
      this.ws.send(JSON.stringify({ v: 1, type, txn, data }));
    });
  }
}

let own = null;

export async function link(shell) {
  if (shell && shell.socket && shell.api && shell.user) {
    return { socket: shell.socket, api: shell.api, user: shell.user };
  }
  const info = await fallbackApi.me();  // also loads the CSRF token for writes
  if (!own) own = new OwnSocket();
  return { socket: own, api: fallbackApi.api, user: info.user };
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}
