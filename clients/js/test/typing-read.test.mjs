// Typing and read state against a real host (rooms mode with identity, so one user has several connections).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET, client, closeAll, connected, record, startHost, tokenFor, waitFor, waitForMessage } from './helpers.mjs';

let host;
before(async () => { host = await startHost('rooms', '--rate', '0', '--jwt-secret', SECRET); });
after(() => { closeAll(); host?.stop(); });

test('typing: the others in the room see it once per 2 s; the sender\'s own connections do not', async () => {
  const anna = client(host.url, { token: tokenFor('anna') });
  const anna2 = client(host.url, { token: tokenFor('anna') });
  const ben = client(host.url, { token: tokenFor('ben') });
  await Promise.all([connected(anna), connected(anna2), connected(ben)]);
  await Promise.all([anna.join('t'), anna2.join('t'), ben.join('t')]);
  const benTyping = record(ben, 'typing');
  const annaTyping = record(anna2, 'typing');
  const first = waitFor(ben, 'typing', () => true, 5000);
  anna.typing({ room: 't' });
  anna.typing({ room: 't' });
  anna.typing({ room: 't' });
  const e = await first;
  assert.equal(e.user, 'anna');
  assert.equal(e.room, 't');
  const marker = Promise.all([waitForMessage(ben, (m) => m.msg === 'marker'), waitForMessage(anna2, (m) => m.msg === 'marker')]);
  anna.sendToRoom('t', 'marker').catch(() => {});
  await marker;
  assert.equal(benTyping.length, 1);
  assert.equal(annaTyping.length, 0);
});

test('read markers: moved by one connection, seen by the user\'s others, carried by joined', async () => {
  const carl = client(host.url, { token: tokenFor('carl') });
  const carl2 = client(host.url, { token: tokenFor('carl') });
  await Promise.all([connected(carl), connected(carl2)]);
  await Promise.all([carl.join('r'), carl2.join('r')]);
  const sent = waitForMessage(carl, (m) => m.msg === 'three');
  for (const text of ['one', 'two', 'three']) carl.sendToRoom('r', text).catch(() => {});
  const last = (await sent).offset;
  const other = waitFor(carl2, 'read', (e) => e.room === 'r', 5000);
  carl.markRead({ room: 'r', offset: last - 1 });
  assert.equal((await other).offset, last - 1);
  const later = client(host.url, { token: tokenFor('carl') });
  await connected(later);
  const joined = await later.join('r');
  assert.equal(joined.read, last - 1);
  // It only moves forward.
  carl.markRead({ room: 'r', offset: 1 });
  const forward = waitFor(carl2, 'read', (e) => e.room === 'r', 5000);
  carl.markRead({ room: 'r', offset: last });
  assert.equal((await forward).offset, last);
});
