// Types of realtime.js, the django-realtime client (docs/clients.md).

export type State = "connecting" | "open" | "reconnecting" | "offline" | "failed" | "stopped";

/** What `auth` gives: an `Authorization` header value ("Token ...", "Bearer ..."), or
 * null for none (the session cookie, or anonymous). Called on every (re)connect and when
 * the server says `not_authenticated`, so it can refresh a JWT. */
export type Credentials = string | null | undefined;
export type AuthProvider = Credentials | (() => Credentials | Promise<Credentials>);

export interface Options {
  auth?: AuthProvider;
  /** A WebSocket constructor; the global one by default (browsers, Node 22+), or the
   * `ws` package's. */
  WebSocket?: new (url: string) => WebSocketLike;
  /** Reconnect delays in ms: jittered, doubling from `initial` up to `max`. */
  backoff?: { initial: number; max: number };
  /** Ping interval in ms; a socket silent for 1.5 intervals + 10 s is dropped. */
  heartbeat?: number;
  /** Subscribe and unsubscribe frames a second, and at once (15, 40): keep them under the
   * server's RECEIVE_RATE and RECEIVE_BURST. */
  pace?: { rate: number; burst: number };
}

export interface EventFrame<T = any> {
  type: "event";
  id: string;
  event: "created" | "updated" | "deleted";
  path: string | null;
  pk: string | number;
  data: T | null;
  cursor: string;
}

export interface SubscribedFrame {
  type: "subscribed";
  id: string;
  path: string;
  cursor: string;
  ordering?: string[];
  data?: unknown;
}

export interface ResetFrame {
  type: "reset";
  id: string;
  reason: "unknown_cursor" | "history_expired" | "cannot_replay";
  cursor: string;
  ordering?: string[];
  data: unknown;
}

/** Why a subscription ended: "client" (unsubscribed), "deleted", or an error code. */
export type EndReason = string;

export interface Handlers<T = any> {
  /** Ask for the GET's body in `subscribed` (the first subscribe only). */
  snapshot?: boolean;
  /** Resume from this cursor. */
  since?: string;
  onSubscribed?(frame: SubscribedFrame): void;
  onEvent?(frame: EventFrame<T>): void;
  onReset?(frame: ResetFrame): void;
  onEnd?(reason: EndReason, error: RealtimeError | null): void;
}

/** What the client uses of a WebSocket (the DOM's and the `ws` package's both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
}

export class RealtimeError extends Error {
  constructor(code: string, detail: string, status?: number);
  code: string;
  detail: string;
  status?: number;
}

export class Subscription<T = any> {
  readonly id: string;
  readonly path: string;
  /** The last position applied: the resume point. */
  readonly cursor: string | null;
  readonly ordering: string[];
  /** Why it ended, or null while it lives. */
  readonly ended: EndReason | null;
  unsubscribe(): void;
}

export type ListChange<T> =
  | { type: "subscribed" | "reset"; frame: SubscribedFrame | ResetFrame }
  | { type: "event"; frame: EventFrame<T> }
  | { type: "end"; reason: EndReason; error: RealtimeError | null };

export class LiveList<T = any> {
  /** The list in its ordering; a new array after every change. */
  readonly items: T[];
  readonly ready: boolean;
  readonly error: RealtimeError | null;
  readonly subscription: Subscription<T>;
  close(): void;
}

export class LiveObject<T = any> {
  /** The object; null once deleted; undefined until the snapshot arrives. */
  readonly value: T | null | undefined;
  readonly ready: boolean;
  readonly error: RealtimeError | null;
  readonly subscription: Subscription<T>;
  close(): void;
}

export class Client {
  constructor(url?: string, options?: Options);
  readonly url: string;
  readonly state: State;
  /** Why the client failed (state "failed"): a close code that says retrying cannot help. */
  readonly error: RealtimeError | null;
  /** The user the server named in its last `auth` reply. */
  readonly user: string | undefined;
  on(name: "state", callback: (state: State, error: RealtimeError | null) => void): () => void;
  on(name: "error", callback: (error: Error) => void): () => void;
  on(name: "frame", callback: (frame: Record<string, unknown>) => void): () => void;
  /** Every socket close, with its code (4008: resuming; see docs/protocol.md#close-codes). */
  on(name: "close", callback: (code: number, reason: string) => void): () => void;
  subscribe<T = any>(path: string, handlers?: Handlers<T>): Subscription<T>;
  liveList<T = any>(
    path: string,
    onChange?: (items: T[], change: ListChange<T>) => void,
    options?: { key?: string | ((item: T) => string | number) },
  ): LiveList<T>;
  liveObject<T = any>(
    path: string,
    onChange?: (value: T | null, change: ListChange<T>) => void,
  ): LiveObject<T>;
  /** Replace the credentials provider and send its value now; resolves true if accepted. */
  setAuth(provider: AuthProvider): Promise<boolean>;
  /** Close the socket as a network failure would: the client reconnects and resumes. */
  drop(): void;
  /** Close for good. */
  close(): void;
}

/** `connect("/ws/", {auth})`: a relative URL is resolved against the page. */
export function connect(url?: string, options?: Options): Client;
