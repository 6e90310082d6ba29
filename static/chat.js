/*
 * The chat page of every mode, built on the JavaScript client (/fleck-chat.min.js), which does the
 * protocol's bookkeeping: reconnecting with backoff, resuming the chat or the private inbox from the
 * last offset it showed (so each message is shown once, in order, or a line says some may be
 * missing), and giving every send an id, re-sent after a drop and settled by the server's ack, so a
 * message sent while the network blinks arrives exactly once. The page only shows what it is told.
 * The mode comes from <body data-mode="...">; the WebSocket URL is built from /config.json (port,
 * path, ws or wss) and this page's own host name, so no address is written anywhere. User text is
 * only ever set with textContent, never parsed as HTML.
 *
 * Stable element ids and classes (the browser tests rely on them):
 *   #status           connection state; its class is exactly one of
 *                     connecting | connected | reconnecting | disconnected
 *   #login-form       nickname form: #nickname input, #login button, #login-error text (nickname modes)
 *   #chat             the conversation, shown once signed in
 *   #me               who I am signed in as
 *   #messages li      one per line; classes: .message (someone's text), .own (mine; .pending until
 *                     the server acknowledged it, .failed with a .reason when it refused it),
 *                     .history (sent before I joined), .system (joins, leaves, notices; .missing says
 *                     some messages may be missing after a reconnect), .error, .divider;
 *                     a message holds .meta (.sender and .time) and .text
 *   #older            "Load older messages" (numbered chats): hidden when nothing older is kept
 *   #typing           "alice is typing…", cleared 3 s after the last notice or with her message
 *   #users li         people online (.me is me; .selected is the private recipient); #user-count
 *   #users-toggle     shows the online list on a narrow screen
 *   #to               private mode: recipient picker (also set by clicking a #users li)
 *   #conversations li[data-peer]   private mode with identity: one conversation per person (.active
 *                     is shown, .unread its count); #messages li of the others are [hidden]
 *   #composer         form with the #msg input and the #send button; Enter sends
 *
 * Sign-in (when /config.json says "auth":"jwt"): the page is opened with #access_token=<jwt> in
 * its address; it takes the token from there, removes it from the address bar and the history,
 * gives it to the client (sent as ?access_token=) and uses the token's name (no nickname form).
 * A refused or expired token is said once on screen, without reconnecting.
 *
 * Read state: what is on screen while the page is visible and focused is marked read (the user's
 * read marker on the server), so the unread counts (the title; each private conversation) agree
 * across the user's tabs and devices.
 */
import { ChatClient } from "/fleck-chat.min.js";
import { $, avatar, boot, line, loadOlderPage, looking, lostText, settle, showLogin, SignIn, socketBase, takeTokenFromAddress, typedNickname, typingLine } from "/page.js";

const mode = document.body.dataset.mode;
const nicknames = mode !== "broadcast";
const status = $("status"), messages = $("messages"), usersList = $("users"), to = $("to");
const input = $("msg"), sendButton = $("send"), older = $("older"), conversationList = $("conversations");
const baseTitle = document.title;
const LOGIN_ERRORS = new Set(["nickname_taken", "invalid_nickname"]);

// The access token, kept in memory only: never in the address bar, the history or storage.
const token = takeTokenFromAddress();
let config = null, client = null, me = null, signIn = null;
let online = [], historyDivider = false, presenceBeforeList = null;
// broadcast echoes my text back to me: these are the texts written, awaiting their echo.
const pendingOwn = [];
// Own messages by send id, so the echo (live, or replayed after a reconnect) updates the line shown at send.
const own = new Map();
// Numbered chats (nick-broadcast; private with identity: the inbox): the read marker, what is shown.
let read = 0, newest = 0, oldest = 0, more = true, unseen = 0;
// Numbered messages: offset, whether mine, and (private with identity) the peer; the conversation shown.
let inbox = false, active = "";
const items = [];
// Unread counts come from the read marker where the chat is numbered; elsewhere from what arrived unseen.
const numbered = () => mode === "nick-broadcast" || inbox;
const typing = typingLine($("typing"), () => (inbox ? active : ""));

// ---- rendering ----

function add(li, atTop) {
  const stick = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 60;
  if (atTop) messages.prepend(li); else messages.appendChild(li);
  if (!atTop && (stick || li.classList.contains("own"))) messages.scrollTop = messages.scrollHeight;
  return li;
}

const addNote = (kind, text) => add(line(kind, text));

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
      const pick = () => { choose(name); input.focus(); document.querySelector("aside")?.classList.remove("open"); };
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
  const chosen = active || to.value;
  // With identity a conversation goes on while its person is away: the server keeps it for them.
  const others = [...new Set([...online, ...(inbox ? items.map((m) => m.peer) : [])])].filter((n) => n !== me);
  const placeholder = new Option(others.length ? "Send to…" : "Nobody else online", "");
  to.replaceChildren(placeholder, ...others.map((n) => new Option(n, n)));
  to.value = others.includes(chosen) ? chosen : (others.length === 1 ? others[0] : "");
  if (inbox) { active = to.value; renderConversations(); }
}

/** Private mode: the person the next message goes to (and, with identity, whose conversation is shown). */
function choose(name) {
  to.value = name;
  active = name;
  renderUsers();
  renderConversations();
  markSeen();
}

function renderConversations() {
  if (!inbox || !conversationList) return;
  for (const li of messages.querySelectorAll("li[data-peer]")) li.hidden = li.dataset.peer !== active;
  const peers = [];
  for (const m of items) if (!peers.includes(m.peer)) peers.push(m.peer);
  conversationList.replaceChildren(...peers.map((peer) => {
    const li = document.createElement("li");
    li.dataset.peer = peer;
    if (peer === active) li.classList.add("active");
    li.append(avatar(peer), document.createTextNode(peer));
    const badge = document.createElement("span");
    badge.className = "unread";
    const n = peer === active ? 0 : items.filter((m) => m.peer === peer && !m.own && m.offset > read).length;
    badge.textContent = n ? String(n) : "";
    li.append(badge);
    li.addEventListener("click", () => choose(peer));
    return li;
  }));
  $("conversations-title").hidden = peers.length === 0;
  typing.render();
}

/** Unread messages in the title: counted from the read marker where the chat is numbered. */
function renderTitle() {
  const n = numbered() ? items.filter((m) => !m.own && m.offset > read).length : unseen;
  document.title = n ? "(" + n + ") " + baseTitle : baseTitle;
}

function renderOlder() {
  if (older) older.hidden = !more || oldest <= 1;
}

/** What is on screen now counts as read, on every device of mine. */
function markSeen() {
  if (!looking()) return;
  if (!client || !newest) { unseen = 0; renderTitle(); return; }
  let upTo = newest;
  // The inbox has one marker for every conversation: it stops before the first unread message of another.
  if (inbox) for (const m of items) if (m.peer !== active && !m.own && m.offset > read) upTo = Math.min(upTo, m.offset - 1);
  if (upTo > read) { read = upTo; client.markRead({ offset: upTo }); }
  unseen = 0;
  renderConversations();
  renderTitle();
}

/** Shows a chat message (live, from the history or from an older page) once. */
function showMessage(e, kind, atTop) {
  const mine = e.name === me;
  const peer = mode === "private" ? (mine ? e.to_client : e.name) : undefined;
  if (typeof e.offset === "number") {
    if (kind === "message") newest = e.offset; else newest = Math.max(newest, e.offset);
    if (!oldest || e.offset < oldest) oldest = e.offset;
    items.push({ peer, offset: e.offset, own: mine });
    if (!inbox && items.length > 2000) items.shift(); // the inbox keeps them: they name its conversations
  }
  typing.stop(inbox ? peer : "", e.name);
  const existing = e.id && own.get(e.id);
  if (existing) {
    existing.classList.remove("pending");
    if (typeof e.offset === "number") existing.dataset.offset = String(e.offset);
    return;
  }
  const sender = mode !== "private" ? e.name : mine ? "you → " + e.to_client : e.name + " → you";
  const li = line("message" + (mine ? " own" : "") + (kind === "message" ? "" : " history"), e.msg, sender, e.ts, true);
  if (typeof e.offset === "number") li.dataset.offset = String(e.offset);
  if (inbox) { li.dataset.peer = peer; li.hidden = peer !== active; }
  if (e.id && mine) own.set(e.id, li);
  add(li, atTop);
  if (!mine && kind === "message" && !numbered() && !looking()) unseen++;
}

// ---- the connection ----

function onState(s) {
  signIn.state(s, (code) => { pendingOwn.length = 0; addNote("system", lostText(code)); });
  if (s.state === "connected" && !nicknames) addNote("system", signIn.sessions === 1 ? "Connected. Everyone here sees what you write." : "Reconnected.");
}

function start() {
  const options = !nicknames ? { raw: true } : config.auth === "jwt" ? { token } : { nickname: me };
  const c = client = signIn.client = new ChatClient(socketBase(config), options);
  c.on("state", onState);
  c.on("message", (e) => {
    if (nicknames) { showMessage(e, "message"); markSeen(); renderTitle(); return; }
    const mine = pendingOwn.length > 0 && pendingOwn[0] === e.msg;
    if (mine) pendingOwn.shift();
    add(line(mine ? "message own" : "message", e.msg, mine ? "You" : "Anonymous", e.ts, true));
    if (!mine && !looking()) { unseen++; renderTitle(); }
  });
  c.on("history", (e) => {
    if (!historyDivider) {
      addNote("divider", signIn.sessions > 1 ? "While you were away" : "Earlier messages");
      historyDivider = true;
    }
    showMessage(e, "history");
    if (inbox) renderUsers();
    renderOlder();
    markSeen();
    renderTitle();
  });
  c.on("private", (e) => {
    showMessage(e, "message");
    if (e.name !== me && to && !to.value && (inbox || online.includes(e.name))) choose(e.name);
    if (inbox) renderUsers();
    markSeen();
    renderTitle();
  });
  c.on("users", (e) => {
    if (config.auth === "jwt" && typeof e.you === "string") { me = e.you; showChat(); }
    inbox = mode === "private" && typeof e.epoch === "string";
    if (typeof e.read === "number") read = Math.max(read, e.read);
    historyDivider = false;
    online = Array.isArray(e.users) ? [...e.users] : [];
    // The list is a snapshot; someone who joined or left while it was taken may already have been
    // announced (before this connection's list arrived), so those are applied on top of it.
    for (const change of presenceBeforeList || []) applyPresence(change);
    presenceBeforeList = null;
    renderUsers();
    addNote("system", e.msg);
  });
  const presence = (e) => {
    if (presenceBeforeList) presenceBeforeList.push(e); else applyPresence(e);
    renderUsers();
    addNote("system", e.msg);
  };
  c.on("join", presence);
  c.on("leave", presence);
  c.on("state", (s) => { if (s.state === "connecting") presenceBeforeList = []; });
  c.on("gap", () => {
    // A new epoch starts its offsets and its read marker over; its users event (after this) says where.
    newest = oldest = read = 0;
    for (const m of items) m.offset = 0; // of the old epoch: not comparable with the new marker
    addNote("system missing", "Some messages may be missing: the chat could not replay everything you missed while disconnected.");
  });
  c.on("typing", (e) => typing.start(inbox ? e.user : "", e.user));
  c.on("read", (e) => { read = Math.max(read, e.offset); renderConversations(); renderTitle(); });
  c.on("error", (e) => {
    if (LOGIN_ERRORS.has(e.code)) signIn.loginError = e.msg;
    else addNote("error", e.msg);
  });
  c.connect();
}

function applyPresence(event) {
  if (event.type === "join" && !online.includes(event.user)) online.push(event.user);
  if (event.type === "leave") online = online.filter((n) => n !== event.user);
}

function send() {
  const text = input.value;
  // Sends made while reconnecting wait in the client (broadcast mode has none: it writes or fails).
  if (!text.trim() || !client || signIn.ended || (!nicknames && client.state !== "connected")) return;
  if (!nicknames) {
    pendingOwn.push(text);
    client.send(text).catch((err) => addNote("error", "Not sent: " + err.message));
  } else if (mode === "private") {
    const target = to.value;
    if (!target) { addNote("error", "Pick who the message is for: click someone in the online list."); return; }
    const sent = client.sendPrivate(target, text);
    const li = line("message own pending", text, "you → " + target, Date.now(), true);
    if (inbox) li.dataset.peer = target;
    own.set(sent.id, add(li));
    settle(li, sent);
  } else {
    const sent = client.send(text);
    const li = own.get(sent.id) ?? add(line("message own pending", text, me, Date.now(), true));
    own.set(sent.id, li);
    settle(li, sent);
  }
  input.value = "";
  input.focus();
}

async function loadOlder() {
  more = await loadOlderPage(older, () => client.history({ before: oldest, limit: 50 }), (m) => showMessage(m, "older", true), (t) => addNote("error", t));
  renderConversations();
  renderOlder();
}

// ---- signing in ----

function showChat() {
  $("login-form")?.setAttribute("hidden", "");
  $("chat").hidden = false;
  if (nicknames) $("me").textContent = "as " + me;
  input.focus();
}

function signInWithNickname(event) {
  event.preventDefault();
  const name = typedNickname();
  if (!name) return;
  me = name;
  signIn = new SignIn(false, null, addNote, true);
  online = [];
  messages.replaceChildren();
  renderUsers();
  showChat();
  start();
}

$("composer").addEventListener("submit", (e) => { e.preventDefault(); send(); });
$("login-form")?.addEventListener("submit", signInWithNickname);
$("users-toggle")?.addEventListener("click", () => document.querySelector("aside").classList.toggle("open"));
older?.addEventListener("click", loadOlder);
to?.addEventListener("change", () => choose(to.value));
input.addEventListener("input", () => {
  if (!client || !nicknames || !input.value) return;
  if (mode !== "private") client.typing();
  else if (to.value) client.typing({ to: to.value });
});
document.addEventListener("visibilitychange", markSeen);
window.addEventListener("focus", markSeen);

boot(token, addNote, nicknames, (c, s, name) => {
  config = c;
  signIn = s;
  if (name !== undefined) {
    me = name;
    showChat();
    if (token) start();
  } else if (!nicknames) { showChat(); start(); } else showLogin();
});
