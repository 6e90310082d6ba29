// Shared test support: a real Chat.Host process, a cuttable TCP proxy, event waiting, HS256 tokens.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ChatClient } from '../dist/index.js';

export { WebSocket, ChatClient };

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const hostDll = path.join(repo, 'Chat.Host/bin/Debug/net10.0/Chat.Host.dll');
const BANNER = /http:\/\/\S+:(\d+)\/chat.*wss?:\/\/\S+:(\d+)\/websocket/;

export const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';

function ensureBuilt() {
  if (existsSync(hostDll)) return;
  const env = { ...process.env, MSBUILDDISABLENODEREUSE: '1', DOTNET_CLI_USE_MSBUILD_SERVER: '0', DOTNET_NOLOGO: '1' };
  const r = spawnSync('dotnet', ['build', 'Chat.Host', '-c', 'Debug'], { cwd: repo, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('dotnet build Chat.Host failed');
}

const running = new Set();
process.on('exit', () => { for (const p of running) try { process.kill(p, 'SIGKILL'); } catch { } });

/**
 * Starts Chat.Host on loopback with OS-chosen ports and waits for its banner, as
 * Chat.Testing/HostProcess.cs does. Returns its ports and a stop() that kills it by PID.
 */
export async function startHost(mode, ...args) {
  ensureBuilt();
  const env = { ...process.env };
  delete env.FLECK_CHAT_API_KEY;
  delete env.FLECK_CHAT_JWT_SECRET;
  // Ports given in args (a host restarted on the same ports) take the place of the OS-chosen ones.
  const ports0 = [['--port', '0'], ['--http-port', '0']].filter(([flag]) => !args.includes(flag)).flat();
  const child = spawn('dotnet', [hostDll, '--mode', mode, '--host', '127.0.0.1', ...ports0, '--log-level', 'Warning', ...args],
    { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child.pid);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const ports = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('no banner within 30 s: ' + out + stderr)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = BANNER.exec(out);
      if (m) { clearTimeout(timer); resolve({ http: Number(m[1]), ws: Number(m[2]) }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`host exited (${code}) before its banner: ${stderr}`)); });
  });
  child.stdout.resume();
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return {
    pid: child.pid,
    wsPort: ports.ws,
    httpPort: ports.http,
    url: `ws://127.0.0.1:${ports.ws}`,
    stderr: () => stderr,
    stop() {
      running.delete(child.pid);
      try { process.kill(child.pid, 'SIGKILL'); } catch { }
    },
    /** A clean stop (SIGTERM): resolves with the exit code once the process is gone. */
    async terminate() {
      try { process.kill(child.pid, 'SIGTERM'); } catch { }
      const code = await exited;
      running.delete(child.pid);
      return code;
    },
  };
}

const isFree = (port) => new Promise((resolve) => {
  const probe = net.createServer();
  probe.once('error', () => resolve(false));
  probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
});

/**
 * A free loopback port below the kernel's ephemeral range, for a server that is stopped and started
 * again on the same port: port 0 hands out ephemeral ports, which any outgoing connection may take
 * while the server is down (as Chat.Testing/LoopbackPorts.cs explains).
 */
export async function freePort() {
  for (;;) {
    const port = 10000 + Math.floor(Math.random() * 20000);
    if (port !== 10080 && await isFree(port)) return port;
  }
}

/** A redis-server on a free loopback port, with no persistence; stop() kills it. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child.pid);
  await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('redis-server not ready within 10 s: ' + out)), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited (${code}): ${out}`)); });
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    port,
    configuration: `127.0.0.1:${port}`,
    stop() {
      running.delete(child.pid);
      try { process.kill(child.pid, 'SIGKILL'); } catch { }
    },
  };
}

/**
 * A TCP proxy to 127.0.0.1:port whose connections can all be cut at once. Given a list of ports, each
 * new connection goes to the next one in turn (a reconnect lands on the other host).
 */
export async function startProxy(port) {
  const ports = Array.isArray(port) ? port : [port];
  const sockets = new Set();
  let cuts = 0;
  let connections = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(ports[connections++ % ports.length], '127.0.0.1');
    sockets.add(client); sockets.add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', drop); upstream.on('error', drop);
    client.on('close', drop); upstream.on('close', drop);
    client.pipe(upstream); upstream.pipe(client);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    url: `ws://127.0.0.1:${server.address().port}`,
    get cuts() { return cuts; },
    /** How many connections came through (each went to the next upstream port). */
    get connections() { return connections; },
    get open() { return sockets.size; },
    /** Destroys every connection through the proxy (the client sees an abnormal close); counted when there was one. */
    cut() { if (sockets.size > 0) cuts++; for (const s of [...sockets]) s.destroy(); sockets.clear(); },
    close() { for (const s of sockets) s.destroy(); server.close(); },
  };
}

/** A client on ws; closed by closeAll(). */
const clients = new Set();
export function client(url, options = {}) {
  const c = new ChatClient(url, { WebSocket, ...options });
  clients.add(c);
  return c;
}
export function closeAll() {
  for (const c of clients) c.close();
  clients.clear();
}

/** Resolves with the first `type` event of `c` that matches `pred`; rejects after `ms`. */
export function waitFor(c, type, pred = () => true, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timed out after ${ms} ms waiting for a '${type}' event`)); }, ms);
    const off = c.on(type, (e) => {
      if (!pred(e)) return;
      clearTimeout(timer); off(); resolve(e);
    });
  });
}

/** Rejects with `what` after `ms` unless `promise` settles first. */
export function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** Every `type` event of `c`, in order. */
export function record(c, type) {
  const list = [];
  c.on(type, (e) => list.push(e));
  return list;
}

/** Connects and resolves once `users` arrived. */
export async function connected(c, ms = 10000) {
  const users = waitFor(c, 'users', () => true, ms);
  c.connect();
  return users;
}

const b64url = (s) => Buffer.from(s).toString('base64url');

/** An HS256 JWT. */
export function sign(payload, secret = SECRET) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** A token for `name` valid for `seconds`. */
export function tokenFor(name, seconds = 600, secret = SECRET) {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: name, name, iat: now, exp: now + seconds }, secret);
}

/** A raw v1 connection (no ids, no v=3): resolves once its first event arrived, with the socket and its events. */
export function raw(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const events = [];
    const waiters = [];
    ws.on('message', (d) => {
      const e = JSON.parse(String(d));
      events.push(e);
      for (const w of [...waiters]) if (w.pred(e)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(e); }
      if (events.length === 1) resolve(api);
    });
    ws.on('error', reject);
    const api = {
      ws, events,
      send: (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)),
      waitFor(pred, ms = 10000) {
        const found = events.find(pred);
        if (found) return Promise.resolve(found);
        return within(new Promise((res) => waiters.push({ pred, resolve: res })), ms, 'raw event');
      },
      close: () => ws.close(),
    };
  });
}

/** Resolves with the first chat message (live or from history) of `c` that matches `pred`. */
export function waitForMessage(c, pred, ms = 10000) {
  return new Promise((resolve, reject) => {
    const offs = [];
    const done = (f) => { clearTimeout(timer); offs.forEach((o) => o()); f(); };
    const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${ms} ms waiting for a message`))), ms);
    for (const type of ['message', 'history', 'private']) offs.push(c.on(type, (m) => { if (pred(m)) done(() => resolve(m)); }));
  });
}
