// The exactly-once exchange shared by the exactly-once tests: two clients ("a" and "b") send `n`
// messages each while a proxy cuts every connection every 100–500 ms; each client must see every
// message of both senders once, in order, and each send must settle once with the offset its
// sender saw it at.
import assert from 'node:assert/strict';
import { within } from './helpers.mjs';

/**
 * Checks what one client receives: each sender's messages in order, none twice, none missing, no gap.
 * `until(na, nb)` resolves once `na` of a's and `nb` of b's have arrived; `offsets` maps each text to
 * the offset it arrived with.
 */
function receiver(c, who, isOurs) {
  const next = { a: 0, b: 0 };
  const offsets = new Map();
  const waiters = [];
  let failure;
  const fail = (err) => { failure ??= err; waiters.splice(0).forEach((w) => w.reject(err)); };
  c.on('gap', (g) => fail(new Error(`${who}: gap ${JSON.stringify(g)}`)));
  const take = (m) => {
    if (!isOurs(m)) return;
    const [from, i] = m.msg.split(':');
    if (Number(i) !== next[from]) return fail(new Error(`${who}: got ${m.msg} (offset ${m.offset}) when ${from}:${next[from]} was next`));
    next[from]++;
    offsets.set(m.msg, m.offset);
    for (const w of [...waiters]) if (next.a >= w.a && next.b >= w.b) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  };
  for (const type of ['message', 'history', 'private']) c.on(type, take);
  const until = (a, b) => failure ? Promise.reject(failure) : next.a >= a && next.b >= b ? Promise.resolve()
    : new Promise((resolve, reject) => waiters.push({ a, b, resolve, reject }));
  return { until, offsets };
}

/**
 * Runs the exchange. `send(client, text)` sends one message and returns the ack promise; `isOurs(m)`
 * picks the exchange's messages out of a client's events. `midway()`, when given, is awaited by a's
 * sender right after it sent the first message of its second half (so sends are in flight), and
 * receives how many sends were unsettled at that moment.
 */
export async function exchange({ a, b, proxy, n, send, isOurs, midway, timeout = 150000 }) {
  const at = { a: receiver(a, 'a', isOurs), b: receiver(b, 'b', isOurs) };
  const clients = { a, b };
  const acks = { a: [], b: [] };
  let unsettled = 0;
  const sendOne = (tag, text) => {
    unsettled++;
    const p = send(clients[tag], text).finally(() => { unsettled--; });
    acks[tag].push([text, p]);
    return p;
  };

  let cutting = true;
  let timer;
  const cutLater = () => { timer = setTimeout(() => { if (!cutting) return; proxy.cut(); cutLater(); }, 100 + Math.random() * 400); };
  cutLater();

  // The client takes a message in well under a millisecond, so unpaced the exchange could be over
  // before the first cut. Each sender sends one message every 2 ms instead, without waiting for acks:
  // the exchange spans seconds and a cut finds sends in flight. (The pace only shapes the load; every
  // check waits for events.)
  const tick = () => new Promise((resolve) => setTimeout(resolve, 2));
  const sendAll = async (tag) => {
    for (let i = 0; i < n; i++) {
      sendOne(tag, `${tag}:${i}`).catch(() => {});
      if (midway && tag === 'a' && i === Math.floor(n / 2)) await midway(unsettled);
      await tick();
    }
    await at[tag].until(tag === 'a' ? n : 0, tag === 'b' ? n : 0);
  };
  try {
    await within(Promise.all([sendAll('a'), sendAll('b')]), timeout, 'both senders seeing their own messages');
    await within(Promise.all([at.a.until(n, n), at.b.until(n, n)]), 30000, 'every message at both clients');
    for (const tag of ['a', 'b']) {
      const settled = await within(Promise.all(acks[tag].map(([, p]) => p)), 30000, `every ack of ${tag}`);
      assert.equal(new Set(settled.map((x) => x.offset)).size, n, `every send of ${tag} has its own offset`);
      acks[tag].forEach(([text], k) => assert.equal(settled[k].offset, at[tag].offsets.get(text), `${text}: the ack's offset is where its sender saw it`));
    }
  } finally {
    cutting = false;
    clearTimeout(timer);
  }
  // A last message each, with the connection left alone: nothing doubled arrived before it.
  const finals = [sendOne('a', `a:${n}`), sendOne('b', `b:${n}`)];
  await within(Promise.all([at.a.until(n + 1, n + 1), at.b.until(n + 1, n + 1), ...finals]), 30000, 'the final messages');
  assert.ok(proxy.cuts >= 3, `the proxy cut ${proxy.cuts} times`);
}
