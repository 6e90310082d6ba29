/*
 * The rooms page. Signs in with a nickname (path /websocket/<nick>), then speaks rooms mode's JSON
 * commands: join, leave, message, rooms. Each joined room keeps its own conversation, unread count
 * and member list. User text is only ever set with textContent, never parsed as HTML.
 *
 * Resuming: each room is a numbered stream (an epoch on "joined", an offset on every message and
 * history event). The page remembers each room's epoch and the highest offset shown, and after a
 * reconnect joins every room again with "since" and "epoch", so the server replays what was
 * missed. Each offset is shown once, in order; {"type":"recovered","recovered":false} puts a
 * "some messages may be missing" line in that room.
 *
 * Stable ids and classes (the browser tests rely on them):
 *   #status, #login-form (#nickname, #login, #login-error), #chat, #me   as on the other pages
 *   #room-name + #join (#join-form)   join or create a room; #join-error shows a refused name
 *   #my-rooms li[data-room]           joined rooms; .active is shown; .unread holds the unread count
 *   #room-list li[data-room]          every room with members (.count); click joins; #refresh reloads
 *   #room-title, #leave               the shown room and the button that leaves it
 *   #messages li                      .message (.own, .history), .system (.missing), .error, .divider
 *   #users li                         who is in the shown room; #user-count
 *   #composer (#msg, #send)           writes to the shown room; Enter sends
 */
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const status = $("status"), messages = $("messages"), input = $("msg"), sendButton = $("send");
  const baseTitle = document.title;
  const LOGIN_REFUSED = new Set([4001, 4002]);
  const LOGIN_ERRORS = new Set(["nickname_taken", "invalid_nickname"]);
  const JOIN_ERRORS = new Set(["invalid_room", "too_many_rooms"]);
  const MAX_BACKOFF_MS = 30000, MAX_ITEMS = 500;

  let config = null, socket = null, me = null, loginError = null;
  let attempt = 0, reconnectTimer = null, sessions = 0;
  // name -> { items, lastOffset (highest shown), covered (offset the first welcome's history
  // covered), epoch, unread, users, divider, resuming, welcomeOffset }
  const rooms = new Map();
  let active = null, wanted = null, roomList = [];
  let resumes = []; // rooms whose resuming join awaits its "recovered" answer, in the order sent

  // ---- rendering ----

  function setStatus(state, text) {
    status.className = state;
    status.textContent = text || state;
    sendButton.disabled = state !== "connected" || !active;
  }

  function time(ts) {
    const d = ts ? new Date(ts) : new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function hue(name) {
    let h = 0;
    for (const ch of String(name)) h = (h * 31 + ch.codePointAt(0)) % 360;
    return h;
  }

  function itemElement(item) {
    const li = document.createElement("li");
    li.className = item.kind;
    if (!item.kind.startsWith("message")) { li.textContent = item.text; return li; }
    const meta = document.createElement("span");
    meta.className = "meta";
    const who = document.createElement("span");
    who.className = "sender";
    who.textContent = item.sender;
    if (!item.kind.includes("own")) who.style.color = "hsl(" + hue(item.sender) + " 55% 38%)";
    const when = document.createElement("time");
    when.className = "time";
    when.textContent = time(item.ts);
    meta.append(who, when);
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = item.text;
    li.append(meta, body);
    return li;
  }

  /** Adds a line to a room's conversation; shown at once if the room is on screen, else counted unread. */
  function addItem(name, item) {
    const room = rooms.get(name);
    if (!room) return;
    room.items.push(item);
    if (room.items.length > MAX_ITEMS) room.items.shift();
    if (name === active) {
      const stick = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 60;
      messages.appendChild(itemElement(item));
      if (stick || item.kind.includes("own")) messages.scrollTop = messages.scrollHeight;
      if (document.hidden && item.kind === "message") document.title = "(new) " + baseTitle;
    } else if (item.kind === "message") {
      room.unread++;
      renderMyRooms();
    }
  }

  function note(kind, text) {
    if (active) addItem(active, { kind, text });
    else messages.appendChild(itemElement({ kind, text }));
  }

  function renderMyRooms() {
    const list = $("my-rooms");
    list.replaceChildren();
    for (const [name, room] of rooms) {
      const li = document.createElement("li");
      li.dataset.room = name;
      if (name === active) li.classList.add("active");
      const label = document.createElement("span");
      label.className = "name";
      label.textContent = "#" + name;
      const badge = document.createElement("span");
      badge.className = "unread";
      badge.textContent = room.unread ? String(room.unread) : "";
      li.append(label, badge);
      li.addEventListener("click", () => show(name));
      list.appendChild(li);
    }
    const unread = [...rooms.values()].reduce((n, r) => n + r.unread, 0);
    $("rooms-toggle").textContent = unread ? "Rooms (" + unread + ")" : "Rooms";
  }

  function renderRoomList() {
    const list = $("room-list");
    list.replaceChildren();
    for (const entry of roomList) {
      const li = document.createElement("li");
      li.dataset.room = entry.room;
      if (rooms.has(entry.room)) li.classList.add("joined");
      const label = document.createElement("span");
      label.className = "name";
      label.textContent = "#" + entry.room;
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = String(entry.members);
      li.append(label, count);
      li.addEventListener("click", () => (rooms.has(entry.room) ? show(entry.room) : join(entry.room)));
      list.appendChild(li);
    }
  }

  function renderUsers() {
    const list = $("users");
    list.replaceChildren();
    const users = active ? rooms.get(active).users : [];
    for (const name of users) {
      const li = document.createElement("li");
      const avatar = document.createElement("span");
      avatar.className = "avatar";
      avatar.dataset.initial = Array.from(String(name).trim())[0]?.toUpperCase() || "?";
      avatar.style.backgroundColor = "hsl(" + hue(name) + " 55% 48%)";
      li.append(avatar, document.createTextNode(name));
      if (name === me) li.classList.add("me");
      list.appendChild(li);
    }
    $("user-count").textContent = users.length ? "(" + users.length + ")" : "";
    $("users-toggle").textContent = "Here " + users.length;
  }

  /** Puts a joined room on screen and clears its unread count. */
  function show(name) {
    active = rooms.has(name) ? name : null;
    messages.replaceChildren();
    if (active) {
      const room = rooms.get(active);
      room.unread = 0;
      for (const item of room.items) messages.appendChild(itemElement(item));
      messages.scrollTop = messages.scrollHeight;
    }
    $("room-title").textContent = active ? "#" + active : "Rooms";
    $("room-heading").textContent = active ? "#" + active : "";
    $("room-bar").hidden = !active;
    input.placeholder = active ? "Message #" + active + "…" : "Join a room to write…";
    sendButton.disabled = !active || !socket || socket.readyState !== WebSocket.OPEN;
    $("rooms-panel").classList.remove("open");
    renderMyRooms();
    renderRoomList();
    renderUsers();
    if (active) input.focus();
  }

  // ---- connection ----

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setStatus(attempt === 0 ? "connecting" : "reconnecting", attempt === 0 ? "connecting…" : "reconnecting…");
    const url = (config.secure ? "wss://" : "ws://") + location.hostname + ":" + config.wsPort + config.wsPath + "/" + encodeURIComponent(me);
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => { attempt = 0; sessions++; resumes = []; setStatus("connected"); };
    ws.onmessage = (event) => { if (socket === ws) onMessage(event.data); };
    ws.onclose = (event) => { if (socket === ws) onClosed(event); };
  }

  function onClosed(event) {
    socket = null;
    if (LOGIN_REFUSED.has(event.code)) {
      setStatus("disconnected", "not signed in");
      showLogin(loginError || event.reason || "That nickname cannot be used.");
      return;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
    if (attempt === 0) note("system", "Connection lost" + (event.code === 1001 ? " (the server is restarting)" : "") + ". Reconnecting…");
    attempt++;
    setStatus("reconnecting", "retry in " + Math.ceil(delay / 1000) + " s");
    reconnectTimer = setTimeout(connect, delay);
  }

  function command(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }

  function onMessage(data) {
    let event;
    try { event = JSON.parse(data); } catch { note("error", "Unreadable message from the server."); return; }
    const room = typeof event.room === "string" ? rooms.get(event.room) : undefined;
    switch (event.type) {
      case "users": // signed in: rejoin what this page was in, from where it left off
        for (const [name, r] of rooms) {
          r.divider = false;
          r.resuming = r.epoch !== null;
          if (!r.resuming) { command({ type: "join", room: name }); continue; }
          resumes.push(name);
          command({ type: "join", room: name, since: Math.max(r.lastOffset, r.covered), epoch: r.epoch });
        }
        command({ type: "rooms" });
        if (sessions > 1) note("system", "Reconnected.");
        break;
      case "joined": {
        const fresh = !room;
        const r = room || { items: [], lastOffset: 0, covered: 0, epoch: null, unread: 0, users: [], divider: false, resuming: false, welcomeOffset: 0 };
        if (typeof event.epoch === "string" && r.epoch !== event.epoch) {
          // A new stream (first join, or the room lost its history): its offsets start over.
          r.epoch = event.epoch;
          r.lastOffset = 0;
          r.covered = 0;
        }
        r.welcomeOffset = typeof event.offset === "number" ? event.offset : 0;
        // Without a resume the history that follows covers everything up to the welcome's offset.
        if (!r.resuming) r.covered = Math.max(r.covered, r.welcomeOffset);
        r.users = Array.isArray(event.users) ? [...event.users] : [];
        rooms.set(event.room, r);
        if (fresh) addItem(event.room, { kind: "system", text: event.msg });
        if (fresh && (wanted === event.room || !active)) show(event.room); else { renderMyRooms(); renderUsers(); }
        if (wanted === event.room) wanted = null;
        command({ type: "rooms" });
        break;
      }
      case "history":
      case "message":
        if (!room) break;
        // A history event at or below what is shown is already on screen. A live message is sent
        // once; one at or below it means the room's stream started over (its store lost it, e.g.
        // Redis restarted empty), so it is shown and the count goes on from it.
        if (event.type === "history" && typeof event.offset === "number" && event.offset <= room.lastOffset) break;
        if (typeof event.offset === "number") room.lastOffset = event.offset;
        if (event.type === "history" && !room.divider) {
          addItem(event.room, { kind: "divider", text: sessions > 1 ? "While you were away" : "Earlier messages" });
          room.divider = true;
        }
        addItem(event.room, {
          kind: "message" + (event.name === me ? " own" : "") + (event.type === "history" ? " history" : ""),
          text: event.msg, sender: event.name, ts: event.ts,
        });
        break;
      case "recovered": {
        const name = typeof event.room === "string" ? event.room : resumes[0];
        resumes = resumes.filter((n) => n !== name);
        const r = rooms.get(name);
        if (!r) break;
        // The resume is over: what the welcome covered is on screen or said to be missing.
        r.resuming = false;
        r.covered = Math.max(r.covered, r.welcomeOffset);
        if (event.recovered === false) addItem(name, { kind: "system missing", text: "Some messages may be missing: this room could not replay everything you missed while disconnected." });
        break;
      }
      case "join":
      case "leave":
        if (!room) break;
        if (event.type === "join" && !room.users.includes(event.user)) room.users.push(event.user);
        if (event.type === "leave") room.users = room.users.filter((n) => n !== event.user);
        addItem(event.room, { kind: "system", text: event.msg });
        if (event.room === active) renderUsers();
        break;
      case "left":
        rooms.delete(event.room);
        if (active === event.room) show(rooms.keys().next().value ?? null); else renderMyRooms();
        command({ type: "rooms" });
        break;
      case "rooms":
        roomList = Array.isArray(event.rooms) ? event.rooms : [];
        renderRoomList();
        break;
      case "error":
        if (LOGIN_ERRORS.has(event.code)) loginError = event.msg;
        else if (JOIN_ERRORS.has(event.code)) { $("join-error").textContent = event.msg; wanted = null; }
        else note("error", event.msg);
        break;
      default:
        if (typeof event.msg === "string") note("system", event.msg);
    }
  }

  function join(name) {
    const room = name.trim();
    if (!room) return;
    $("join-error").textContent = "";
    const normal = room.replace(/[A-Z]/g, (c) => c.toLowerCase());
    if (rooms.has(normal)) { show(normal); return; }
    wanted = normal;
    command({ type: "join", room });
  }

  function send() {
    const text = input.value;
    if (!text.trim() || !active || !socket || socket.readyState !== WebSocket.OPEN) return;
    command({ type: "message", room: active, msg: text });
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

  function signIn(event) {
    event.preventDefault();
    const name = $("nickname").value.trim();
    if (!name) { $("login-error").textContent = "Choose a nickname."; return; }
    if (name.length > 32) { $("login-error").textContent = "At most 32 characters."; return; }
    me = name;
    loginError = null;
    attempt = 0;
    sessions = 0;
    rooms.clear();
    roomList = [];
    $("login-form").hidden = true;
    $("chat").hidden = false;
    $("me").textContent = "as " + me;
    show(null);
    connect();
  }

  $("composer").addEventListener("submit", (e) => { e.preventDefault(); send(); });
  $("join-form").addEventListener("submit", (e) => { e.preventDefault(); join($("room-name").value); $("room-name").value = ""; });
  $("leave").addEventListener("click", () => { if (active) command({ type: "leave", room: active }); });
  $("refresh").addEventListener("click", () => command({ type: "rooms" }));
  $("login-form").addEventListener("submit", signIn);
  $("users-toggle").addEventListener("click", () => $("online").classList.toggle("open"));
  $("rooms-toggle").addEventListener("click", () => $("rooms-panel").classList.toggle("open"));
  document.addEventListener("visibilitychange", () => { if (!document.hidden) document.title = baseTitle; });
  window.addEventListener("online", () => { if (reconnectTimer) connect(); });

  fetch("/config.json")
    .then((r) => r.json())
    .then((c) => { config = c; setStatus("disconnected", "not signed in"); showLogin(); })
    .catch(() => setStatus("disconnected", "server unreachable"));
})();
