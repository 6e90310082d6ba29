// nick-broadcast against a real host: sign-in, messages, acks, resume through a cut proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { client, closeAll, connected, raw, record, startHost, startProxy, waitFor, waitForMessage, within } from './helpers.mjs';

let host;
before(async () => { host = await startHost('nick-broadcast', '--rate', '0'); });
after(() => { closeAll(); host?.stop(); });

test('connect: state events, users with epoch and offset, join and messages', async () => {
  const anna = client(host.url, { nickname: 'anna' });
  const states = record(anna, 'state');
  const users = await connected(anna);
  assert.deepEqual(states.map((s) => s.state), ['connecting', 'connected']);
  assert.equal(users.you, 'anna');
  assert.ok(users.users.includes('anna'));
  assert.equal(typeof users.epoch, 'string');
  assert.equal(typeof users.offset, 'number');
  assert.equal(anna.nickname, 'anna');

  const ben = client(host.url, { nickname: 'bén ü' });
  const joined = waitFor(anna, 'join', (e) => e.user === 'bén ü');
  await connected(ben);
  await joined;
  const gotIt = waitFor(ben, 'message', (m) => m.msg === 'hi from anna');
  const echo = waitFor(anna, 'message', (m) => m.msg === 'hi from anna');
  anna.send('hi from anna').catch(() => {});
  const [m, e] = await Promise.all([gotIt, echo]);
  assert.equal(m.name, 'anna');
  assert.equal(m.offset, e.offset);
  assert.equal(m.offset, users.offset + 1);
});

test('a send resolves with the ack: offset, not a duplicate', async () => {
  const carl = client(host.url, { nickname: 'carl' });
  await connected(carl);
  const seen = waitFor(carl, 'message', (m) => m.msg === 'acked?');
  const ack = await within(carl.send('acked?'), 5000, 'no ack for a send with an id');
  const m = await seen;
  assert.equal(ack.duplicate, false);
  assert.equal(ack.offset, m.offset);
  assert.equal(m.id, ack.id, 'the message carries its send id');
});

test('a taken nickname closes with 4001 and is not retried', async () => {
  const first = client(host.url, { nickname: 'dora' });
  await connected(first);
  const second = client(host.url, { nickname: 'DORA' });
  const closed = waitFor(second, 'state', (s) => s.state === 'closed');
  second.connect();
  const s = await closed;
  assert.equal(s.code, 4001);
  assert.ok(s.reason.length > 0);
  assert.equal(first.state, 'connected');
});

test('resume through a cut proxy: every message once, in order (v1 sender, no ids)', async () => {
  const proxy = await startProxy(host.wsPort);
  try {
    const eve = client(proxy.url, { nickname: 'eve', random: () => 0.2 });
    const got = [];
    const recovered = record(eve, 'recovered');
    const gaps = record(eve, 'gap');
    const take = (m) => { if (/^r\d+$|^end$/.test(m.msg)) got.push(m); };
    eve.on('message', take);
    eve.on('history', take);
    await connected(eve);
    const sender = await raw(`ws://127.0.0.1:${host.wsPort}/websocket/frank`);
    const total = 300;
    for (let i = 0; i < total; i++) {
      sender.send({ msg: 'r' + i });
      if (i % 60 === 30) {
        // Wait for the sender's own echo, then cut the receiver's connection mid-stream.
        // Once the receiver has r<i> on a live connection, cut it mid-stream.
        await waitForMessage(eve, (m) => m.msg === 'r' + i);
        while (recovered.length < proxy.cuts) await waitFor(eve, 'recovered'); // the last resume is over
        proxy.cut();
      }
    }
    sender.send({ msg: 'end' });
    await within(new Promise((resolve) => { eve.on('message', (m) => m.msg === 'end' && resolve()); eve.on('history', (m) => m.msg === 'end' && resolve()); }), 20000, 'the end marker');
    sender.close();
    assert.deepEqual(got.map((m) => m.msg), [...Array.from({ length: total }, (_, i) => 'r' + i), 'end']);
    for (let i = 1; i < got.length; i++) assert.equal(got[i].offset, got[i - 1].offset + 1);
    assert.deepEqual(gaps, []);
    // Every cut ends in a resume that recovered everything (the last one may end after 'end' arrived).
    while (recovered.length < proxy.cuts) await waitFor(eve, 'recovered');
    assert.equal(recovered.length, 5);
    assert.ok(recovered.every((r) => r.recovered === true));
  } finally {
    proxy.close();
  }
});
