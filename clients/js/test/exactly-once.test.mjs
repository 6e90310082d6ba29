// The exactly-once runs: two clients exchange messages through a proxy that cuts every connection at
// a random moment every 100–500 ms — in a room, privately, across a host restart with --store, and
// across two hosts on one redis-server. Each must see every message once, in order.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SECRET, client, closeAll, connected, freePort, startHost, startProxy, startRedis, tokenFor } from './helpers.mjs';
import { exchange } from './exchange.mjs';

// What each test started, stopped after it (clients first, so no reconnect lands on a dying host).
let cleanup = [];
afterEach(() => {
  closeAll();
  for (const stop of cleanup.reverse()) stop();
  cleanup = [];
});
const owned = (thing, stop) => { cleanup.push(stop); return thing; };

// The clients reconnect after every cut; a short backoff keeps the runs quick (the policy is the same),
// and bounds the wait after a host restart, when the attempts in between fail and the backoff grows.
const quick = { backoffBase: 100, backoffMax: 1000 };

const inRoom = {
  send: (c, text) => c.sendToRoom('once', text),
  isOurs: (m) => m.room === 'once',
};

async function roomPair(url) {
  const a = client(url, { nickname: 'alice', ...quick });
  const b = client(url, { nickname: 'bob', ...quick });
  await Promise.all([connected(a), connected(b)]);
  await Promise.all([a.join('once'), b.join('once')]);
  return { a, b };
}

/** alice and bob, signed in with tokens, exchange private messages. */
async function privateExchange(proxy, midway) {
  const a = client(proxy.url, { token: tokenFor('alice'), ...quick });
  const b = client(proxy.url, { token: tokenFor('bob'), ...quick });
  await Promise.all([connected(a), connected(b)]);
  const to = new Map([[a, 'bob'], [b, 'alice']]);
  await exchange({
    a, b, proxy, n: 1000, midway,
    send: (c, text) => c.sendPrivate(to.get(c), text),
    // Each inbox holds both directions: the v=3 sender gets its own sends as echoes.
    isOurs: (m) => typeof m.to_client === 'string',
  });
}

test('Room messages through a flapping network arrive once each, in order: 1,000 each way', { timeout: 180000 }, async () => {
  const host = owned(await startHost('rooms', '--rate', '0', '--retain', '5000'), () => host.stop());
  const proxy = owned(await startProxy(host.wsPort), () => proxy.close());
  const { a, b } = await roomPair(proxy.url);
  await exchange({ a, b, proxy, n: 1000, ...inRoom });
});

test('Private messages through a flapping network arrive once each, in order: 1,000 each way', { timeout: 180000 }, async () => {
  const host = owned(await startHost('private', '--rate', '0', '--retain', '5000', '--jwt-secret', SECRET), () => host.stop());
  const proxy = owned(await startProxy(host.wsPort), () => proxy.close());
  await privateExchange(proxy);
});

/**
 * The exchange through a host with --store that is stopped cleanly midway, while sends are in flight, and
 * started again on the same ports with the same file; the proxy stays, so the clients reconnect to it.
 */
async function acrossARestart(mode, extra, run) {
  const folder = mkdtempSync(path.join(tmpdir(), 'fleck-chat-once-'));
  cleanup.push(() => rmSync(folder, { recursive: true, force: true }));
  const [port, httpPort] = [await freePort(), await freePort()];
  const args = ['--rate', '0', '--retain', '5000', '--store', path.join(folder, 'chat.db'), '--port', String(port), '--http-port', String(httpPort), ...extra];
  let host = await startHost(mode, ...args);
  cleanup.push(() => host.stop());
  const proxy = owned(await startProxy(port), () => proxy.close());
  let inFlight = -1;
  await run(proxy, async (unsettled) => {
    inFlight = unsettled;
    assert.equal(await host.terminate(), 0, 'the host stops cleanly');
    host = await startHost(mode, ...args);
  });
  assert.ok(inFlight > 0, `sends were in flight at the restart (${inFlight})`);
}

test('Room messages through a flapping network and a host restart with --store arrive once each, in order', { timeout: 180000 }, () =>
  acrossARestart('rooms', [], async (proxy, midway) => {
    const { a, b } = await roomPair(proxy.url);
    await exchange({ a, b, proxy, n: 1000, midway, ...inRoom });
  }));

test('Private messages through a flapping network and a host restart with --store arrive once each, in order', { timeout: 180000 }, () =>
  acrossARestart('private', ['--jwt-secret', SECRET], privateExchange));

test('Room messages through a flapping network with each reconnect sent to the other host arrive once each, in order', { timeout: 180000 }, async () => {
  const redis = owned(await startRedis(), () => redis.stop());
  const args = ['--rate', '0', '--retain', '5000', '--redis', redis.configuration];
  const hosts = await Promise.all([startHost('rooms', ...args), startHost('rooms', ...args)]);
  cleanup.push(() => hosts.forEach((h) => h.stop()));
  const proxy = owned(await startProxy(hosts.map((h) => h.wsPort)), () => proxy.close());
  const { a, b } = await roomPair(proxy.url);
  await exchange({ a, b, proxy, n: 1000, ...inRoom });
  assert.ok(proxy.connections >= 6, `reconnects went to both hosts (${proxy.connections} connections)`);
});

test('Private messages through a flapping network with each reconnect sent to the other host arrive once each, in order', { timeout: 180000 }, async () => {
  const redis = owned(await startRedis(), () => redis.stop());
  const args = ['--rate', '0', '--retain', '5000', '--jwt-secret', SECRET, '--redis', redis.configuration];
  const hosts = await Promise.all([startHost('private', ...args), startHost('private', ...args)]);
  cleanup.push(() => hosts.forEach((h) => h.stop()));
  const proxy = owned(await startProxy(hosts.map((h) => h.wsPort)), () => proxy.close());
  await privateExchange(proxy);
});


