/*
 * The rooms page, built on the JavaScript client (/fleck-chat.min.js), which does the protocol's
 * bookkeeping: reconnecting with backoff, joining every room again from the last offset it showed
 * (so what was said meanwhile appears once and in order, or the room says that some messages may
 * be missing), and giving every send an id, re-sent after a drop and settled by the server's ack.
 * Signs in with a nickname (or, when /config.json says "auth":"jwt", with the #access_token=<jwt>
 * of its address, as the other pages); each joined room keeps its own conversation, unread count
 * and member list. User text is only ever set with textContent, never parsed as HTML.
 *
 * Read state: the room on screen, while the page is visible and focused, is marked read up to its
 * last message (the user's read marker on the server); a room's unread count is what came after
 * its marker, so it agrees across the user's tabs and devices.
 *
 * Stable ids and classes (the browser tests rely on them):
 *   #status, #login-form (#nickname, #login, #login-error), #chat, #me   as on the other pages
 *   #room-name + #join (#join-form)   join or create a room; #join-error shows a refused name
 *   #my-rooms li[data-room]           joined rooms; .active is shown; .unread holds the unread count
 *   #room-list li[data-room]          every room with members (.count); click joins; #refresh reloads
 *   #room-title, #leave               the shown room and the button that leaves it
 *   #messages li                      .message (.own, .pending, .failed, .history), .system (.missing), .error, .divider
 *   #older                            loads the shown room's older messages; hidden when none are kept
 *   #typing                           who is typing in the shown room
 *   #users li                         who is in the shown room; #user-count
 *   #composer (#msg, #send)           writes to the shown room; Enter sends
 */
import { ChatClient } from "/fleck-chat.min.js";
import { $, avatar, boot, line, loadOlderPage, looking, lostText, settle, showLogin, SignIn, socketBase, takeTokenFromAddress, typedNickname, typingLine } from "/page.js";

const status = $("status"), messages = $("messages"), input = $("msg"), sendButton = $("send"), older = $("older");
const baseTitle = document.title;
const LOGIN_ERRORS = new Set(["nickname_taken", "invalid_nickname"]);
const MAX_ITEMS = 500;

const token = takeTokenFromAddress();
let config = null, client = null, me = null, signIn = null;
// name -> { lines (li elements), messages ({offset, own}), read, newest, oldest, more, users, divider }
const rooms = new Map();
let active = null, wanted = null, roomList = [];
const own = new Map(); // own messages by send id: their echo updates the line shown at send
const typing = typingLine($("typing"), () => active);

// ---- rendering ----

/** Adds a line to a room's conversation, on screen if the room is shown. */
function addLine(name, li, atTop) {
  const room = rooms.get(name);
  if (!room) return li;
  if (atTop) room.lines.unshift(li); else room.lines.push(li);
  if (room.lines.length > MAX_ITEMS) room.lines.shift().remove();
  if (name === active) {
    const stick = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 60;
    if (atTop) messages.prepend(li); else messages.appendChild(li);
    if (!atTop && (stick || li.classList.contains("own"))) messages.scrollTop = messages.scrollHeight;
  }
  return li;
}

function note(kind, text) {
  if (active) addLine(active, line(kind, text));
  else messages.appendChild(line(kind, text));
}

const unread = (room) => room.messages.filter((m) => !m.own && m.offset > room.read).length;

function renderMyRooms() {
  const list = $("my-rooms");
  list.replaceChildren();
  let total = 0;
  for (const [name, room] of rooms) {
    const li = document.createElement("li");
    li.dataset.room = name;
    if (name === active) li.classList.add("active");
    const label = document.createElement("span");
    label.className = "name";
    label.textContent = "#" + name;
    const badge = document.createElement("span");
    badge.className = "unread";
    const n = name === active ? 0 : unread(room);
    total += n;
    badge.textContent = n ? String(n) : "";
    li.append(label, badge);
    li.addEventListener("click", () => show(name));
    list.appendChild(li);
  }
  $("rooms-toggle").textContent = total ? "Rooms (" + total + ")" : "Rooms";
  document.title = total ? "(" + total + ") " + baseTitle : baseTitle;
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
    li.append(avatar(name), document.createTextNode(name));
    if (name === me) li.classList.add("me");
    list.appendChild(li);
  }
  $("user-count").textContent = users.length ? "(" + users.length + ")" : "";
  $("users-toggle").textContent = "Here " + users.length;
}

function renderOlder() {
  const room = active && rooms.get(active);
  older.hidden = !room || !room.more || room.oldest <= 1;
}

/** The shown room counts as read up to its last message, on every device of mine. */
function markSeen() {
  const room = active && rooms.get(active);
  if (!room || !looking() || room.newest <= room.read) return;
  room.read = room.newest;
  client.markRead({ room: active, offset: room.newest });
  renderMyRooms();
}

/** Puts a joined room on screen. */
function show(name) {
  active = rooms.has(name) ? name : null;
  messages.replaceChildren(...(active ? rooms.get(active).lines : []));
  messages.scrollTop = messages.scrollHeight;
  $("room-title").textContent = active ? "#" + active : "Rooms";
  $("room-heading").textContent = active ? "#" + active : "";
  $("room-bar").hidden = !active;
  input.placeholder = active ? "Message #" + active + "…" : "Join a room to write…";
  sendButton.disabled = !active || !client || signIn.ended || signIn.sessions === 0;
  $("rooms-panel").classList.remove("open");
  markSeen();
  renderMyRooms();
  renderRoomList();
  renderUsers();
  renderOlder();
  typing.render();
  if (active) input.focus();
}

/** Shows a room's message (live, from the history or from an older page) once. */
function showMessage(e, kind, atTop) {
  const room = rooms.get(e.room);
  if (!room) return;
  const mine = e.name === me;
  if (typeof e.offset === "number") {
    // A live message is sent once: one below what was shown means the room's stream started over.
    room.newest = kind === "message" ? e.offset : Math.max(room.newest, e.offset);
    if (!room.oldest || e.offset < room.oldest) room.oldest = e.offset;
    room.messages.push({ offset: e.offset, own: mine });
  }
  typing.stop(e.room, e.name);
  const existing = e.id && own.get(e.id);
  if (existing) {
    existing.classList.remove("pending");
    return;
  }
  if (kind === "history" && !room.divider) {
    addLine(e.room, line("divider", signIn.sessions > 1 ? "While you were away" : "Earlier messages"));
    room.divider = true;
  }
  const li = line("message" + (mine ? " own" : "") + (kind === "message" ? "" : " history"), e.msg, e.name, e.ts);
  if (e.id && mine) own.set(e.id, li);
  addLine(e.room, li, atTop);
}

// ---- the connection ----

function onState(s) {
  signIn.state(s, (code) => note("system", lostText(code)));
  if (s.state === "connected") {
    for (const room of rooms.values()) room.divider = false;
    client.listRooms();
    if (signIn.sessions > 1) note("system", "Reconnected.");
  }
  if (!active) sendButton.disabled = true;
}

function start(options) {
  const c = client = signIn.client = new ChatClient(socketBase(config), options);
  c.on("state", onState);
  c.on("users", (e) => {
    // The server's name for me (with a token: the token's, as the server reads it).
    if (typeof e.you === "string") { me = e.you; $("me").textContent = "as " + me; }
  });
  c.on("joined", (e) => {
    let room = rooms.get(e.room);
    const fresh = !room;
    if (!room) rooms.set(e.room, (room = { lines: [], messages: [], read: 0, newest: 0, oldest: 0, more: true, users: [], divider: false }));
    room.users = Array.isArray(e.users) ? [...e.users] : [];
    if (typeof e.read === "number") room.read = Math.max(room.read, e.read);
    if (fresh) addLine(e.room, line("system", e.msg));
    if (fresh && (wanted === e.room || !active)) show(e.room); else { renderMyRooms(); renderUsers(); }
    if (wanted === e.room) wanted = null;
    c.listRooms();
  });
  c.on("history", (e) => { showMessage(e, "history"); renderOlder(); markSeen(); renderMyRooms(); });
  c.on("message", (e) => { showMessage(e, "message"); markSeen(); renderMyRooms(); });
  c.on("gap", (g) => {
    const room = g.room && rooms.get(g.room);
    if (!room) return;
    // A new epoch starts its offsets and its read marker over; its joined event (after this) says where.
    room.newest = room.oldest = room.read = 0;
    room.messages = []; // of the old epoch: not comparable with the new marker
    addLine(g.room, line("system missing", "Some messages may be missing: this room could not replay everything you missed while disconnected."));
  });
  const presence = (e) => {
    const room = rooms.get(e.room);
    if (!room) return;
    if (e.type === "join" && !room.users.includes(e.user)) room.users.push(e.user);
    if (e.type === "leave") room.users = room.users.filter((n) => n !== e.user);
    addLine(e.room, line("system", e.msg));
    if (e.room === active) renderUsers();
  };
  c.on("join", presence);
  c.on("leave", presence);
  c.on("left", (e) => {
    rooms.delete(e.room);
    if (active === e.room) show(rooms.keys().next().value ?? null); else renderMyRooms();
    c.listRooms();
  });
  c.on("rooms", (e) => { roomList = Array.isArray(e.rooms) ? e.rooms : []; renderRoomList(); });
  c.on("typing", (e) => typing.start(e.room, e.user));
  c.on("read", (e) => {
    const room = rooms.get(e.room);
    if (room) { room.read = Math.max(room.read, e.offset); renderMyRooms(); }
  });
  c.on("error", (e) => {
    if (LOGIN_ERRORS.has(e.code)) signIn.loginError = e.msg;
    else if (!(wanted && e.room === wanted)) note("error", e.msg); // a refused join is said by join()
  });
  c.connect();
}

function join(name) {
  const room = name.trim();
  if (!room) return;
  $("join-error").textContent = "";
  const normal = room.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (rooms.has(normal)) { show(normal); return; }
  wanted = normal;
  client.join(room).catch((err) => {
    if (err.code === "left" || err.code === "closed") return;
    $("join-error").textContent = err.message;
    if (wanted === normal) wanted = null;
  });
}

function send() {
  const text = input.value;
  if (!text.trim() || !active || !client || signIn.ended) return;
  const sent = client.sendToRoom(active, text);
  const li = addLine(active, line("message own pending", text, me, Date.now()));
  own.set(sent.id, li);
  settle(li, sent);
  input.value = "";
  input.focus();
}

async function loadOlder() {
  const name = active, room = rooms.get(name);
  room.more = await loadOlderPage(older, () => client.history({ room: name, before: room.oldest, limit: 50 }),
    (m) => showMessage({ ...m, room: name }, "older", true), (t) => note("error", t));
  renderOlder();
}

// ---- signing in ----

function showChat() {
  $("login-form").hidden = true;
  $("chat").hidden = false;
  $("me").textContent = "as " + me;
  show(null);
}

function signInWithNickname(event) {
  event.preventDefault();
  const name = typedNickname();
  if (!name) return;
  me = name;
  signIn = new SignIn(false, null, note, true);
  rooms.clear();
  roomList = [];
  showChat();
  start({ nickname: me });
}

$("composer").addEventListener("submit", (e) => { e.preventDefault(); send(); });
$("join-form").addEventListener("submit", (e) => { e.preventDefault(); join($("room-name").value); $("room-name").value = ""; });
$("leave").addEventListener("click", () => { if (active) client.leave(active); });
$("refresh").addEventListener("click", () => client?.listRooms());
$("login-form").addEventListener("submit", signInWithNickname);
$("users-toggle").addEventListener("click", () => $("online").classList.toggle("open"));
$("rooms-toggle").addEventListener("click", () => $("rooms-panel").classList.toggle("open"));
older.addEventListener("click", loadOlder);
input.addEventListener("input", () => { if (client && active && input.value) client.typing({ room: active }); });
document.addEventListener("visibilitychange", markSeen);
window.addEventListener("focus", markSeen);

boot(token, note, true, (c, s, name) => {
  config = c;
  signIn = s;
  if (name === undefined) { showLogin(); return; }
  me = name;
  showChat();
  if (token) start({ token });
});
