/*
 * What the chat pages share: the address of the WebSocket (from /config.json and this page's own
 * host name), the token-in-fragment sign-in, the connection state line, message lines, the typing
 * line. The protocol itself (reconnect, resume, ids, acks) is the client's: /fleck-chat.min.js.
 * User text is only ever set with textContent, never parsed as HTML.
 */
export const $ = (id) => document.getElementById(id);

/** The WebSocket base the client connects to: this page's host name, the port and path /config.json names. */
export const socketBase = (config) =>
  (config.secure ? "wss://" : "ws://") + location.hostname + ":" + config.wsPort + config.wsPath;

/**
 * Takes #access_token=<jwt> out of the address bar and the history, so it is kept in memory only
 * (never in the address, the history or storage). Null when the page was opened without one.
 */
export function takeTokenFromAddress() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const value = fragment.get("access_token");
  if (value === null) return null;
  fragment.delete("access_token");
  const rest = fragment.toString();
  history.replaceState(history.state, "", location.pathname + location.search + (rest ? "#" + rest : ""));
  return value;
}

/** The token's claims, for showing the name and knowing when it expires; the server checks the token. */
export function tokenClaims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    return JSON.parse(json) || {};
  } catch { return {}; }
}

export function tokenExpired(token) {
  const exp = tokenClaims(token).exp;
  return typeof exp === "number" && exp * 1000 <= Date.now();
}

export function time(ts, withDate) {
  const d = ts ? new Date(ts) : new Date();
  const clock = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return !withDate || d.toDateString() === new Date().toDateString() ? clock : d.toLocaleDateString() + " " + clock;
}

export function hue(name) {
  let h = 0;
  for (const ch of String(name)) h = (h * 31 + ch.codePointAt(0)) % 360;
  return h;
}

export function avatar(name) {
  const span = document.createElement("span");
  span.className = "avatar";
  // The initial is drawn by CSS from a data attribute, so the list item's text stays just the name.
  span.dataset.initial = Array.from(String(name).trim())[0]?.toUpperCase() || "?";
  span.style.backgroundColor = "hsl(" + hue(name) + " 55% 48%)";
  return span;
}

/** A line of #messages: a message (.meta with .sender and .time, then .text) or a note (just text). */
export function line(kind, text, sender, ts, withDate) {
  const li = document.createElement("li");
  li.className = kind;
  if (sender === undefined) { li.textContent = text; return li; }
  const meta = document.createElement("span");
  meta.className = "meta";
  const who = document.createElement("span");
  who.className = "sender";
  who.textContent = sender;
  if (!kind.includes("own")) who.style.color = "hsl(" + hue(sender) + " 55% 38%)";
  const when = document.createElement("time");
  when.className = "time";
  when.textContent = time(ts, withDate);
  meta.append(who, when);
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  li.append(meta, body);
  return li;
}

/** An own message stays .pending until its ack; a refused one is shown .failed with the reason. */
export function settle(li, outcome) {
  outcome.then(
    (ack) => { li.classList.remove("pending"); if (ack.offset !== undefined) li.dataset.offset = String(ack.offset); },
    (err) => {
      li.classList.remove("pending");
      li.classList.add("failed");
      const reason = document.createElement("span");
      reason.className = "reason";
      reason.textContent = "not sent: " + err.message;
      li.append(reason);
    });
}

/**
 * The connection state on #status, whose class is exactly one of connecting | connected |
 * reconnecting | disconnected. Calls `lost(code)` when a connection that was up drops. `queues`:
 * the client keeps sends while reconnecting (not in broadcast mode).
 */
export function showState(status, sendButton, s, everConnected, lost, queues) {
  const [cls, text] =
    s.state === "connected" ? ["connected", "connected"]
      : s.state === "connecting" ? (everConnected ? ["reconnecting", "reconnecting…"] : ["connecting", "connecting…"])
        : s.state === "disconnected" ? ["reconnecting", "retry in " + Math.ceil((s.retryIn ?? 0) / 1000) + " s"]
          : ["disconnected", "not signed in"];
  const wasUp = status.className === "connected";
  status.className = cls;
  status.textContent = text;
  // Where the client keeps sends until it is back (every mode with ids), writing goes on meanwhile.
  sendButton.disabled = queues ? cls === "disconnected" || !everConnected : cls !== "connected";
  if (wasUp && cls !== "connected" && s.state !== "closed") lost(s.code);
}

export const lostText = (code) => "Connection lost" + (code === 1001 ? " (the server is restarting)" : "") + ". Reconnecting…";

/** Whether the person can see the conversation now: what is shown then counts as read. */
export const looking = () => document.visibilityState === "visible" && document.hasFocus();

/** "alice is typing…": who typed in which scope, each forgotten 3 s after their last notice. */
export function typingLine(element, currentScope) {
  const scopes = new Map();
  const render = () => {
    if (!element) return;
    const users = [...(scopes.get(currentScope())?.keys() ?? [])];
    element.textContent = users.length ? users.join(", ") + (users.length > 1 ? " are" : " is") + " typing…" : "";
  };
  const stop = (scope, user) => {
    const users = scopes.get(scope);
    if (!users?.has(user)) return;
    clearTimeout(users.get(user));
    users.delete(user);
    render();
  };
  return {
    render,
    stop,
    start(scope, user) {
      let users = scopes.get(scope);
      if (!users) scopes.set(scope, (users = new Map()));
      clearTimeout(users.get(user));
      users.set(user, setTimeout(() => stop(scope, user), 3000));
      render();
    },
  };
}

export function showLogin(error) {
  const status = $("status");
  status.className = "disconnected";
  status.textContent = "not signed in";
  $("chat").hidden = true;
  $("login-form").hidden = false;
  $("login-error").textContent = error || "";
  $("me").textContent = "";
  $("nickname").focus();
}

/** The nickname typed in the sign-in form, or null (and the reason shown) when it cannot be used. */
export function typedNickname() {
  const name = $("nickname").value.trim();
  const error = !name ? "Choose a nickname." : name.length > 32 ? "At most 32 characters." : "";
  $("login-error").textContent = error;
  return error ? null : name;
}

/**
 * A page's sign-in: counts the sessions its client got, shows the connection state, and ends the
 * sign-in (said once, no more reconnecting) when it cannot succeed, or shows the nickname form again.
 * `jwt`: signed in with `token`; `note(kind, text)` puts a line in the conversation; `queues`: sends
 * may be written while reconnecting.
 */
export class SignIn {
  sessions = 0;
  up = false;
  ended = false;
  loginError = null;
  client = null;

  constructor(jwt, token, note, queues) {
    this.jwt = jwt;
    this.queues = queues;
    this.token = token;
    this.note = note;
  }

  /** A state of the client: `lost(code)` is called when a connection that was up drops. */
  state(s, lost) {
    if (s.state === "connecting") this.up = false;
    if (s.state === "connected") { this.sessions++; this.up = true; }
    showState($("status"), $("send"), s, this.sessions > 0, lost, this.queues);
    if (this.ended) return;
    const refused = s.code === 4001 || s.code === 4002;
    // The browser does not show why a handshake failed: with a token, a first connection that never
    // signed in, or any once the token's time is up, means the sign-in was refused; retrying cannot change that.
    if (this.jwt && s.state === "disconnected" && !this.up && (this.sessions === 0 || tokenExpired(this.token))) this.end("Your sign-in was refused or has expired.");
    else if (s.state !== "closed") return;
    else if (s.code === 4401) this.end("Your session expired, sign in again.");
    else if (refused && !this.jwt) showLogin(this.loginError || s.reason || "That nickname cannot be used.");
    else if (refused) this.end(this.loginError || s.reason || "Your name cannot be used here.");
    else this.end("Disconnected: " + (s.reason || "the server closed the connection") + ".");
  }

  /** Sign-in is over for this page: say why once and stop reconnecting. */
  end(text) {
    this.ended = true;
    this.client?.close();
    const status = $("status");
    status.className = "disconnected";
    status.textContent = "not signed in";
    $("send").disabled = true;
    this.note("error", text);
  }
}

/** Loads a page of older messages and hands each, newest first, to `show`; returns whether more are kept. */
export async function loadOlderPage(button, query, show, fail) {
  button.disabled = true;
  try {
    const page = await query();
    for (const m of [...page.messages].reverse()) show(m);
    return page.more && page.messages.length > 0;
  } catch (err) {
    fail("Could not load older messages: " + err.message);
    return true;
  } finally {
    button.disabled = false;
  }
}

/**
 * Starts a page: fetches /config.json, then calls `ready(config, signIn, name)`: `name` is the
 * token's name with identity on (the page connects only when `token` is set; else it says so),
 * undefined without (the page asks for a nickname, or needs none).
 */
export function boot(token, note, queues, ready) {
  fetch("/config.json")
    .then((r) => r.json())
    .then((config) => {
      const signIn = new SignIn(config.auth === "jwt", token, note, queues);
      if (config.auth !== "jwt") { ready(config, signIn, undefined); return; }
      const claims = token ? tokenClaims(token) : {};
      ready(config, signIn, String(claims.name ?? claims.sub ?? ""));
      if (!token) signIn.end("Sign-in required: open this page with the link that carries your access token.");
    })
    .catch(() => { const status = $("status"); status.className = "disconnected"; status.textContent = "server unreachable"; });
}
