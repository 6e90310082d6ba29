// broadcast mode (raw text) against a real host, and the small things pages lean on: a send's id
// known before its ack, and a live message below what was seen (its stream started over) shown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { client, closeAll, startHost, waitFor, within } from './helpers.mjs';

let host;
before(async () => { host = await startHost('broadcast'); });
after(() => { closeAll(); host?.stop(); });

test('broadcast: raw text both ways, sender included, a send resolves once written', async () => {
  const anna = client(host.url + '/websocket', { raw: true });
  const ben = client(host.url + '/websocket', { raw: true });
  const annaUp = waitFor(anna, 'state', (s) => s.state === 'connected');
  const benUp = waitFor(ben, 'state', (s) => s.state === 'connected');
  anna.connect(); ben.connect();
  await Promise.all([annaUp, benUp]);
  const got = waitFor(ben, 'message', (m) => m.msg === '{"not":"json to me"}');
  const echo = waitFor(anna, 'message', (m) => m.msg === '{"not":"json to me"}');
  const sent = anna.send('{"not":"json to me"}');
  assert.equal(sent.id, '');
  assert.deepEqual(await within(sent, 5000, 'a raw send did not resolve'), { id: '', duplicate: false });
  const [m] = await Promise.all([got, echo]);
  assert.equal(m.name, '');
  assert.equal(m.type, 'message');
});

test('broadcast: a send while not connected is refused, not queued', async () => {
  const carl = client(host.url + '/websocket', { raw: true });
  await assert.rejects(carl.send('too early'), (e) => e.code === 'offline');
});

class FakeSocket {
  static all = [];
  readyState = 1; sent = []; onopen = null; onmessage = null; onclose = null; onerror = null;
  constructor(url) { this.url = url; FakeSocket.all.push(this); }
  send(data) { this.sent.push(JSON.parse(data)); }
  close() { this.readyState = 3; }
  push(event) { this.onmessage?.({ data: JSON.stringify({ name: 'server', msg: '', ts: 0, ...event }) }); }
}

test('a send carries its id before the ack; a live message below the last offset is still emitted', async () => {
  const c = client('ws://chat.test:8181', { nickname: 'anna', WebSocket: FakeSocket });
  const seen = [];
  c.on('message', (m) => seen.push(m.msg));
  c.connect();
  await new Promise((r) => setImmediate(r));
  const ws = FakeSocket.all.at(-1);
  ws.push({ type: 'users', users: ['anna'], you: 'anna', epoch: 'e1', offset: 5 });
  const p = c.send('mine');
  assert.equal(ws.sent.at(-1).id, p.id);
  ws.push({ type: 'message', name: 'anna', msg: 'mine', offset: 6, id: p.id });
  ws.push({ type: 'ack', id: p.id, offset: 6 });
  assert.equal((await p).offset, 6);
  ws.push({ type: 'history', name: 'ben', msg: 'old', offset: 4 });
  ws.push({ type: 'message', name: 'ben', msg: 'after redis restarted empty', offset: 1 });
  ws.push({ type: 'message', name: 'ben', msg: 'next', offset: 2 });
  assert.deepEqual(seen, ['mine', 'after redis restarted empty', 'next']);
});
