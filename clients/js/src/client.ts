import { Backoff } from './backoff.js';
import { Emitter } from './emitter.js';
import { ChatError } from './errors.js';
import { newId } from './ids.js';
import { PendingSends } from './pending.js';
import { StreamPositions, streamKey } from './positions.js';
import { refreshDelay, tokenExpiry, tokenUsable } from './token.js';
import { connectionUrl, normalizeRoom } from './url.js';
import type {
  Ack, ChatMessage, ClientOptions, Clock, ConnectionState, EventMap, EventType, HistoryPage, HistoryQuery,
  JoinedEvent, Positions, ServerEvent, StateEvent, WebSocketConstructor, WebSocketLike,
} from './types.js';

/** Close codes after which reconnecting would not help: nickname taken or invalid, kicked or banned, policy. */
const FINAL_CLOSE_CODES = [4001, 4002, 4004, 1008];
const TOKEN_EXPIRED = 4401;
const NICKNAME_TAKEN = 4001;
/**
 * How often a reconnect refused with 4001 is tried again: the server (or, scaled out, another node)
 * may not have seen the dropped connection close yet, and holds the nickname for it until it does.
 */
const NICKNAME_RETRIES = 3;
const TYPING_INTERVAL = 2000;
const JOIN_ERRORS = ['invalid_room', 'too_many_rooms', 'too_many_streams', 'unavailable'];

interface Room {
  /** `joined` arrived on the current connection. */
  joined: boolean;
  info?: JoinedEvent;
  waiters: { resolve(e: JoinedEvent): void; reject(e: ChatError): void }[];
}

interface HistoryRequest {
  frame: Record<string, unknown>;
  room?: string;
  resolve(page: HistoryPage): void;
  reject(err: ChatError): void;
}

/** A send's promise, with the id it went out with (`""` in broadcast mode), so a page can match its own message before the ack. */
export type SendPromise = Promise<Ack> & { readonly id: string };

const withId = (p: Promise<Ack>, id: string): SendPromise => Object.assign(p, { id });

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * A Fleck.Chat connection that stays up: it reconnects with backoff, resumes every stream where it
 * left off (no message lost or doubled), and acknowledges every send exactly once.
 */
export class ChatClient {
  private readonly base: string;
  private readonly options: ClientOptions;
  private readonly clock: Clock;
  private readonly events = new Emitter<EventMap>();
  private readonly backoff: Backoff;
  private readonly streams: StreamPositions;
  private readonly sends = new PendingSends();
  private readonly rooms = new Map<string, Room>();
  private historyQueue: HistoryRequest[] = [];
  private historyInFlight: HistoryRequest[] = [];
  private readonly reads = new Map<string, Record<string, unknown>>();
  private readonly typingSent = new Map<string, number>();

  private ws: WebSocketLike | undefined;
  /** Counts connections; a send remembers the one it was written on. */
  private serial = 0;
  /** The current connection has signed in (`users` arrived). */
  private ready = false;
  private current: ConnectionState = 'disconnected';
  private stopped = true;
  private reconnectTimer: unknown;
  private refreshTimer: unknown;
  private token: string | undefined;
  private needNewToken = false;
  private lastError: string | undefined;
  private me: string | undefined;
  /** 4001s in a row since the last sign-in. */
  private nicknameTaken = 0;
  private readonly onOnline = () => this.wakeUp();
  private readonly onOffline = () => this.dropSocket(1006, 'offline');

  constructor(url: string, options: ClientOptions = {}) {
    this.base = url;
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.backoff = new Backoff(options.random ?? Math.random, options.backoffBase ?? 500, options.backoffMax ?? 20000);
    this.streams = new StreamPositions(options.resume);
    this.token = options.token;
  }

  /** The connection state now. */
  get state(): ConnectionState {
    return this.current;
  }

  /** The signed-in nickname (after the first `users`). */
  get nickname(): string | undefined {
    return this.me;
  }

  /** The rooms this client is in (or joining). */
  get joinedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends EventType>(type: K, handler: (event: EventMap[K]) => void): () => void {
    return this.events.on(type, handler);
  }

  /** Where each stream was last seen; pass it as `resume` to a new client to continue from there. */
  positions(): Positions {
    return this.streams.snapshot();
  }

  /** Starts connecting (and keeps the connection up until `close()`). */
  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const g = globalThis as any;
    if (typeof g.addEventListener === 'function') {
      g.addEventListener('online', this.onOnline);
      g.addEventListener('offline', this.onOffline);
    }
    void this.open();
  }

  /** Closes the connection for good: pending sends, joins and history requests are rejected. */
  close(): void {
    if (this.stopped && this.current === 'closed') return;
    const ws = this.ws;
    this.detach();
    if (ws) {
      try { ws.close(1000); } catch { /* already closing */ }
    }
    this.finish(1000, 'closed by the client');
  }

  /** Sends a message to nick-broadcast's chat. Resolves with the ack. */
  send(text: string): SendPromise {
    if (this.options.raw) return this.sendRaw(text);
    return this.enqueue({ msg: text });
  }

  /** Sends a message to a room (rooms mode). Resolves with the ack. */
  sendToRoom(room: string, text: string): SendPromise {
    const r = normalizeRoom(room);
    if (!r) return withId(Promise.reject(new ChatError('invalid_room', 'invalid room name: ' + room)), '');
    return this.enqueue({ type: 'message', room: r, msg: text }, r);
  }

  /** Sends a private message (private mode). Resolves with the ack. */
  sendPrivate(to: string, text: string): SendPromise {
    return this.enqueue({ msg: text, to_client: to });
  }

  /** Joins a room (rooms mode); it is re-joined, and resumed, after every reconnect until `leave`. */
  join(room: string): Promise<JoinedEvent> {
    const r = normalizeRoom(room);
    if (!r) return Promise.reject(new ChatError('invalid_room', 'invalid room name: ' + room));
    if (this.stopped && this.current === 'closed') return Promise.reject(new ChatError('closed', 'the client is closed'));
    let entry = this.rooms.get(r);
    if (entry?.joined && entry.info) return Promise.resolve(entry.info);
    return new Promise<JoinedEvent>((resolve, reject) => {
      if (!entry) {
        entry = { joined: false, waiters: [] };
        this.rooms.set(r, entry);
        if (this.ready) this.sendJoin(r);
      }
      entry.waiters.push({ resolve, reject });
    });
  }

  /** Leaves a room. */
  leave(room: string): void {
    const r = normalizeRoom(room);
    if (!r) return;
    const entry = this.rooms.get(r);
    this.rooms.delete(r);
    this.streams.forget(streamKey(r));
    this.reads.delete(streamKey(r));
    entry?.waiters.forEach((w) => w.reject(new ChatError('left', 'left ' + r + ' before it was joined')));
    if (this.ready) this.write({ type: 'leave', room: r });
  }

  /** Asks for the list of rooms with members; the answer comes as a `rooms` event. */
  listRooms(): void {
    if (this.ready) this.write({ type: 'rooms' });
  }

  /** A page of older messages: of a room, else of the private inbox (or the chat). */
  history(query: HistoryQuery = {}): Promise<HistoryPage> {
    const frame: Record<string, unknown> = { type: 'history' };
    let room: string | undefined;
    if (query.room !== undefined) {
      room = normalizeRoom(query.room);
      if (!room) return Promise.reject(new ChatError('invalid_room', 'invalid room name: ' + query.room));
      frame.room = room;
    }
    if (query.before !== undefined) {
      if (!Number.isInteger(query.before) || query.before < 1) return Promise.reject(new ChatError('invalid_request', 'before must be an integer ≥ 1'));
      frame.before = query.before;
    }
    if (query.limit !== undefined) {
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) return Promise.reject(new ChatError('invalid_request', 'limit must be an integer 1–100'));
      frame.limit = query.limit;
    }
    if (this.stopped && this.current === 'closed') return Promise.reject(new ChatError('closed', 'the client is closed'));
    return new Promise<HistoryPage>((resolve, reject) => {
      this.historyQueue.push({ frame, room, resolve, reject });
      this.flush();
    });
  }

  /** Tells the others you are typing (at most once per 2 s per scope; dropped while disconnected). */
  typing(scope: { room?: string; to?: string } = {}): void {
    const frame: Record<string, unknown> = { type: 'typing' };
    if (scope.room !== undefined) {
      const r = normalizeRoom(scope.room);
      if (!r) return;
      frame.room = r;
    } else if (scope.to !== undefined) {
      frame.to_client = scope.to;
    }
    const key = frame.room ? 'r:' + frame.room : frame.to_client ? 'p:' + frame.to_client : '';
    const now = this.clock.now();
    if (!this.ready || now - (this.typingSent.get(key) ?? -Infinity) < TYPING_INTERVAL) return;
    this.typingSent.set(key, now);
    this.write(frame);
  }

  /** Moves your read marker of a stream (a room, else the chat or inbox); sent once connected, latest only. */
  markRead(marker: { room?: string; offset: number }): void {
    const frame: Record<string, unknown> = { type: 'read', offset: marker.offset };
    let key = '';
    if (marker.room !== undefined) {
      const r = normalizeRoom(marker.room);
      if (!r) return;
      frame.room = r;
      key = streamKey(r);
    }
    this.reads.set(key, frame);
    this.flush();
  }

  // ---- connection -------------------------------------------------------------------------

  private setState(state: ConnectionState, extra: Omit<StateEvent, 'state'> = {}): void {
    this.current = state;
    this.events.emit('state', { state, ...extra });
  }

  private async open(): Promise<void> {
    if (this.stopped || this.ws) return;
    const serial = ++this.serial;
    this.ready = false;
    this.setState('connecting');
    const getToken = this.options.getToken;
    if (getToken && (this.needNewToken || this.token === undefined || !tokenUsable(this.token, this.clock.now()))) {
      try {
        this.token = await getToken();
        this.needNewToken = false;
      } catch (err) {
        if (serial === this.serial && !this.stopped) this.retry(undefined, 'getToken failed: ' + String(err));
        return;
      }
      if (serial !== this.serial || this.stopped) return;
    }
    const Ctor: WebSocketConstructor | undefined = this.options.WebSocket ?? (globalThis as any).WebSocket;
    if (!Ctor) {
      this.finish(undefined, 'no WebSocket implementation: pass the WebSocket option');
      return;
    }
    const url = this.options.raw ? this.base : connectionUrl(this.base, this.options.nickname, this.token, this.streams.resumePoint(''));
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch (err) {
      this.retry(undefined, String(err));
      return;
    }
    this.ws = ws;
    this.lastError = undefined;
    if (this.options.raw) {
      ws.onopen = () => {
        if (this.ws !== ws) return;
        this.ready = true;
        this.backoff.reset();
        this.setState('connected');
      };
    }
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      if (this.options.raw) {
        this.events.emit('message', { type: 'message', name: '', msg: String(ev.data), ts: this.clock.now() });
        return;
      }
      let event: ServerEvent;
      try {
        event = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data));
      } catch {
        return;
      }
      if (event && typeof event === 'object') this.handle(event);
    };
    ws.onclose = (ev) => {
      if (this.ws === ws) this.closed(ev.code, ev.reason);
    };
    ws.onerror = () => { /* a close follows */ };
  }

  /** The socket closed under us: decide whether and when to come back. */
  private closed(code: number, reason: string): void {
    this.detach();
    if (this.stopped) return;
    const why = reason || this.lastError || '';
    if (code === NICKNAME_TAKEN && this.me !== undefined && this.options.reconnect !== false && ++this.nicknameTaken <= NICKNAME_RETRIES) {
      this.retry(code, why);
      return;
    }
    if (this.options.reconnect === false || FINAL_CLOSE_CODES.includes(code) || (code === TOKEN_EXPIRED && !this.options.getToken)) {
      this.finish(code, why);
      return;
    }
    if (code === TOKEN_EXPIRED) {
      this.needNewToken = true;
      this.retry(code, why, 0);
      return;
    }
    this.retry(code, why);
  }

  private retry(code: number | undefined, reason: string, delay = this.backoff.next()): void {
    const extra: Omit<StateEvent, 'state'> = { reason, retryIn: delay };
    if (code !== undefined) extra.code = code;
    this.setState('disconnected', extra);
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.open();
    }, delay);
  }

  /** Back online: try again now instead of waiting out the backoff. */
  private wakeUp(): void {
    if (this.stopped || this.ws) return;
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.backoff.reset();
    void this.open();
  }

  /** Drops the current socket as if the network had (going offline). */
  private dropSocket(code: number, reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.closed(code, reason);
    try { ws.close(); } catch { /* gone */ }
  }

  /** Forgets the current socket; what was in flight on it is written again on the next one. */
  private detach(): void {
    const ws = this.ws;
    this.ws = undefined;
    this.ready = false;
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = ws.onopen = null;
    }
    for (const room of this.rooms.values()) room.joined = false;
    this.historyQueue = [...this.historyInFlight, ...this.historyQueue];
    this.historyInFlight = [];
    this.typingSent.clear();
    this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  /** Closed for good: no more reconnects; everything pending fails. */
  private finish(code: number | undefined, reason: string): void {
    this.detach();
    this.stopped = true;
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const g = globalThis as any;
    if (typeof g.removeEventListener === 'function') {
      g.removeEventListener('online', this.onOnline);
      g.removeEventListener('offline', this.onOffline);
    }
    const err = () => new ChatError('closed', reason || 'the connection was closed');
    this.sends.rejectAll(err).forEach((s) => this.clock.clearTimeout(s.timer));
    for (const room of this.rooms.values()) room.waiters.splice(0).forEach((w) => w.reject(err()));
    for (const [r, room] of this.rooms) if (!room.info) this.rooms.delete(r);
    this.historyQueue.splice(0).forEach((h) => h.reject(err()));
    const extra: Omit<StateEvent, 'state'> = { reason };
    if (code !== undefined) extra.code = code;
    this.setState('closed', extra);
  }

  private write(frame: Record<string, unknown>): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private sendJoin(room: string): void {
    const frame: Record<string, unknown> = { type: 'join', room };
    const from = this.streams.resumePoint(streamKey(room));
    if (from) Object.assign(frame, from);
    this.write(frame);
  }

  /** Whether something for `room` must wait: the room is being joined on this connection. */
  private held(room: string | undefined): boolean {
    if (!room) return false;
    const entry = this.rooms.get(room);
    return !!entry && !entry.joined;
  }

  /** Writes what waits for this connection: sends (in order), history requests, read markers. */
  private flush(): void {
    if (!this.ready) return;
    for (const s of this.sends.unsent(this.serial)) {
      if (this.held(s.room)) continue;
      if (!this.write(s.frame)) return;
      s.sentOn = this.serial;
    }
    const waiting: HistoryRequest[] = [];
    for (const h of this.historyQueue) {
      if (this.held(h.room) || !this.write(h.frame)) waiting.push(h);
      else this.historyInFlight.push(h);
    }
    this.historyQueue = waiting;
    for (const [key, frame] of this.reads) {
      if (this.held(frame.room as string | undefined)) continue;
      if (this.write(frame)) this.reads.delete(key);
    }
  }

  /** broadcast mode: the text goes out as it is, now or not at all (no ids, no acks there). */
  private sendRaw(text: string): SendPromise {
    try {
      if (this.ready) {
        this.ws!.send(text);
        return withId(Promise.resolve({ id: '', duplicate: false }), '');
      }
    } catch { /* closing: as offline */ }
    return withId(Promise.reject(new ChatError('offline', 'not connected')), '');
  }

  private enqueue(frame: Record<string, unknown>, room?: string): SendPromise {
    if (this.stopped && this.current === 'closed') return withId(Promise.reject(new ChatError('closed', 'the client is closed')), '');
    const id = newId();
    frame.id = id;
    return withId(new Promise<Ack>((resolve, reject) => {
      const timeout = this.options.sendTimeout ?? 9 * 60 * 1000;
      const timer = this.clock.setTimeout(() => {
        if (this.sends.take(id)) reject(new ChatError('timeout', 'not acknowledged within ' + timeout + ' ms; not sent again', id));
      }, timeout);
      this.sends.add({ id, frame, room, sentOn: 0, resolve, reject, timer });
      this.flush();
    }), id);
  }

  // ---- tokens -----------------------------------------------------------------------------

  private scheduleRefresh(): void {
    this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    const getToken = this.options.getToken;
    const exp = this.token ? tokenExpiry(this.token) : undefined;
    if (!getToken || exp === undefined) return;
    const serial = this.serial;
    this.refreshTimer = this.clock.setTimeout(async () => {
      this.refreshTimer = undefined;
      let token: string;
      try {
        token = await getToken();
      } catch {
        return; // the server closes with 4401 at exp; a fresh token is fetched then
      }
      this.token = token;
      if (serial === this.serial && this.ready) this.write({ type: 'refresh', token });
    }, refreshDelay(exp, this.clock.now()));
  }

  // ---- events -----------------------------------------------------------------------------

  private handle(e: ServerEvent): void {
    const room = typeof e.room === 'string' ? e.room : undefined;
    const key = streamKey(room);
    switch (e.type) {
      case 'users': {
        this.me = typeof e.you === 'string' ? e.you : this.me;
        this.nicknameTaken = 0;
        if (typeof e.epoch === 'string') this.enter('', undefined, e.epoch, Number(e.offset ?? 0));
        this.ready = true;
        this.backoff.reset();
        this.setState('connected');
        this.events.emit('users', e as EventMap['users']);
        this.scheduleRefresh();
        for (const r of this.rooms.keys()) this.sendJoin(r);
        this.flush();
        return;
      }
      case 'joined': {
        if (!room) return;
        this.enter(key, room, String(e.epoch ?? ''), Number(e.offset ?? 0));
        let entry = this.rooms.get(room);
        if (!entry) this.rooms.set(room, (entry = { joined: false, waiters: [] }));
        entry.joined = true;
        entry.info = e as JoinedEvent;
        this.events.emit('joined', entry.info);
        entry.waiters.splice(0).forEach((w) => w.resolve(entry!.info!));
        this.flush();
        return;
      }
      case 'left':
        // A room left and already being joined again stays.
        if (room && this.rooms.get(room)?.joined !== false) {
          this.rooms.delete(room);
          this.streams.forget(key);
        }
        this.events.emit('left', e as EventMap['left']);
        return;
      case 'message':
      case 'history':
      case 'private':
        if (this.streams.accept(key, e.offset, e.type !== 'history')) this.events.emit(e.type, e as ChatMessage);
        return;
      case 'recovered':
        this.events.emit('recovered', e as EventMap['recovered']);
        if (e.recovered === false && this.streams.takeGap(key)) this.gap(room, key, this.streams.last(key));
        return;
      case 'ack': {
        const s = typeof e.id === 'string' ? this.sends.take(e.id) : undefined;
        if (!s) return;
        this.clock.clearTimeout(s.timer);
        const ack: Ack = { id: s.id, duplicate: e.duplicate === true };
        if (typeof e.offset === 'number') ack.offset = e.offset;
        if (room) ack.room = room;
        s.resolve(ack);
        return;
      }
      case 'page': {
        const h = this.historyInFlight.shift();
        h?.resolve({ messages: Array.isArray(e.messages) ? (e.messages as ChatMessage[]) : [], more: e.more === true });
        return;
      }
      case 'refreshed':
        this.scheduleRefresh();
        this.events.emit('refreshed', e as EventMap['refreshed']);
        return;
      case 'error':
        this.error(e as EventMap['error'], room);
        return;
      case 'join':
      case 'leave':
      case 'typing':
      case 'read':
      case 'rooms':
        this.events.emit(e.type, e as any);
        return;
    }
  }

  /** A stream was entered with this epoch and latest offset; a changed epoch means a gap. */
  private enter(key: string, room: string | undefined, epoch: string, offset: number): void {
    const before = this.streams.enter(key, epoch, offset);
    if (before !== undefined) this.gap(room, key, before);
  }

  private gap(room: string | undefined, key: string, since: number): void {
    const gap: EventMap['gap'] = { since };
    if (room) gap.room = room;
    const epoch = this.streams.epoch(key);
    if (epoch !== undefined) gap.epoch = epoch;
    this.events.emit('gap', gap);
  }

  private error(e: EventMap['error'], room: string | undefined): void {
    this.lastError = e.msg;
    const code = typeof e.code === 'string' ? e.code : 'error';
    const send = typeof e.id === 'string' ? this.sends.take(e.id) : undefined;
    if (send) {
      this.clock.clearTimeout(send.timer);
      send.reject(new ChatError(code, e.msg, send.id));
      return;
    }
    const entry = room !== undefined ? this.rooms.get(room) : undefined;
    if (entry && !entry.joined && JOIN_ERRORS.includes(code)) {
      this.rooms.delete(room!);
      this.streams.forget(streamKey(room));
      entry.waiters.splice(0).forEach((w) => w.reject(new ChatError(code, e.msg)));
    } else if (e.id === undefined && (code === 'invalid_request' || code === 'not_in_room') && this.historyInFlight[0] && (room === undefined || this.historyInFlight[0].room === room)) {
      // A refused history request: answers come in order, so it is the oldest one in flight.
      this.historyInFlight.shift()!.reject(new ChatError(code, e.msg));
    }
    this.events.emit('error', e);
  }
}
