// The exactly-once run: two clients exchange 1,000 messages each way in a room through a proxy that
// cuts every connection at a random moment every 100–500 ms. Each must see every message once, in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { client, closeAll, connected, startHost, startProxy, within } from './helpers.mjs';

let host;
let proxy;
before(async () => {
  host = await startHost('rooms', '--rate', '0', '--retain', '5000');
  proxy = await startProxy(host.wsPort);
});
after(() => { closeAll(); proxy?.close(); host?.stop(); });

test('exactly once through a connection cut every 100–500 ms: 1,000 messages each way', { timeout: 180000 }, async () => {
  const N = 1000;
  const a = client(proxy.url, { nickname: 'alice' });
  const b = client(proxy.url, { nickname: 'bob' });
  await Promise.all([connected(a), connected(b)]);
  await Promise.all([a.join('once'), b.join('once')]);

  let cutting = true;
  let timer;
  const cutLater = () => { timer = setTimeout(() => { if (!cutting) return; proxy.cut(); cutLater(); }, 100 + Math.random() * 400); };
  cutLater();

  // Each client checks every message it receives: each sender's in order, none twice, none missing.
  const seen = new Map();
  const receiver = (c, who) => {
    const next = { a: 0, b: 0 };
    const waiters = [];
    let failure;
    const fail = (err) => { failure ??= err; waiters.splice(0).forEach((w) => w.reject(err)); };
    c.on('gap', (g) => fail(new Error(`${who}: gap ${JSON.stringify(g)}`)));
    const take = (m) => {
      if (m.room !== 'once') return;
      const [from, i] = m.msg.split(':');
      if (Number(i) !== next[from]) return fail(new Error(`${who}: got ${m.msg} (offset ${m.offset}) when ${from}:${next[from]} was next`));
      next[from]++;
      for (const w of [...waiters]) if (next.a >= w.a && next.b >= w.b) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    };
    c.on('message', take);
    c.on('history', take);
    /** Resolves once `a` messages from alice and `b` from bob have arrived, in order. */
    const until = (a, b) => failure ? Promise.reject(failure) : next.a >= a && next.b >= b ? Promise.resolve()
      : new Promise((resolve, reject) => waiters.push({ a, b, resolve, reject }));
    seen.set(who, next);
    return until;
  };
  const atA = receiver(a, 'alice');
  const atB = receiver(b, 'bob');
  const acks = [];
  // Each sender writes in batches of 20, the next once its own previous batch came back, so the
  // run spans many cuts and sends are often in flight when one comes.
  const sendAll = async (c, tag, until) => {
    for (let i = 0; i < N; i += 20) {
      for (let j = i; j < i + 20; j++) acks.push(c.sendToRoom('once', `${tag}:${j}`));
      await until(tag === 'a' ? i + 20 : 0, tag === 'b' ? i + 20 : 0);
    }
  };
  try {
    await within(Promise.all([sendAll(a, 'a', atA), sendAll(b, 'b', atB)]), 150000, 'both senders seeing their own messages');
    await within(Promise.all([atA(N, N), atB(N, N)]), 30000, 'every message at both clients');
    const settled = await within(Promise.all(acks), 30000, 'every ack');
    assert.equal(new Set(settled.map((x) => x.offset)).size, 2 * N, 'every send has its own offset');
  } finally {
    cutting = false;
    clearTimeout(timer);
  }
  // A last message each, with the connection left alone: nothing doubled arrived before it.
  a.sendToRoom('once', `a:${N}`).catch(() => {});
  b.sendToRoom('once', `b:${N}`).catch(() => {});
  await within(Promise.all([atA(N + 1, N + 1), atB(N + 1, N + 1)]), 30000, 'the final messages');
  assert.ok(proxy.cuts >= 3, `the proxy cut ${proxy.cuts} times`);
});
