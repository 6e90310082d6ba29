// rooms mode against a real host: join, send, leave, list, acks, resume through a cut proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { client, closeAll, connected, raw, record, startHost, startProxy, waitFor, waitForMessage, within } from './helpers.mjs';

let host;
before(async () => { host = await startHost('rooms', '--rate', '0'); });
after(() => { closeAll(); host?.stop(); });

test('rooms: join, send, leave; nobody outside the room gets its messages', async () => {
  const anna = client(host.url, { nickname: 'anna' });
  const ben = client(host.url, { nickname: 'ben' });
  const carol = client(host.url, { nickname: 'carol' });
  await Promise.all([connected(anna), connected(ben), connected(carol)]);
  const joined = await anna.join('Lobby');
  assert.equal(joined.room, 'lobby');
  assert.deepEqual(joined.users, ['anna']);
  assert.equal(typeof joined.epoch, 'string');
  assert.deepEqual(anna.joinedRooms, ['lobby']);
  const benJoins = waitFor(anna, 'join', (e) => e.room === 'lobby' && e.user === 'ben');
  await ben.join('lobby');
  await benJoins;
  await carol.join('side');
  const carolGot = record(carol, 'message');
  const atBen = waitForMessage(ben, (m) => m.msg === 'hello lobby');
  anna.sendToRoom('lobby', 'hello lobby').catch(() => {});
  const m = await atBen;
  assert.equal(m.room, 'lobby');
  assert.equal(m.name, 'anna');
  assert.equal(m.offset, joined.offset + 1);
  // Negative check, ended by a marker: carol sees only her own room's marker.
  await carol.join('side');
  const marker = waitForMessage(carol, (x) => x.msg === 'marker');
  carol.sendToRoom('side', 'marker').catch(() => {});
  await marker;
  assert.deepEqual(carolGot.map((x) => x.msg), ['marker']);

  const annaSeesLeave = waitFor(anna, 'leave', (e) => e.room === 'lobby' && e.user === 'ben');
  const benLeft = waitFor(ben, 'left', (e) => e.room === 'lobby');
  ben.leave('lobby');
  await Promise.all([annaSeesLeave, benLeft]);
  assert.deepEqual(ben.joinedRooms, []);
  const list = waitFor(anna, 'rooms');
  anna.listRooms();
  const rooms = await list;
  assert.deepEqual(rooms.rooms.find((r) => r.room === 'lobby'), { room: 'lobby', members: 1 });
});

test('rooms: a send resolves with the ack (room and offset); a send to a room not joined is rejected', async () => {
  const dan = client(host.url, { nickname: 'dan' });
  await connected(dan);
  await dan.join('acks');
  const seen = waitForMessage(dan, (m) => m.msg === 'ack me');
  const ack = await within(dan.sendToRoom('acks', 'ack me'), 5000, 'no ack for a room send with an id');
  assert.equal(ack.room, 'acks');
  assert.equal(ack.offset, (await seen).offset);
  await assert.rejects(within(dan.sendToRoom('elsewhere', 'x'), 5000, 'no error carrying the id'), (e) => e.code === 'not_in_room');
});

test('rooms: resume through a cut proxy, every message once and in order (v1 sender, no ids)', async () => {
  const proxy = await startProxy(host.wsPort);
  try {
    const eve = client(proxy.url, { nickname: 'eve', random: () => 0.2 });
    await connected(eve);
    await eve.join('resume');
    const got = [];
    const gaps = record(eve, 'gap');
    const recovered = record(eve, 'recovered');
    const take = (m) => { if (m.room === 'resume') got.push(m); };
    eve.on('message', take);
    eve.on('history', take);
    const sender = await raw(`ws://127.0.0.1:${host.wsPort}/websocket/frank`);
    sender.send({ type: 'join', room: 'resume' });
    await sender.waitFor((e) => e.type === 'joined');
    const total = 300;
    for (let i = 0; i < total; i++) {
      sender.send({ type: 'message', room: 'resume', msg: 'r' + i });
      if (i % 60 === 30) {
        // Once the receiver has r<i> on a live connection, cut it mid-stream.
        await waitForMessage(eve, (m) => m.msg === 'r' + i);
        while (recovered.length < proxy.cuts) await waitFor(eve, 'recovered'); // the last resume is over
        proxy.cut();
      }
    }
    sender.send({ type: 'message', room: 'resume', msg: 'end' });
    await waitForMessage(eve, (m) => m.msg === 'end', 20000);
    sender.close();
    assert.deepEqual(got.map((m) => m.msg), [...Array.from({ length: total }, (_, i) => 'r' + i), 'end']);
    for (let i = 1; i < got.length; i++) assert.equal(got[i].offset, got[i - 1].offset + 1);
    assert.deepEqual(gaps, []);
    // Every cut ends in a resume that recovered everything (the last one may end after 'end' arrived).
    while (recovered.length < proxy.cuts) await waitFor(eve, 'recovered');
    assert.equal(recovered.length, 5);
    assert.ok(recovered.every((r) => r.room === 'resume' && r.recovered === true));
  } finally {
    proxy.close();
  }
});
