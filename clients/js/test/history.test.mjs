// Older history on demand against a real host (rooms mode).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { client, closeAll, connected, raw, startHost, waitForMessage, within } from './helpers.mjs';

let host;
before(async () => { host = await startHost('rooms', '--rate', '0', '--history', '5', '--retain', '100'); });
after(() => { closeAll(); host?.stop(); });

test('history: pages of older messages, oldest first, with more', async () => {
  const sender = await raw(`ws://127.0.0.1:${host.wsPort}/websocket/writer`);
  sender.send({ type: 'join', room: 'pages' });
  for (let i = 1; i <= 30; i++) sender.send({ type: 'message', room: 'pages', msg: 'p' + i });
  await sender.waitFor((e) => e.type === 'message' && e.msg === 'p30');
  sender.close();

  const reader = client(host.url, { nickname: 'reader' });
  await connected(reader);
  const joined = await reader.join('pages');
  const latest = joined.offset;
  const page1 = await within(reader.history({ room: 'pages', limit: 10 }), 5000, 'a page answer');
  assert.deepEqual(page1.messages.map((m) => m.msg), Array.from({ length: 10 }, (_, i) => 'p' + (21 + i)));
  assert.deepEqual(page1.messages.map((m) => m.offset), Array.from({ length: 10 }, (_, i) => latest - 9 + i));
  assert.equal(page1.more, true);
  const page2 = await within(reader.history({ room: 'pages', before: page1.messages[0].offset, limit: 100 }), 5000, 'a page answer');
  assert.deepEqual(page2.messages.map((m) => m.msg), Array.from({ length: 20 }, (_, i) => 'p' + (1 + i)));
  assert.equal(page2.more, false);
  for (const m of page2.messages) assert.equal(typeof m.ts, 'number');
});

test('history: answers come back in order, and a room one is not in is refused', async () => {
  const asker = client(host.url, { nickname: 'asker' });
  await connected(asker);
  await asker.join('pages');
  const [a, b, c] = await within(Promise.all([
    asker.history({ room: 'pages', limit: 1 }),
    asker.history({ room: 'pages', limit: 2 }),
    asker.history({ room: 'pages', limit: 3 }),
  ]), 5000, 'three page answers');
  assert.deepEqual([a.messages.length, b.messages.length, c.messages.length], [1, 2, 3]);
  await assert.rejects(within(asker.history({ room: 'elsewhere' }), 5000, 'an answer'), (e) => e.code === 'not_in_room');
  // Still usable afterwards: a live message arrives.
  const live = waitForMessage(asker, (m) => m.msg === 'after');
  asker.sendToRoom('pages', 'after').catch(() => {});
  await live;
});
