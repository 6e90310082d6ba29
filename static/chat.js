/*
 * The chat page for every mode. The mode comes from <body data-mode="...">; the WebSocket URL is
 * built from /config.json and this page's own host name, so no address is written anywhere.
 *
 * Element ids and classes (stable, the browser tests use them):
 *   #status           connection state: connecting | connected | reconnecting | disconnected
 *   #login-form       nickname form (#nickname input, #login button, #login-error text)
 *   #chat             the chat, shown after login
 *   #messages li      one per line: .message, .own (sent by me), .system (join/leave/info),
 *                     .error, .history (sent before I joined); .meta holds .sender and time
 *   #users li         online members (.me is me; in private mode click one to pick the recipient)
 *   #to               private mode: recipient picker
 *   #composer         form with #msg input and #send button; Enter sends
 *
 * User text is only ever set with textContent, never parsed as HTML.
 */
(() => {
  "use strict";
  const mode = document.body.dataset.mode;
  const $ = (id) => document.getElementById(id);
  const status = $("status");
  const messages = $("messages");
  const usersList = $("users");
  const to = $("to");
  const input = $("msg");
  const sendButton = $("send");

  // Close codes after which reconnecting with the same nickname cannot help.
  const LOGIN_REFUSED = new Set([4001, 4002]);

  let config = null;
  let socket = null;
  let me = null;
  let attempt = 0;
  let reconnectTimer = null;
  let online = [];
  const pendingOwn = []; // broadcast mode echoes our text back: recognise it as ours

  function setStatus(state, text) {
    status.className = state;
    status.textContent = text || state;
    sendButton.disabled = state !== "connected";
  }

  function time(ts) {
    const d = ts ? new Date(ts) : new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function atBottom() {
    return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  }

  function addLine(kind, text, sender, ts) {
    const stick = atBottom();
    const li = document.createElement("li");
    li.className = kind;
    if (sender !== undefined) {
      const meta = document.createElement("span");
      meta.className = "meta";
      const who = document.createElement("span");
      who.className = "sender";
      who.textContent = sender;
      meta.appendChild(who);
      meta.appendChild(document.createTextNode(time(ts)));
      li.appendChild(meta);
    }
    li.appendChild(document.createTextNode(text));
    messages.appendChild(li);
    if (stick || kind.includes("own")) messages.scrollTop = messages.scrollHeight;
    return li;
  }

  function system(text) { addLine("system", text); }

  function renderUsers() {
    usersList.replaceChildren();
    for (const name of online) {
      const li = document.createElement("li");
      li.textContent = name;
      if (name === me) li.classList.add("me");
      if (mode === "private" && name !== me) {
        li.classList.add("selectable");
        if (to && to.value === name) li.classList.add("selected");
        li.addEventListener("click", () => { to.value = name; renderUsers(); input.focus(); });
      }
      usersList.appendChild(li);
    }
    if (to) {
      const chosen = to.value;
      to.replaceChildren();
      const others = online.filter((n) => n !== me);
      const placeholder = document.createElement("option");
      placeholder.value = "";
      placeholder.textContent = others.length ? "Send to…" : "Nobody else online";
      to.appendChild(placeholder);
      for (const name of others) {
        const option = document.createElement("option");
        option.value = name;
        option.textContent = name;
        to.appendChild(option);
      }
      to.value = others.includes(chosen) ? chosen : (others.length === 1 ? others[0] : "");
    }
  }

  function socketUrl() {
    const base = (config.secure ? "wss://" : "ws://") + location.hostname + ":" + config.wsPort + config.wsPath;
    return mode === "broadcast" ? base : base + "/" + encodeURIComponent(me);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    setStatus(attempt === 0 ? "connecting" : "reconnecting", attempt === 0 ? "connecting…" : "reconnecting…");
    const ws = new WebSocket(socketUrl());
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setStatus("connected");
      if (mode === "broadcast") system("Connected. Everyone here sees what you write.");
    };
    ws.onmessage = (event) => onMessage(event.data);
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      if (LOGIN_REFUSED.has(event.code)) {
        setStatus("disconnected");
        showLogin(event.reason || "That nickname cannot be used.");
        return;
      }
      const delay = Math.min(30000, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
      attempt++;
      setStatus("reconnecting", "reconnecting in " + Math.ceil(delay / 1000) + "s");
      if (attempt === 1) system("Connection lost" + (event.code === 1001 ? " (server restarting)" : "") + ". Reconnecting…");
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  function onMessage(data) {
    if (mode === "broadcast") {
      const own = pendingOwn.length > 0 && pendingOwn[0] === data;
      if (own) pendingOwn.shift();
      addLine(own ? "message own" : "message", data, own ? "me" : "someone");
      return;
    }
    let event;
    try { event = JSON.parse(data); } catch { addLine("message", data, "?"); return; }
    switch (event.type) {
      case "users":
        online = event.users || [];
        renderUsers();
        system(event.msg);
        break;
      case "join":
        if (!online.includes(event.user)) online.push(event.user);
        renderUsers();
        system(event.msg);
        break;
      case "leave":
        online = online.filter((n) => n !== event.user);
        renderUsers();
        system(event.msg);
        break;
      case "history":
        addLine(event.name === me ? "message own history" : "message history", event.msg, event.name, event.ts);
        break;
      case "message":
        addLine(event.name === me ? "message own" : "message", event.msg, event.name, event.ts);
        break;
      case "private":
        addLine("message", event.msg, event.name + " → you", event.ts);
        break;
      case "error":
        addLine("error", event.msg);
        break;
      default:
        addLine("message", String(event.msg ?? data), String(event.name ?? "?"), event.ts);
    }
  }

  function send() {
    const text = input.value;
    if (!text.trim() || !socket || socket.readyState !== WebSocket.OPEN) return;
    if (mode === "broadcast") {
      pendingOwn.push(text);
      socket.send(text);
    } else if (mode === "private") {
      const target = to.value;
      if (!target) { addLine("error", "Pick who the message is for."); return; }
      socket.send(JSON.stringify({ msg: text, to_client: target }));
      addLine("message own", text, "you → " + target);
    } else {
      socket.send(JSON.stringify({ msg: text }));
    }
    input.value = "";
    input.focus();
  }

  function showLogin(error) {
    $("chat").hidden = true;
    $("login-form").hidden = false;
    $("login-error").textContent = error || "";
    $("nickname").focus();
  }

  function showChat() {
    $("login-form").hidden = true;
    $("chat").hidden = false;
    $("me").textContent = me ? "as " + me : "";
    input.focus();
  }

  $("composer").addEventListener("submit", (e) => { e.preventDefault(); send(); });
  const toggle = $("users-toggle");
  if (toggle) toggle.addEventListener("click", () => document.querySelector("aside").classList.toggle("open"));
  const loginForm = $("login-form");
  if (loginForm) {
    loginForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const name = $("nickname").value.trim();
      if (!name) { $("login-error").textContent = "Choose a nickname."; return; }
      me = name;
      attempt = 0;
      messages.replaceChildren();
      online = [];
      showChat();
      connect();
    });
  }

  fetch("/config.json")
    .then((r) => r.json())
    .then((c) => {
      config = c;
      if (mode === "broadcast") { showChat(); connect(); } else { setStatus("disconnected", "not signed in"); showLogin(); }
    })
    .catch(() => setStatus("disconnected", "server unreachable"));
})();
