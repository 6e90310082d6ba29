// Unit-level tests: the client against a scripted WebSocket and a manual clock (no host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, backoffDelay, ChatClient, ChatError, tokenExpiry } from '../dist/index.js';
import { sign } from './helpers.mjs';

class FakeClock {
  t = 1_000_000_000_000;
  timers = [];
  now = () => this.t;
  setTimeout = (fn, ms) => { const h = { at: this.t + ms, fn }; this.timers.push(h); return h; };
  clearTimeout = (h) => { this.timers = this.timers.filter((x) => x !== h); };
  /** Runs every timer due within `ms`, in time order. */
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

/** A scripted socket: the test plays the server. */
function fakeSocketClass() {
  const sockets = [];
  class FakeSocket {
    readyState = 1;
    sent = [];
    onopen = null; onmessage = null; onclose = null; onerror = null;
    constructor(url) { this.url = url; sockets.push(this); }
    send(data) { this.sent.push(JSON.parse(data)); }
    close() { this.readyState = 3; }
    push(event) { this.onmessage?.({ data: JSON.stringify({ name: 'server', msg: '', ts: 0, ...event }) }); }
    drop(code = 1006, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }); }
    get last() { return this.sent[this.sent.length - 1]; }
  }
  return { FakeSocket, sockets };
}

const flush = () => new Promise((r) => setImmediate(r));

function setup(options = {}) {
  const clock = new FakeClock();
  const { FakeSocket, sockets } = fakeSocketClass();
  const c = new ChatClient('ws://chat.test:8181', { nickname: 'anna', WebSocket: FakeSocket, clock, random: () => 1, ...options });
  const states = [];
  c.on('state', (s) => states.push(s));
  return { c, clock, sockets, states };
}

test('backoff: full jitter within [0, min(20 s, 0.5 s·2^attempt)]', () => {
  for (let attempt = 0; attempt < 40; attempt++) {
    const ceiling = Math.min(20000, 500 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, () => 0), 0);
    assert.ok(backoffDelay(attempt, () => 0.999999) <= ceiling);
    assert.ok(backoffDelay(attempt, () => 0.999999) >= ceiling - 1);
    assert.equal(backoffDelay(attempt, () => 0.5), Math.floor(ceiling / 2));
    for (let i = 0; i < 20; i++) {
      const d = backoffDelay(attempt, Math.random);
      assert.ok(d >= 0 && d <= ceiling, `attempt ${attempt}: ${d}`);
    }
  }
  const b = new Backoff(() => 1);
  assert.deepEqual(Array.from({ length: 8 }, () => b.next()), [500, 1000, 2000, 4000, 8000, 16000, 20000, 20000]);
  b.reset();
  assert.equal(b.next(), 500);
});

test('reconnect: backoff grows while attempts fail and resets after a successful connect', async () => {
  const { c, clock, sockets, states } = setup();
  c.connect();
  await flush();
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].url, 'ws://chat.test:8181/websocket/anna?v=3');
  sockets[0].drop();
  assert.equal(states.at(-1).state, 'disconnected');
  assert.equal(states.at(-1).retryIn, 500);
  clock.advance(499); await flush();
  assert.equal(sockets.length, 1);
  clock.advance(1); await flush();
  assert.equal(sockets.length, 2);
  sockets[1].drop();
  assert.equal(states.at(-1).retryIn, 1000);
  clock.advance(1000); await flush();
  sockets[2].push({ type: 'users', users: ['anna'], you: 'anna' });
  assert.equal(states.at(-1).state, 'connected');
  sockets[2].drop();
  assert.equal(states.at(-1).retryIn, 500, 'reset after the successful connect');
  c.close();
  assert.equal(states.at(-1).state, 'closed');
  assert.equal(clock.timers.length, 0);
});

test('no reconnect after 4001, 4002, 4004 or 1008: closed with the reason, pending sends rejected', async () => {
  for (const code of [4001, 4002, 4004, 1008]) {
    const { c, sockets, states, clock } = setup();
    const sent = c.send('hello');
    const rejected = assert.rejects(sent, (e) => e instanceof ChatError && e.code === 'closed');
    c.connect();
    await flush();
    sockets[0].push({ type: 'error', code: 'nickname_taken', msg: 'anna is taken' });
    sockets[0].drop(code, '');
    assert.deepEqual(states.at(-1), { state: 'closed', code, reason: 'anna is taken' });
    await rejected;
    clock.advance(60000); await flush();
    assert.equal(sockets.length, 1);
  }
});

test('a reconnect refused with 4001 is tried again up to 3 times in a row: the old connection may still hold the nickname', async () => {
  const { c, clock, sockets, states } = setup();
  c.connect();
  await flush();
  sockets[0].push({ type: 'users', users: ['anna'], you: 'anna' });
  sockets[0].drop();
  const taken = async () => {
    clock.advance(20000); await flush();
    sockets.at(-1).push({ type: 'error', code: 'nickname_taken', msg: 'anna is taken' });
    sockets.at(-1).drop(4001, '');
  };
  for (let i = 0; i < 3; i++) {
    await taken();
    assert.equal(states.at(-1).state, 'disconnected', `4001 number ${i + 1} is retried`);
  }
  clock.advance(20000); await flush();
  sockets.at(-1).push({ type: 'users', users: ['anna'], you: 'anna' });
  assert.equal(states.at(-1).state, 'connected');
  sockets.at(-1).drop();
  for (let i = 0; i < 3; i++) await taken();
  assert.equal(states.at(-1).state, 'disconnected', 'the count starts over after a sign-in');
  await taken();
  assert.deepEqual(states.at(-1), { state: 'closed', code: 4001, reason: 'anna is taken' });
  c.close();
});

test('sends: queued until connected, acked, re-sent with the same id after a drop, timed out', async () => {
  const { c, clock, sockets } = setup({ sendTimeout: 60000 });
  const first = c.send('one');
  c.connect();
  await flush();
  assert.equal(sockets[0].sent.length, 0, 'nothing written before the sign-in');
  sockets[0].push({ type: 'users', users: ['anna'], you: 'anna', epoch: 'e1', offset: 0 });
  const frame = sockets[0].sent[0];
  assert.equal(frame.msg, 'one');
  assert.match(frame.id, /^[A-Za-z0-9_-]{1,64}$/);
  const second = c.send('two');
  const id2 = sockets[0].last.id;
  assert.notEqual(id2, frame.id);
  sockets[0].push({ type: 'ack', id: frame.id, offset: 1 });
  assert.deepEqual(await first, { id: frame.id, offset: 1, duplicate: false });
  sockets[0].drop();
  const third = c.send('three');
  clock.advance(500); await flush();
  assert.equal(sockets[1].sent.length, 0);
  sockets[1].push({ type: 'users', users: ['anna'], you: 'anna', epoch: 'e1', offset: 1 });
  assert.deepEqual(sockets[1].sent.map((f) => f.msg), ['two', 'three'], 'in order: the one in flight, then the queued one');
  assert.equal(sockets[1].sent[0].id, id2, 'the same id');
  sockets[1].push({ type: 'ack', id: id2, offset: 2, duplicate: true });
  assert.deepEqual(await second, { id: id2, offset: 2, duplicate: true });
  const thirdFails = assert.rejects(third, (e) => e.code === 'rate_limited' && e.message === 'slow down');
  sockets[1].push({ type: 'error', id: sockets[1].sent[1].id, code: 'rate_limited', msg: 'slow down' });
  await thirdFails;
  const late = assert.rejects(c.send('late'), (e) => e.code === 'timeout');
  sockets[1].drop();
  clock.advance(60000); await flush();
  await late;
  sockets.at(-1).push({ type: 'users', users: ['anna'], you: 'anna' });
  assert.equal(sockets.at(-1).sent.length, 0, 'a timed-out send is not re-sent');
  c.close();
});

test('streams: resumed by offset and epoch, duplicates dropped, gaps reported', async () => {
  const { c, clock, sockets } = setup();
  const seen = [];
  const gaps = [];
  c.on('message', (m) => seen.push(m.offset));
  c.on('history', (m) => seen.push(m.offset));
  c.on('gap', (g) => gaps.push(g));
  c.connect(); await flush();
  sockets[0].push({ type: 'users', users: ['anna'], you: 'anna', epoch: 'e1', offset: 5 });
  sockets[0].push({ type: 'history', name: 'ben', msg: 'a', offset: 4 });
  sockets[0].push({ type: 'history', name: 'ben', msg: 'b', offset: 5 });
  sockets[0].push({ type: 'message', name: 'ben', msg: 'c', offset: 6 });
  sockets[0].drop();
  clock.advance(500); await flush();
  assert.equal(sockets[1].url, 'ws://chat.test:8181/websocket/anna?v=3&since=6&epoch=e1');
  sockets[1].push({ type: 'users', users: ['anna'], you: 'anna', epoch: 'e1', offset: 8 });
  sockets[1].push({ type: 'history', name: 'ben', msg: 'c', offset: 6 });
  sockets[1].push({ type: 'history', name: 'ben', msg: 'd', offset: 7 });
  sockets[1].push({ type: 'history', name: 'ben', msg: 'e', offset: 8 });
  sockets[1].push({ type: 'recovered', recovered: true, count: 2 });
  sockets[1].push({ type: 'message', name: 'ben', msg: 'f', offset: 9 });
  assert.deepEqual(seen, [4, 5, 6, 7, 8, 9]);
  assert.deepEqual(gaps, []);
  sockets[1].drop();
  clock.advance(500); await flush();
  sockets[2].push({ type: 'users', users: ['anna'], you: 'anna', epoch: 'e2', offset: 2 });
  sockets[2].push({ type: 'history', name: 'ben', msg: 'x', offset: 1 });
  sockets[2].push({ type: 'recovered', recovered: false });
  assert.deepEqual(gaps, [{ since: 9, epoch: 'e2' }], 'one gap for a new epoch');
  assert.deepEqual(seen, [4, 5, 6, 7, 8, 9, 1]);
  sockets[2].drop();
  clock.advance(500); await flush();
  sockets[3].push({ type: 'users', users: ['anna'], you: 'anna', epoch: 'e2', offset: 900 });
  sockets[3].push({ type: 'recovered', recovered: false });
  assert.deepEqual(gaps.at(-1), { since: 1, epoch: 'e2' });
  assert.deepEqual(c.positions(), { '': { epoch: 'e2', offset: 1 } });
  c.close();
});

test('rooms: re-joined with since/epoch after a reconnect; room sends wait for the join', async () => {
  const { c, clock, sockets } = setup();
  c.connect(); await flush();
  sockets[0].push({ type: 'users', users: ['anna'], you: 'anna' });
  const joined = c.join('Lobby');
  assert.deepEqual(sockets[0].last, { type: 'join', room: 'lobby' });
  const sent = c.sendToRoom('lobby', 'hi');
  assert.equal(sockets[0].sent.length, 1, 'held until joined');
  sockets[0].push({ type: 'joined', room: 'lobby', users: ['anna'], epoch: 'r1', offset: 3 });
  assert.equal((await joined).epoch, 'r1');
  assert.equal(sockets[0].last.msg, 'hi');
  sockets[0].push({ type: 'message', room: 'lobby', name: 'anna', msg: 'hi', offset: 4 });
  sockets[0].drop();
  clock.advance(500); await flush();
  sockets[1].push({ type: 'users', users: ['anna'], you: 'anna' });
  assert.deepEqual(sockets[1].sent[0], { type: 'join', room: 'lobby', since: 4, epoch: 'r1' });
  assert.equal(sockets[1].sent.length, 1, 'the unacked send waits for the re-join');
  sockets[1].push({ type: 'joined', room: 'lobby', users: ['anna'], epoch: 'r1', offset: 4 });
  assert.equal(sockets[1].sent[1].msg, 'hi');
  sockets[1].push({ type: 'ack', id: sockets[1].sent[1].id, room: 'lobby', offset: 4, duplicate: true });
  assert.equal((await sent).duplicate, true);
  await assert.rejects(c.join('no such room!'), (e) => e.code === 'invalid_room');
  const refused = c.join('big');
  sockets[1].push({ type: 'error', code: 'too_many_rooms', room: 'big', msg: 'too many' });
  await assert.rejects(refused, (e) => e.code === 'too_many_rooms');
  c.close();
});

test('history pages are matched to requests in order; typing is throttled to one per 2 s', async () => {
  const { c, clock, sockets } = setup();
  c.connect(); await flush();
  const early = c.history({ room: 'a', limit: 2 });
  sockets[0].push({ type: 'users', users: ['anna'], you: 'anna' });
  const later = c.history({ before: 10 });
  assert.deepEqual(sockets[0].sent, [{ type: 'history', room: 'a', limit: 2 }, { type: 'history', before: 10 }]);
  sockets[0].push({ type: 'page', room: 'a', messages: [{ offset: 1 }], more: false });
  sockets[0].push({ type: 'page', messages: [{ offset: 8 }, { offset: 9 }], more: true });
  assert.deepEqual(await early, { messages: [{ offset: 1 }], more: false });
  assert.deepEqual(await later, { messages: [{ offset: 8 }, { offset: 9 }], more: true });
  await assert.rejects(c.history({ limit: 101 }), (e) => e.code === 'invalid_request');
  sockets[0].sent.length = 0;
  c.typing({ room: 'a' });
  c.typing({ room: 'a' });
  c.typing({ to: 'ben' });
  clock.advance(1999);
  c.typing({ room: 'a' });
  clock.advance(1);
  c.typing({ room: 'a' });
  assert.deepEqual(sockets[0].sent, [{ type: 'typing', room: 'a' }, { type: 'typing', to_client: 'ben' }, { type: 'typing', room: 'a' }]);
  c.close();
});

test('tokens: exp decoded, refreshed before it over the live connection, new token after 4401', async () => {
  const clock = new FakeClock();
  const nowS = Math.floor(clock.t / 1000);
  const tokens = [sign({ sub: 'anna', exp: nowS + 100 }), sign({ sub: 'anna', exp: nowS + 1000 }), sign({ sub: 'anna', exp: nowS + 5000 })];
  assert.equal(tokenExpiry(tokens[0]), nowS + 100);
  let calls = 0;
  const { FakeSocket, sockets } = fakeSocketClass();
  const c = new ChatClient('ws://chat.test:8181/', { WebSocket: FakeSocket, clock, random: () => 1, getToken: async () => tokens[calls++] });
  c.connect(); await flush();
  assert.equal(sockets[0].url, `ws://chat.test:8181/websocket?v=3&access_token=${tokens[0]}`);
  sockets[0].push({ type: 'users', users: ['anna'], you: 'anna' });
  clock.advance(49_000); await flush();
  assert.equal(calls, 1);
  clock.advance(1000); await flush();
  assert.equal(calls, 2, 'refreshed half-way through a short token');
  assert.deepEqual(sockets[0].last, { type: 'refresh', token: tokens[1] });
  sockets[0].drop(4401, 'token expired');
  clock.advance(0); await flush();
  assert.equal(calls, 3, 'a new token after 4401');
  assert.equal(sockets.length, 2, 'reconnected at once');
  assert.ok(sockets[1].url.endsWith(tokens[2]));
  c.close();
});
