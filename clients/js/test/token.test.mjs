// Identity against a real host (rooms mode, --jwt-secret): token sign-in, 4401 and a new token, live refresh.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET, client, closeAll, connected, raw, record, startHost, tokenFor, waitFor, waitForMessage } from './helpers.mjs';

let host;
before(async () => { host = await startHost('rooms', '--jwt-secret', SECRET); });
after(() => { closeAll(); host?.stop(); });

test('token: signs in with a token, and with getToken', async () => {
  const anna = client(host.url, { token: tokenFor('anna') });
  const users = await connected(anna);
  assert.equal(users.you, 'anna');
  let calls = 0;
  const ben = client(host.url, { getToken: async () => { calls++; return tokenFor('ben'); } });
  assert.equal((await connected(ben)).you, 'ben');
  assert.equal(calls, 1);
  const refused = client(host.url, { token: tokenFor('carl', 600, 'another-secret-another-secret-another!'), reconnect: false });
  const closed = waitFor(refused, 'state', (s) => s.state === 'closed');
  refused.connect();
  await closed;
});

test('token: closed with 4401 at exp, a new token is fetched and the client reconnects', async () => {
  const tokens = [];
  const dora = client(host.url, {
    getToken: async () => {
      // The first token is short; the refresh before its exp gets a bad one (refused), so the
      // server ends the connection with 4401; the token after that is good.
      const t = tokens.length === 0 ? tokenFor('dora', 3) : tokens.length === 1 ? tokenFor('dora', 600, 'not-the-secret-not-the-secret-not-the!') : tokenFor('dora', 600);
      tokens.push(t);
      return t;
    },
  });
  await connected(dora);
  await dora.join('expiry');
  const expired = waitFor(dora, 'state', (s) => s.state === 'disconnected', 15000);
  const back = waitFor(dora, 'joined', (e) => e.room === 'expiry', 20000);
  const s = await expired;
  assert.equal(s.code, 4401);
  await back;
  assert.equal(dora.state, 'connected');
  assert.equal(tokens.length, 3);
});

test('refresh: a new token over the live connection keeps it open past the old exp', async () => {
  let calls = 0;
  // The first token lives 12 s, renewed 4 s before its exp: room for a loaded machine to deliver the refresh.
  const first = tokenFor('erin', 12);
  const erin = client(host.url, { getToken: async () => (++calls === 1 ? first : tokenFor('erin', 600)) });
  const states = record(erin, 'state');
  await connected(erin);
  await erin.join('fresh');
  const refreshed = await waitFor(erin, 'refreshed', () => true, 20000);
  assert.ok(refreshed.exp > Date.now() / 1000 + 500);
  // A second connection of erin's with the first token: its 4401 shows the old deadline passed.
  const old = await raw(`ws://127.0.0.1:${host.wsPort}/websocket?access_token=${first}`);
  await new Promise((resolve) => old.ws.on('close', (code) => { assert.equal(code, 4401); resolve(); }));
  const marker = waitForMessage(erin, (m) => m.msg === 'still here');
  erin.sendToRoom('fresh', 'still here').catch(() => {});
  await marker;
  assert.deepEqual(states.map((x) => x.state), ['connecting', 'connected']);
});
