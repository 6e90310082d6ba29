/*
 * The chat page of every mode. The mode comes from <body data-mode="...">; the WebSocket URL is
 * built from /config.json (port, path, ws or wss) and this page's own host name, so no address is
 * written anywhere. User text is only ever set with textContent, never parsed as HTML.
 *
 * Stable element ids and classes (the browser tests rely on them):
 *   #status           connection state; its class is exactly one of
 *                     connecting | connected | reconnecting | disconnected
 *   #login-form       nickname form: #nickname input, #login button, #login-error text (nickname modes)
 *   #chat             the conversation, shown once signed in
 *   #me               who I am signed in as
 *   #messages li      one per line; classes: .message (someone's text), .own (mine), .history
 *                     (sent before I joined), .system (joins, leaves, notices; .missing says some
 *                     messages may be missing after a reconnect), .error, .divider;
 *                     a message holds .meta (.sender and .time) and .text
 *   #users li         people online (.me is me; .selected is the private recipient); #user-count
 *   #users-toggle     shows the online list on a narrow screen
 *   #to               private mode: recipient picker (also set by clicking a #users li)
 *   #composer         form with the #msg input and the #send button; Enter sends
 *
 * Sign-in (when /config.json says "auth":"jwt"): the page is opened with #access_token=<jwt> in
 * its address; it takes the token from there, removes it from the address bar and the history,
 * connects with ?access_token= and uses the token's name (no nickname form). A refused or expired
 * token is said once on screen, without reconnecting.
 *
 * Resuming (nick-broadcast): when the server numbers its messages (an "epoch" on users, an "offset"
 * on every message and history event), the page remembers the epoch and the highest offset seen,
 * and every reconnect asks for what came after it (?since=<offset>&epoch=<epoch>). Each offset is
 * shown once, in order; when the server answers {"type":"recovered","recovered":false} the page
 * says that some messages may be missing. Without offsets (other modes) none of this applies.
 */
(() => {
  "use strict";
  const mode = document.body.dataset.mode;
  const nicknames = mode !== "broadcast";
  const $ = (id) => document.getElementById(id);
  const status = $("status"), messages = $("messages"), usersList = $("users"), to = $("to");
  const input = $("msg"), sendButton = $("send");
  const baseTitle = document.title;

  // Close codes after which reconnecting with the same nickname cannot help (taken, invalid).
  const LOGIN_REFUSED = new Set([4001, 4002]);
  const LOGIN_ERRORS = new Set(["nickname_taken", "invalid_nickname"]);
  const MAX_BACKOFF_MS = 30000;

  let config = null, socket = null, me = null;
  // The access token, kept in memory only: never in the address bar, the history or storage.
  const token = takeTokenFromAddress();
  let opened = false, signInEnded = false;
  let attempt = 0, reconnectTimer = null, sessions = 0, loginError = null;
  let online = [], historyDivider = false, unread = 0;
  // Joins and leaves that arrive before this session's users list; applied on top of it.
  let presenceBeforeList = null;
  const pendingOwn = []; // broadcast echoes my text back to me: this recognises it as mine
  const shown = new Set(), shownOrder = []; // messages on screen, so a replayed history skips them
  const MAX_REMEMBERED = 2000;
  // Where this page is in the chat's numbered stream: its epoch (null until the server names one),
  // the highest offset shown, and the offset the first welcome covered (history older than what
  // the server keeps was never going to be shown, so resuming from there loses nothing).
  const stream = { epoch: null, shown: 0, covered: 0 };
  let resuming = false, welcomeOffset = 0;

  // ---- rendering ----

  function setStatus(state, text) {
    status.className = state;
    status.textContent = text || state;
    sendButton.disabled = state !== "connected";
  }

  function time(ts) {
    const d = ts ? new Date(ts) : new Date();
    const clock = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return d.toDateString() === new Date().toDateString() ? clock : d.toLocaleDateString() + " " + clock;
  }

  function hue(name) {
    let h = 0;
    for (const ch of String(name)) h = (h * 31 + ch.codePointAt(0)) % 360;
    return h;
  }

  function avatar(name) {
    const span = document.createElement("span");
    span.className = "avatar";
    // The initial is drawn by CSS from a data attribute, so the list item's text stays just the name.
    span.dataset.initial = Array.from(String(name).trim())[0]?.toUpperCase() || "?";
    span.style.backgroundColor = "hsl(" + hue(name) + " 55% 48%)";
    return span;
  }

  function add(li) {
    const stick = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 60;
    messages.appendChild(li);
    if (stick || li.classList.contains("own")) messages.scrollTop = messages.scrollHeight;
    return li;
  }

  function addMessage(kind, text, sender, ts, color) {
    const li = document.createElement("li");
    li.className = kind;
    const meta = document.createElement("span");
    meta.className = "meta";
    const who = document.createElement("span");
    who.className = "sender";
    who.textContent = sender;
    if (color !== undefined && !kind.includes("own")) who.style.color = "hsl(" + hue(color) + " 55% 38%)";
    const when = document.createElement("time");
    when.className = "time";
    when.textContent = time(ts);
    meta.append(who, when);
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    li.append(meta, body);
    if (!kind.includes("own") && !kind.includes("history")) noticeUnread();
    return add(li);
  }

  function addNote(kind, text) {
    const li = document.createElement("li");
    li.className = kind;
    li.textContent = text;
    return add(li);
  }

  function noticeUnread() {
    if (!document.hidden) return;
    unread++;
    document.title = "(" + unread + ") " + baseTitle;
  }

  function renderUsers() {
    if (!usersList) return;
    usersList.replaceChildren();
    for (const name of online) {
      const li = document.createElement("li");
      li.append(avatar(name), document.createTextNode(name));
      if (name === me) li.classList.add("me");
      if (to && name !== me) {
        li.classList.add("selectable");
        li.tabIndex = 0;
        if (to.value === name) li.classList.add("selected");
        const pick = () => { to.value = name; renderUsers(); input.focus(); document.querySelector("aside")?.classList.remove("open"); };
        li.addEventListener("click", pick);
        li.addEventListener("keydown", (e) => { if (e.key === "Enter") pick(); });
      }
      usersList.appendChild(li);
    }
    $("user-count").textContent = online.length ? "(" + online.length + ")" : "";
    const toggle = $("users-toggle");
    if (toggle) toggle.textContent = "Online " + online.length;
    if (to) renderRecipients();
  }

  function renderRecipients() {
    const chosen = to.value;
    const others = online.filter((n) => n !== me);
    const placeholder = new Option(others.length ? "Send to…" : "Nobody else online", "");
    to.replaceChildren(placeholder, ...others.map((n) => new Option(n, n)));
    to.value = others.includes(chosen) ? chosen : (others.length === 1 ? others[0] : "");
  }

  // ---- connection ----

  function socketUrl() {
    const base = (config.secure ? "wss://" : "ws://") + location.hostname + ":" + config.wsPort + config.wsPath;
    const query = new URLSearchParams();
    if (signedIn()) query.set("access_token", token);
    resuming = stream.epoch !== null;
    if (resuming) {
      query.set("since", String(Math.max(stream.shown, stream.covered)));
      query.set("epoch", stream.epoch);
    }
    const path = signedIn() || !nicknames ? base : base + "/" + encodeURIComponent(me);
    const search = query.toString();
    return search ? path + "?" + search : path;
  }

  function signedIn() { return config && config.auth === "jwt"; }

  function takeTokenFromAddress() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const value = fragment.get("access_token");
    if (value === null) return null;
    fragment.delete("access_token");
    const rest = fragment.toString();
    history.replaceState(history.state, "", location.pathname + location.search + (rest ? "#" + rest : ""));
    return value;
  }

  /** The token's claims, for showing the name and knowing when it expires; the server checks the token. */
  function tokenClaims() {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
      return JSON.parse(json) || {};
    } catch { return {}; }
  }

  function tokenExpired() {
    const exp = tokenClaims().exp;
    return typeof exp === "number" && exp * 1000 <= Date.now();
  }

  /** Sign-in is over for this page: say why once and stop reconnecting. */
  function endSignIn(text) {
    signInEnded = true;
    setStatus("disconnected", "not signed in");
    addNote("error", text);
  }

  function connect() {
    if (signInEnded) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setStatus(attempt === 0 ? "connecting" : "reconnecting", attempt === 0 ? "connecting…" : "reconnecting…");
    const ws = new WebSocket(socketUrl());
    socket = ws;
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      sessions++;
      historyDivider = false;
      presenceBeforeList = [];
      setStatus("connected");
      if (!nicknames) addNote("system", sessions === 1 ? "Connected. Everyone here sees what you write." : "Reconnected.");
    };
    ws.onmessage = (event) => { if (socket === ws) onMessage(event.data); };
    ws.onclose = (event) => { if (socket === ws) onClosed(event); };
  }

  function onClosed(event) {
    socket = null;
    pendingOwn.length = 0;
    const wasOpen = opened;
    opened = false;
    if (signedIn()) {
      if (event.code === 4401) { endSignIn("Your session expired, sign in again."); return; }
      // The browser does not show why a handshake failed: a first connection that never opened, or
      // any once the token's time is up, means the sign-in was refused; retrying cannot change that.
      if (!wasOpen && (sessions === 0 || tokenExpired())) { endSignIn("Your sign-in was refused or has expired."); return; }
      if (LOGIN_REFUSED.has(event.code)) { endSignIn(loginError || event.reason || "Your name cannot be used here."); return; }
    }
    if (LOGIN_REFUSED.has(event.code)) {
      setStatus("disconnected", "not signed in");
      showLogin(loginError || event.reason || "That nickname cannot be used.");
      return;
    }
    // Exponential backoff with jitter, so a restarted server is not hit by every page at once.
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
    if (attempt === 0) addNote("system", "Connection lost" + (event.code === 1001 ? " (the server is restarting)" : "") + ". Reconnecting…");
    attempt++;
    setStatus("reconnecting", "retry in " + Math.ceil(delay / 1000) + " s");
    reconnectTimer = setTimeout(connect, delay);
  }

  function onMessage(data) {
    if (!nicknames) {
      const own = pendingOwn.length > 0 && pendingOwn[0] === data;
      if (own) pendingOwn.shift();
      addMessage(own ? "message own" : "message", data, own ? "You" : "Anonymous");
      return;
    }
    let event;
    try { event = JSON.parse(data); } catch { addNote("error", "Unreadable message from the server."); return; }
    switch (event.type) {
      case "users":
        if (signedIn() && typeof event.you === "string") { me = event.you; showChat(); }
        welcome(event);
        online = Array.isArray(event.users) ? [...event.users] : [];
        // The list is a snapshot; someone who joined or left while it was taken may already
        // have been announced, so those announcements are applied on top of it.
        for (const change of presenceBeforeList || []) applyPresence(change);
        presenceBeforeList = null;
        renderUsers();
        addNote("system", event.msg);
        break;
      case "join":
      case "leave":
        if (presenceBeforeList) presenceBeforeList.push(event); else applyPresence(event);
        renderUsers();
        addNote("system", event.msg);
        break;
      case "history":
        // Already on screen, e.g. from before a reconnect: known by its offset, else by its content.
        if (numbered(event) ? !takeOffset(event) : !remember(event)) break;
        if (!historyDivider) {
          addNote("divider", sessions > 1 ? "While you were away" : "Earlier messages");
          historyDivider = true;
        }
        addMessage(event.name === me ? "message own history" : "message history", event.msg, event.name, event.ts, event.name);
        break;
      case "message":
        // A live message is sent once; one numbered at or below what is shown means the chat's
        // stream started over (its store lost it, e.g. Redis restarted empty): show it and count on from it.
        if (numbered(event)) stream.shown = event.offset;
        remember(event);
        addMessage(event.name === me ? "message own" : "message", event.msg, event.name, event.ts, event.name);
        break;
      case "private":
        addMessage("message", event.msg, event.name + " → you", event.ts, event.name);
        if (to && !to.value && online.includes(event.name)) { to.value = event.name; renderUsers(); }
        break;
      case "recovered":
        // The resume is over: what the welcome covered is on screen or said to be missing.
        stream.covered = Math.max(stream.covered, welcomeOffset);
        if (event.recovered === false) addNote("system missing", "Some messages may be missing: the chat could not replay everything you missed while disconnected.");
        break;
      case "error":
        if (LOGIN_ERRORS.has(event.code)) loginError = event.msg;
        else addNote("error", event.msg);
        break;
      default:
        if (typeof event.msg === "string") addMessage("message", event.msg, String(event.name ?? "server"), event.ts);
    }
  }

  function applyPresence(event) {
    if (event.type === "join" && !online.includes(event.user)) online.push(event.user);
    if (event.type === "leave") online = online.filter((n) => n !== event.user);
  }

  /** Takes the stream's position from the welcome: its epoch and the latest offset it covers. */
  function welcome(event) {
    if (typeof event.epoch !== "string") return; // the server does not number this chat
    if (event.epoch !== stream.epoch) {
      // A new stream (first sign-in, or the chat lost its history): its offsets start over.
      stream.epoch = event.epoch;
      stream.shown = 0;
      stream.covered = 0;
    }
    welcomeOffset = typeof event.offset === "number" ? event.offset : 0;
    // Without a resume the history that follows covers everything up to the welcome's offset.
    if (!resuming) stream.covered = Math.max(stream.covered, welcomeOffset);
  }

  function numbered(event) { return typeof event.offset === "number"; }

  /** Notes a numbered message as shown; false if its offset already was (offsets arrive in order). */
  function takeOffset(event) {
    if (event.offset <= stream.shown) return false;
    stream.shown = event.offset;
    return true;
  }

  /** Notes a chat message as shown; false if it already was. */
  function remember(event) {
    const key = event.ts + "\u0000" + event.name + "\u0000" + event.msg;
    if (shown.has(key)) return false;
    shown.add(key);
    shownOrder.push(key);
    if (shownOrder.length > MAX_REMEMBERED) shown.delete(shownOrder.shift());
    return true;
  }

  function send() {
    const text = input.value;
    if (!text.trim() || !socket || socket.readyState !== WebSocket.OPEN) return;
    if (mode === "private") {
      const target = to.value;
      if (!target) { addNote("error", "Pick who the message is for: click someone in the online list."); return; }
      socket.send(JSON.stringify({ msg: text, to_client: target }));
      addMessage("message own", text, "you → " + target); // the server sends the sender no echo
    } else if (nicknames) {
      socket.send(JSON.stringify({ msg: text }));
    } else {
      pendingOwn.push(text);
      socket.send(text);
    }
    input.value = "";
    input.focus();
  }

  // ---- signing in ----

  function showLogin(error) {
    $("chat").hidden = true;
    $("login-form").hidden = false;
    $("login-error").textContent = error || "";
    $("me").textContent = "";
    $("nickname").focus();
  }

  function showChat() {
    $("login-form")?.setAttribute("hidden", "");
    $("chat").hidden = false;
    if (nicknames) $("me").textContent = "as " + me;
    input.focus();
  }

  function signIn(event) {
    event.preventDefault();
    const name = $("nickname").value.trim();
    if (!name) { $("login-error").textContent = "Choose a nickname."; return; }
    if (name.length > 32) { $("login-error").textContent = "At most 32 characters."; return; }
    me = name;
    loginError = null;
    attempt = 0;
    sessions = 0;
    shown.clear();
    shownOrder.length = 0;
    Object.assign(stream, { epoch: null, shown: 0, covered: 0 });
    online = [];
    messages.replaceChildren();
    renderUsers();
    showChat();
    connect();
  }

  $("composer").addEventListener("submit", (e) => { e.preventDefault(); send(); });
  $("login-form")?.addEventListener("submit", signIn);
  $("users-toggle")?.addEventListener("click", () => document.querySelector("aside").classList.toggle("open"));
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) { unread = 0; document.title = baseTitle; }
  });
  // Back online after a network change: retry now instead of waiting out the backoff.
  window.addEventListener("online", () => { if (reconnectTimer) connect(); });

  fetch("/config.json")
    .then((r) => r.json())
    .then((c) => {
      config = c;
      if (signedIn()) {
        const claims = token ? tokenClaims() : {};
        me = String(claims.name ?? claims.sub ?? "");
        showChat();
        if (!token) endSignIn("Sign-in required: open this page with the link that carries your access token.");
        else connect();
      } else if (!nicknames) { showChat(); connect(); } else { setStatus("disconnected", "not signed in"); showLogin(); }
    })
    .catch(() => setStatus("disconnected", "server unreachable"));
})();
