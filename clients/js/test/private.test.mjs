// private mode against real hosts: Part 1 (nicknames, nothing kept) and with identity (inboxes).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET, client, closeAll, connected, record, startHost, tokenFor, waitFor, waitForMessage, within } from './helpers.mjs';

let plain;
let withIdentity;
before(async () => {
  [plain, withIdentity] = await Promise.all([startHost('private'), startHost('private', '--jwt-secret', SECRET)]);
});
after(() => { closeAll(); plain?.stop(); withIdentity?.stop(); });

test('private: only the target gets it, the sender gets no echo', async () => {
  const anna = client(plain.url, { nickname: 'anna' });
  const ben = client(plain.url, { nickname: 'ben' });
  const carol = client(plain.url, { nickname: 'carol' });
  await Promise.all([connected(anna), connected(ben), connected(carol)]);
  const annaGot = record(anna, 'private');
  const carolGot = record(carol, 'private');
  const atBen = waitFor(ben, 'private', (m) => m.msg === 'psst');
  anna.sendPrivate('ben', 'psst').catch(() => {});
  const m = await atBen;
  assert.equal(m.name, 'anna');
  assert.equal(m.to_client, 'ben');
  // Negative checks end on a marker: carol's own message from ben, and anna's from ben.
  const markers = Promise.all([waitFor(carol, 'private', (x) => x.msg === 'marker'), waitFor(anna, 'private', (x) => x.msg === 'marker')]);
  ben.sendPrivate('carol', 'marker').catch(() => {});
  ben.sendPrivate('anna', 'marker').catch(() => {});
  await markers;
  assert.deepEqual(carolGot.map((x) => x.msg), ['marker']);
  assert.deepEqual(annaGot.map((x) => x.msg), ['marker']);
});

test('private: a send to an offline user is rejected with offline_target', async () => {
  const dora = client(plain.url, { nickname: 'dora' });
  await connected(dora);
  await assert.rejects(within(dora.sendPrivate('nobody-here', 'hello?'), 5000, 'no error carrying the send id'), (e) => e.code === 'offline_target');
});

test('private with identity: kept for an offline target, acked, echoed to v=3 and synced to the other devices', async () => {
  const url = withIdentity.url;
  // ben has an inbox: he was here, then left.
  const ben = client(url, { token: tokenFor('ben') });
  await connected(ben);
  ben.close();
  const anna1 = client(url, { token: tokenFor('anna') });
  const anna2 = client(url, { token: tokenFor('anna') });
  const u1 = await connected(anna1);
  await connected(anna2);
  assert.equal(typeof u1.epoch, 'string', 'users carries the inbox epoch');
  const echo = waitFor(anna1, 'private', (m) => m.msg === 'kept for you');
  const synced = waitFor(anna2, 'private', (m) => m.msg === 'kept for you');
  const ack = await within(anna1.sendPrivate('ben', 'kept for you'), 5000, 'the ack of a private send to an offline inbox');
  assert.equal(ack.duplicate, false);
  assert.equal((await echo).offset, ack.offset, 'the v=3 sender gets its echo with its inbox offset');
  assert.equal((await synced).offset, ack.offset);
  const benAgain = client(url, { token: tokenFor('ben') });
  const kept = waitForMessage(benAgain, (m) => m.msg === 'kept for you');
  benAgain.connect();
  const m = await kept;
  assert.equal(m.name, 'anna');
  assert.equal(m.to_client, 'ben');
  assert.equal(typeof m.offset, 'number');
});
