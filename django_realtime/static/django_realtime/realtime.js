// django-realtime client: one websocket, many subscriptions, automatic resume.
//
//   import { connect } from "/static/django_realtime/realtime.js";
//   const client = connect("/ws/", { auth: () => `Token ${token}` });
//   client.liveList("/api/articles/?status=published", (items) => render(items));
//
// An ES module without dependencies, for browsers and Node 20+ (Node 22 has a global
// WebSocket; on Node 20 run with --experimental-websocket or pass `WebSocket` from "ws").
// The protocol it speaks: docs/protocol.md.

const RESUME = 4008; // reconnect and resume with since
const HANDSHAKE_TIMEOUT = 15000;
const FATAL = {
  1009: "the client sent a frame over the server's size limit",
  4404: "the websocket path is not the realtime endpoint",
  4413: "the client sent a frame over the server's size limit",
  4500: "the server is misconfigured; its log says what to fix",
};
const RETRY_CODES = new Set(["throttled", "server_error"]);
const AUTH_REFUSALS = new Set(["not_authenticated", "invalid_message"]);

const refused = () => new RealtimeError("not_authenticated", "The credentials were refused.");

/** Jittered exponential backoff: many clients that lost one server do not return at once. */
function backoff(attempt, { backoff: { initial, max } }) {
  const cap = Math.min(max, initial * 2 ** attempt);
  return cap / 2 + (Math.random() * cap) / 2;
}

/** An error the server sent, or a close that ends the client. */
export class RealtimeError extends Error {
  constructor(code, detail, status) {
    super(`${code}: ${detail}`);
    this.name = "RealtimeError";
    this.code = code;
    this.detail = detail;
    this.status = status;
  }
}

/** Open a client: `connect("/ws/", {auth})`. */
export function connect(url, options) {
  return new Client(url, options);
}

export class Client {
  constructor(url = "/ws/", options = {}) {
    this.options = {
      auth: null,
      WebSocket: globalThis.WebSocket,
      backoff: { initial: 500, max: 30000 },
      heartbeat: 20000,
      // Subscribes and unsubscribes a second, and at once: under the server's
      // RECEIVE_RATE and RECEIVE_BURST (20, 60), so that many subscriptions resume unrefused.
      pace: { rate: 15, burst: 40 },
      ...options,
    };
    if (!this.options.WebSocket) {
      throw new Error(
        "No WebSocket: pass connect(url, {WebSocket}) (the ws package), or run Node 22+ " +
          "or Node 20 with --experimental-websocket.",
      );
    }
    this.url = absolute(url);
    this.state = "connecting";
    this.error = null;
    this.user = undefined;
    this._subs = new Map();
    this._listeners = new Map();
    this._serial = 0;
    this._attempt = 0;
    this._socket = null;
    this._timer = null;
    this._authReplies = [];
    this._authQueue = null;
    this._authGeneration = 0;
    this._seen = 0;
    this._queue = []; // subscribe and unsubscribe frames, sent at the pace
    this._beat = setInterval(() => this._heartbeat(), this.options.heartbeat);
    this._beat.unref?.();
    this._browser = typeof window !== "undefined" && typeof document !== "undefined";
    if (this._browser) {
      this._wake = () => this._reconnectNow();
      this._offline = () => this._goOffline();
      this._visible = () => document.visibilityState === "visible" && this._reconnectNow(true);
      addEventListener("online", this._wake);
      addEventListener("offline", this._offline);
      document.addEventListener("visibilitychange", this._visible);
    }
    this._open();
  }

  /** Listen: "state" (state, error), "error" (RealtimeError), "frame" (frame), "close"
   * (code, reason); returns a function that stops listening. */
  on(name, callback) {
    if (!this._listeners.has(name)) this._listeners.set(name, new Set());
    this._listeners.get(name).add(callback);
    return () => this._listeners.get(name).delete(callback);
  }

  /** A subscription: `subscribe(path, {onEvent, onReset, onSubscribed, onEnd, snapshot, since})`. */
  subscribe(path, handlers = {}) {
    const sub = new Subscription(this, `s${++this._serial}`, path, handlers);
    this._subs.set(sub.id, sub);
    if (this.state === "open") this._subscribe(sub);
    return sub;
  }

  /** An array kept equal to the GET of `path`, in the list's ordering. */
  liveList(path, onChange, options = {}) {
    return new LiveList(this, path, onChange, options);
  }

  /** One object kept equal to the GET of its detail `path` (null once deleted). */
  liveObject(path, onChange) {
    return new LiveObject(this, path, onChange);
  }

  /** Replace the credentials provider and send them now; subscriptions stay. */
  setAuth(provider) {
    this.options.auth = provider;
    this._authGeneration++;
    return this.state === "open" ? this._authenticate(this._socket) : Promise.resolve(true);
  }

  /** Drop the socket as a network failure would: the client reconnects and resumes. */
  drop() {
    if (this._socket) {
      this._attempt = 0;
      this._immediate = true;
      this._socket.close(4000, "dropped by the client");
    }
  }

  /** Close for good: no reconnect, every subscription ends. */
  close() {
    if (this.state === "stopped") return;
    clearInterval(this._beat);
    clearTimeout(this._timer);
    clearTimeout(this._draining);
    if (this._browser) {
      removeEventListener("online", this._wake);
      removeEventListener("offline", this._offline);
      document.removeEventListener("visibilitychange", this._visible);
    }
    for (const sub of [...this._subs.values()]) sub._end("client", null);
    const socket = this._socket;
    this._socket = null;
    this._setState("stopped");
    socket?.close(1000);
  }

  // -- the socket ------------------------------------------------------------------------

  _open() {
    clearTimeout(this._timer);
    this._timer = null;
    this._setState("connecting");
    const socket = new this.options.WebSocket(this.url);
    this._socket = socket;
    socket.onopen = () => socket === this._socket && this._opened(socket);
    socket.onmessage = (message) => socket === this._socket && this._receive(message.data);
    socket.onclose = (event) => socket === this._socket && this._closed(event.code, event.reason);
    // A refused handshake closes the socket, but not every WebSocket says so (Node 20's).
    const failed = (reason) => {
      if (socket !== this._socket || socket.readyState === 1) return;
      this._closed(1006, reason);
      socket.close();
    };
    socket.onerror = () => failed("connection failed");
    this._timer = setTimeout(() => failed("handshake timed out"), HANDSHAKE_TIMEOUT);
  }

  async _opened(socket) {
    clearTimeout(this._timer);
    this._seen = Date.now();
    this._tokens = this.options.pace.burst; // a new connection: the server's bucket is full
    this._filled = Date.now();
    this._send({ type: "ping" });
    for (const sub of this._subs.values()) sub._live = sub._pending = false;
    let ok, generation;
    do {
      generation = this._authGeneration; // setAuth() while connecting: its provider wins
      ok = !this.options.auth || (await this._authenticate(socket));
    } while (socket === this._socket && generation !== this._authGeneration);
    if (socket !== this._socket || socket.readyState !== 1) return; // closed meanwhile
    this._setState("open");
    for (const sub of [...this._subs.values()]) {
      if (ok) this._subscribe(sub);
      else sub._end("not_authenticated", refused());
    }
  }

  _closed(code, reason) {
    this._socket = null;
    this._queue = []; // resubscribed on the next connection
    for (const resolve of this._authReplies.splice(0)) resolve(false);
    this._emit("close", code, reason);
    for (const sub of this._subs.values()) sub._live = sub._pending = false;
    if (this.state === "stopped") return;
    if (FATAL[code]) {
      const error = new RealtimeError("closed", `${code}: ${FATAL[code]}${reason ? ` (${reason})` : ""}`);
      this._emit("error", error);
      this.error = error;
      for (const sub of [...this._subs.values()]) sub._end("closed", error);
      clearInterval(this._beat);
      return this._setState("failed", error);
    }
    if (this._browser && navigator.onLine === false) return this._setState("offline");
    let delay;
    if (this._immediate) delay = 0;
    else if (code === RESUME) delay = Math.random() * 1000; // many clients at once: spread them
    else delay = code === 4429 ? backoff(Infinity, this.options) : backoff(this._attempt++, this.options);
    this._immediate = false;
    this._setState("reconnecting");
    this._timer = setTimeout(() => this._open(), delay);
  }

  _reconnectNow(check) {
    if (this.state === "open" && check) return this._send({ type: "ping" });
    if (this.state === "reconnecting" || this.state === "offline") {
      this._attempt = 0;
      this._open();
    }
  }

  _goOffline() {
    if (this.state === "stopped" || this.state === "failed") return;
    const socket = this._socket;
    this._socket = null;
    clearTimeout(this._timer);
    this._queue = [];
    for (const sub of this._subs.values()) sub._live = sub._pending = false;
    this._setState("offline");
    socket?.close(4000, "offline");
  }

  _heartbeat() {
    if (this.state !== "open") return;
    if (Date.now() - this._seen > this.options.heartbeat * 1.5 + 10000) {
      this._socket.close(4000, "no answer to ping"); // a dead link (a laptop woke up, say)
    } else {
      this._send({ type: "ping" });
    }
  }

  _send(frame) {
    this._socket?.readyState === 1 && this._socket.send(JSON.stringify(frame));
  }

  /** Send at the pace: frames beyond it wait their turn, in order. */
  _paced(frame) {
    this._queue.push(frame);
    if (!this._draining) this._drain();
  }

  _drain() {
    const { rate, burst } = this.options.pace;
    const now = Date.now();
    this._tokens = Math.min(burst, this._tokens + ((now - this._filled) * rate) / 1000);
    this._filled = now;
    while (this._queue.length && this._tokens >= 1) {
      this._tokens--;
      this._send(this._queue.shift());
    }
    this._draining = this._queue.length ? setTimeout(() => this._drain(), 1000 / rate) : null;
  }

  _setState(state, error = null) {
    if (this.state === state) return;
    this.state = state;
    this._emit("state", state, error);
  }

  _emit(name, ...args) {
    for (const callback of this._listeners.get(name) || []) callback(...args);
  }

  // -- credentials -----------------------------------------------------------------------

  /** Ask the provider for credentials and send them: true once the server took them (or
   * there are none), false if it refused them or the socket went away meanwhile. */
  _authenticate(socket) {
    // One request to the provider per socket at a time; setAuth() starts a new one.
    const queued = this._authQueue;
    if (queued?.socket === socket && queued.generation === this._authGeneration) return queued.promise;
    const generation = this._authGeneration;
    const promise = (async () => {
      let value;
      try {
        const auth = this.options.auth;
        value = typeof auth === "function" ? await auth() : auth;
      } catch (error) {
        // Its token endpoint is down, say: try again later, never go on without them.
        this._emit("error", error);
        if (socket === this._socket) socket.close(4000, "the credentials provider failed");
        return false;
      }
      if (socket !== this._socket) return false;
      if (!value) return true; // no credentials: the session's, or anonymous
      const reply = new Promise((resolve) => this._authReplies.push(resolve));
      this._send({ type: "auth", authorization: value });
      return reply;
    })().finally(() => this._authQueue?.promise === promise && (this._authQueue = null));
    this._authQueue = { socket, generation, promise };
    return promise;
  }

  /** A subscription refused for its credentials waits for one refresh of them. */
  async _refresh(sub) {
    const socket = this._socket;
    if (!socket) return; // it subscribes again, with fresh credentials, on reconnect
    const ok = !sub._refreshed && (await this._authenticate(socket));
    if (socket !== this._socket || socket.readyState !== 1) return; // the reconnect resubscribes it
    if (!ok) return sub._end("not_authenticated", refused());
    sub._refreshed = true;
    this._subscribe(sub);
  }

  // -- frames ----------------------------------------------------------------------------

  _subscribe(sub) {
    if (sub._live || !this._subs.has(sub.id)) return;
    sub._live = sub._pending = true;
    const frame = { type: "subscribe", id: sub.id, path: sub.path };
    if (sub.cursor) frame.since = sub.cursor;
    else if (sub.handlers.snapshot) frame.snapshot = true;
    this._paced(frame);
  }

  _receive(text) {
    this._seen = Date.now();
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    this._emit("frame", frame);
    if (frame.type === "pong" || frame.type === "subscribed") this._attempt = 0;
    if (frame.type === "auth") return this._authed(true, frame);
    if (frame.type === "error" && frame.id == null) return this._connectionError(frame);
    this._subs.get(frame.id)?._frame(frame);
  }

  _authed(ok, frame) {
    if (ok) this.user = frame.user;
    else this._emit("error", new RealtimeError(frame.code, frame.detail, frame.status));
    this._authReplies.shift()?.(ok);
  }

  /** An error that names no subscription: about an auth frame, or a frame refused
   * before it was read (throttled), or the connection itself. */
  _connectionError(frame) {
    const waiting = this._authReplies.length > 0;
    if (waiting && AUTH_REFUSALS.has(frame.code)) return this._authed(false, frame);
    this._emit("error", new RealtimeError(frame.code, frame.detail, frame.status));
    if (waiting && frame.code !== "connection_expired") {
      // The auth frame may be the one that failed (a server error, a throttled frame):
      // start again on a new connection rather than wait for an answer that never comes.
      this._socket?.close(4000, `auth not answered: ${frame.code}`);
    } else if (frame.code === "throttled") {
      // Frames refused unread: subscribes not yet answered are sent again, spread out.
      for (const sub of this._subs.values()) if (sub._pending) sub._retry(false);
    }
  }
}

export class Subscription {
  constructor(client, id, path, handlers) {
    this.client = client;
    this.id = id;
    this.path = path;
    this.handlers = handlers;
    this.cursor = handlers.since || null;
    this.ordering = [];
    this.ended = null;
    this._live = false;
    this._pending = false; // a subscribe sent, not answered yet
    this._refreshed = false;
    this._attempt = 0;
  }

  /** End it: the server is told, and nothing more arrives. */
  unsubscribe() {
    if (this.ended) return;
    if (this._live) this.client._paced({ type: "unsubscribe", id: this.id });
    this._end("client", null);
  }

  _end(reason, error) {
    if (this.ended) return;
    this.ended = reason;
    this.client._subs.delete(this.id);
    this.handlers.onEnd?.(reason, error);
  }

  _retry(fresh) {
    this._live = this._pending = false;
    if (fresh) this.cursor = null;
    const again = () => this.client.state === "open" && this.client._subscribe(this);
    setTimeout(again, fresh ? 0 : backoff(this._attempt++, this.client.options));
  }

  _frame(frame) {
    const handlers = this.handlers;
    if (frame.type === "error" && frame.code === "duplicate_id") return; // live already
    if (frame.type !== "event") this._pending = false;
    switch (frame.type) {
      case "subscribed":
        this._refreshed = false;
        this._attempt = 0;
        this.cursor = frame.cursor;
        if (frame.ordering) this.ordering = frame.ordering;
        return handlers.onSubscribed?.(frame);
      case "event":
        this.cursor = frame.cursor;
        return handlers.onEvent?.(frame);
      case "reset":
        this.cursor = frame.cursor;
        if (frame.ordering) this.ordering = frame.ordering;
        return handlers.onReset?.(frame);
      case "unsubscribed":
        if (frame.reason === "client") return;
        this._live = false;
        if (frame.reason === "not_authenticated") return this.client._refresh(this);
        if (frame.reason === "access_changed") return this._retry(true); // another user: start over
        if (frame.reason === "server_error") return this._retry(false);
        return this._end(frame.reason, frame.reason === "deleted" ? null : new RealtimeError(frame.reason, `The subscription to ${this.path} ended.`));
      case "error":
        this._live = false;
        if (frame.code === "not_authenticated") return this.client._refresh(this);
        if (RETRY_CODES.has(frame.code)) return this._retry(false);
        return this._end(frame.code, new RealtimeError(frame.code, frame.detail, frame.status));
    }
  }
}

/** Items of a list GET kept in its ordering, keyed by pk; events apply as upserts. */
export class LiveList {
  constructor(client, path, onChange, { key = "id" } = {}) {
    this.items = [];
    this.ready = false;
    this.error = null;
    this._key = typeof key === "function" ? key : (item) => item[key];
    this._onChange = onChange || (() => {});
    this.subscription = client.subscribe(path, {
      snapshot: true,
      onSubscribed: (frame) => "data" in frame && this._replace(frame),
      onReset: (frame) => this._replace(frame),
      onEvent: (frame) => this._apply(frame),
      onEnd: (reason, error) => {
        this.error = error;
        this._onChange(this.items, { type: "end", reason, error });
      },
    });
  }

  close() {
    this.subscription.unsubscribe();
  }

  _replace(frame) {
    const data = frame.data;
    this.items = [...(Array.isArray(data) ? data : data?.results || [])];
    this._order = orderBy(frame.ordering || this.subscription.ordering);
    if (this._order) this.items.sort(this._order);
    this.ready = true;
    this._onChange(this.items, { type: frame.type, frame });
  }

  _apply(frame) {
    const at = this.items.findIndex((item) => String(this._key(item)) === String(frame.pk));
    const items = [...this.items];
    if (at >= 0) items.splice(at, 1);
    if (frame.event !== "deleted") {
      let place = frame.event === "updated" && at >= 0 && !this._order ? at : items.length;
      if (this._order) place = upperBound(items, frame.data, this._order);
      items.splice(place, 0, frame.data);
    }
    this.items = items;
    this._onChange(this.items, { type: "event", frame });
  }
}

/** One object of a detail GET; null once it is deleted. */
export class LiveObject {
  constructor(client, path, onChange) {
    this.value = undefined;
    this.ready = false;
    this.error = null;
    const change = (value, detail) => {
      this.value = value;
      this.ready = true;
      onChange?.(value, detail);
    };
    this.subscription = client.subscribe(path, {
      snapshot: true,
      onSubscribed: (frame) => "data" in frame && change(frame.data, { type: "subscribed", frame }),
      onReset: (frame) => change(frame.data, { type: "reset", frame }),
      onEvent: (frame) => change(frame.event === "deleted" ? null : frame.data, { type: "event", frame }),
      onEnd: (reason, error) => {
        this.error = error;
        onChange?.(reason === "deleted" ? null : this.value, { type: "end", reason, error });
      },
    });
  }

  close() {
    this.subscription.unsubscribe();
  }
}

// -- ordering ------------------------------------------------------------------------------

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** A comparator for the server's `ordering` (field names, "-" for descending, "__" into
 * nested objects); null when it is empty. A field the items do not carry compares equal.
 * Nulls sort last ascending, as in PostgreSQL. Strings compare by code point. */
function orderBy(ordering) {
  if (!ordering?.length) return null;
  const keys = ordering.map((name) => (name[0] === "-" ? [name.slice(1).split("__"), -1] : [name.split("__"), 1]));
  return (a, b) => {
    for (const [names, direction] of keys) {
      const order = compare(pick(a, names), pick(b, names));
      if (order) return order * direction;
    }
    return 0;
  };
}

function pick(item, names) {
  return names.reduce((value, name) => (value == null ? value : value[name]), item);
}

function compare(a, b) {
  if (a === b) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  if (typeof a === "string" && typeof b === "string") {
    if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) - Number(b);
    [a, b] = [a, b].map((text) => text.replace(ISO, (_, s, f = "", z) => `${s}.${f.padEnd(9, "0")}${z}`));
    return byCodePoint(a, b);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Strings by code point, as Python and PostgreSQL's C collation (not by UTF-16 unit). */
function byCodePoint(a, b) {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(j);
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return i < a.length ? 1 : j < b.length ? -1 : 0;
}

function upperBound(items, item, order) {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (order(items[middle], item) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function absolute(url) {
  if (/^wss?:\/\//.test(url)) return url;
  if (typeof location === "undefined") throw new Error(`An absolute ws:// or wss:// URL is needed outside a browser, not ${url}`);
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${url}`;
}
