/** The part of a WebSocket this client uses (the browser's, or `ws` in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: any }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws`'s default export in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Timers and clock, injectable for tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ClientOptions {
  /** The nickname to sign in with (path `/websocket/<nickname>`). With a token it must match the token's. */
  nickname?: string;
  /** A JSON Web Token, sent as the `access_token` query parameter. */
  token?: string;
  /**
   * Called for a token before each connection that has none still valid, again shortly before the
   * token's `exp` (the new one is sent over the live connection), and after a close with code 4401.
   */
  getToken?: () => Promise<string>;
  /** The WebSocket constructor; default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** A send not acknowledged within this many ms is rejected instead of re-sent (default 9 minutes, under the server's 10-minute dedup window). */
  sendTimeout?: number;
  /** Reconnect automatically (default true). */
  reconnect?: boolean;
  /**
   * broadcast mode: connect to `url` as it is (no nickname, token or query), emit each frame as a
   * `message` (`name` `""`), and let `send` write raw text, resolving once written (no ids or acks there).
   */
  raw?: boolean;
  /** Backoff base and cap in ms (default 500 and 20000). */
  backoffBase?: number;
  backoffMax?: number;
  /** Random source in [0, 1) for the backoff's jitter (tests). */
  random?: () => number;
  /** Clock and timers (tests). */
  clock?: Clock;
  /** Positions to resume from, as returned by `positions()` (e.g. kept across a page reload). */
  resume?: Positions;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface StateEvent {
  state: ConnectionState;
  /** The close code that led here, when there was one. */
  code?: number;
  /** Why: the server's close reason or error message. */
  reason?: string;
  /** For `disconnected`: ms until the next attempt. */
  retryIn?: number;
}

/** Fields every server event carries. */
export interface ServerEvent {
  type: string;
  name: string;
  msg: string;
  ts: number;
  [field: string]: unknown;
}

/** A chat message: live (`message`, `private`) or from the history (`history`). */
export interface ChatMessage extends ServerEvent {
  /** The room, for a room's message. */
  room?: string;
  /** The recipient, for a private message (or a private message in the inbox's history). */
  to_client?: string;
  /** Position in its stream (nick-broadcast's chat, a room, an inbox). */
  offset?: number;
  /** The sender's send id, when it was sent with one. */
  id?: string;
}

export interface PresenceEvent extends ServerEvent { room?: string; user: string }

export interface UsersEvent extends ServerEvent {
  users: string[];
  you: string;
  epoch?: string;
  offset?: number;
  read?: number;
}

export interface JoinedEvent extends ServerEvent {
  room: string;
  users: string[];
  epoch: string;
  offset: number;
  read?: number;
}

export interface LeftEvent extends ServerEvent { room: string }

export interface RecoveredEvent extends ServerEvent {
  room?: string;
  recovered: boolean;
  count?: number;
}

/** Some messages of a stream may be missing: a resume was not possible. */
export interface GapEvent {
  /** The room; absent for the chat of nick-broadcast or the private inbox. */
  room?: string;
  /** The stream's epoch now. */
  epoch?: string;
  /** The last offset seen before the gap. */
  since: number;
}

export interface TypingEvent extends ServerEvent { user: string; room?: string }

export interface ReadEvent extends ServerEvent { offset: number; room?: string }

export interface ErrorEvent extends ServerEvent { code?: string; id?: string; room?: string }

export interface RoomsEvent extends ServerEvent { rooms: { room: string; members: number }[] }

/** The server took a refreshed token: the connection now lives until `exp` (unix seconds). */
export interface RefreshedEvent extends ServerEvent { exp: number }

export interface EventMap {
  state: StateEvent;
  message: ChatMessage;
  private: ChatMessage;
  history: ChatMessage;
  join: PresenceEvent;
  leave: PresenceEvent;
  users: UsersEvent;
  joined: JoinedEvent;
  left: LeftEvent;
  recovered: RecoveredEvent;
  gap: GapEvent;
  typing: TypingEvent;
  read: ReadEvent;
  error: ErrorEvent;
  rooms: RoomsEvent;
  refreshed: RefreshedEvent;
}

export type EventType = keyof EventMap;

/** What a send resolves with once the server acknowledged it. */
export interface Ack {
  id: string;
  /** The message's offset in its stream (private: in the sender's inbox), when it has one. */
  offset?: number;
  room?: string;
  /** True when the server had already taken this id (a re-send after a lost ack). */
  duplicate: boolean;
}

/** A page of older messages. */
export interface HistoryPage {
  messages: ChatMessage[];
  /** Whether older messages are still kept. */
  more: boolean;
}

export interface HistoryQuery {
  room?: string;
  /** Messages with an offset below this (default: the latest). */
  before?: number;
  /** 1–100, default 50. */
  limit?: number;
}

/** Where each stream was last seen: `""` is the chat or the inbox, `room:<name>` a room. */
export type Positions = Record<string, { epoch: string; offset: number }>;
