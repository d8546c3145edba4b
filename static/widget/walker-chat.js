/*
 * Walker chat widget: one script tag, no dependencies, no build step.
 *
 *   <script src="/static/widget/walker-chat.js"
 *           data-walker-url="wss://host/ws/chat/"      optional: default is /ws/chat/ on this page's host
 *           data-walker-token="..."                   optional: a widget token (else the session cookie is used)
 *           data-walker-token-url="/api/chat/token/"  optional: POST here for a fresh token before each connect
 *           data-walker-api-url="/api/hitl/approvals/" optional: where "Cancel request" posts (session cookie + CSRF)
 *           data-walker-name="Ada"                    optional: greets the person by name
 *           data-walker-time-zone="Europe/Paris"      optional: the zone times are told in (else the browser's)
 *           defer></script>
 *
 * Page mode (the member's own page, /chat/): with an element marked `data-walker-mount` on the page, the chat is
 * drawn inside it, full size and always open, instead of a launcher and its pop-over. On that element:
 *   data-walker-conversation="<uuid>"   open this conversation (one of the person's own) with its history
 *   data-walker-new="1"                 start a new conversation with the first message sent
 *   data-walker-page-url="/chat/"       the page's address: it follows the conversation shown (/chat/<uuid>/)
 * and the element hears a `walker:thread` event (detail: the frame's `type`) each time the thread changes, for the
 * page to bring what it shows beside the thread up to date.
 *
 * Speaks the protocol in docs/chat-protocol.md. Server text is only ever set
 * with textContent, never parsed as HTML. Tests drive it through
 * window.WalkerChat = {open, close, send} and the data-testid attributes.
 */
(function () {
  "use strict";
  if (window.WalkerChat) return; // the script tag was included twice

  // Words in the reader's language from Django's JavaScript catalog (/jsi18n/, loaded before this script);
  // embedded on a page without it, the widget speaks English.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  var script = document.currentScript || document.querySelector("script[src*='walker-chat']");
  var data = (script && script.dataset) || {};
  var mount = document.querySelector("[data-walker-mount]"); // page mode: drawn inline, always open
  var page = (mount && mount.dataset) || null;
  var AGENTS = [
    ["", gettext("Auto")],
    ["paid_ads", gettext("Paid Ads")],
    ["seo", "SEO"],
    ["content", gettext("Content")],
    ["audience", gettext("Audience Intelligence")],
  ];
  var AGENT_NAMES = {};
  AGENTS.forEach(function (a) { if (a[0]) AGENT_NAMES[a[0]] = a[1]; });
  var STATUS_LABELS = {
    pending: gettext("Pending approval"), approved: gettext("Approved"), executing: gettext("Running"),
    executed: gettext("Executed"), rejected: gettext("Rejected"), failed: gettext("Failed"),
    expired: gettext("Expired"), cancelled: gettext("Cancelled"), superseded: gettext("Superseded"),
    revising: gettext("Revision asked"),
    refused: gettext("Refused"),
  };
  var ERROR_TEXT = {
    rate_limited: gettext("You're sending messages too fast. Please wait a moment."),
    too_long: gettext("That message is too long (4,000 characters at most)."),
    empty: gettext("Type a message first."),
    conversation_closed: gettext("This conversation was closed. Send again to start a new one."),
    unknown_agent: gettext("That agent isn't available."),
  };
  // Frames that are stored and numbered; connection frames (history, error, ...) are not deduplicated.
  var STORED = { // numbered, replayed on reconnect
    message_received: 1, agent_response: 1, approval_update: 1, human_joined: 1, human_reply: 1, human_left: 1,
    satisfaction_asked: 1,
  };
  // Refusals of a rating (docs/chat-protocol.md, `rate`): their detail is shown in the rating control itself.
  var RATING_REFUSALS = { out_of_range: 1, already_rated: 1, late: 1, not_found: 1 };
  // Shown in an empty conversation: a click sends the question as it reads.
  var SUGGESTIONS = [
    gettext("How is my Summer Sale campaign doing?"),
    gettext("Which keywords moved this week?"),
    gettext("Raise the Summer Sale budget to $700 a day"),
  ];
  var LOCALE = document.documentElement.lang || undefined; // times in the page's language
  // One rule for times on the page: the zone the page names (the member's page: the tenant's, as its list), 24-hour.
  var TIME_ZONE = data.walkerTimeZone || undefined;
  var MAX_CHARS = 4000;
  var BACKOFF_MIN_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var TYPING_IDLE_MS = 3000;
  var STABLE_MS = 10000;

  var state = {
    ws: null,
    wanted: false,           // connect once the panel was first opened (or send() was called)
    signedOut: false,        // closed with 4401 or 4412: no retries until the page reloads
    attempt: 0,
    retryTimer: null,
    conversationId: (page && page.walkerConversation) || null, // page mode: the conversation asked for
    seqs: {},                // conversation id -> highest seq seen
    outbox: [],              // unconfirmed sends, resent after a reconnect (same client_msg_id)
    pending: {},             // client_msg_id -> bubble
    chips: {},               // approval_id -> [chip elements]
    drafts: {},              // message answered -> the answer's bubble while it is being written (agent_delta)
    typingOn: false,
    typingTimer: null,
    rating: null,            // the rating control whose `rate` awaits the server's answer
    fresh: !!(page && page.walkerNew), // page mode, "new conversation": the open one is closed with the first send
    startingOver: false,     // new_conversation sent: histories show nothing until its empty one comes back
    closedView: false,       // a closed conversation read back: the next send clears it (a new one opens)
    token: data.walkerToken || "",
    tokenExpires: 0,
  };
  var ui = {};

  // ---------------------------------------------------------------- helpers

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text != null) node.textContent = String(text);
    return node;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function safeClass(value) {
    return String(value || "").toLowerCase().replace(/[^a-z_]/g, "");
  }

  function socketUrl() {
    var base = data.walkerUrl || (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/chat/";
    var params = [];
    if (state.token) params.push("token=" + encodeURIComponent(state.token));
    if (state.conversationId) {
      params.push("conversation=" + encodeURIComponent(state.conversationId));
      // Without last_seq (a conversation the page asked for, not yet seen): the server sends its history.
      if (state.seqs[state.conversationId] != null) params.push("last_seq=" + state.seqs[state.conversationId]);
    }
    return params.length ? base + (base.indexOf("?") < 0 ? "?" : "&") + params.join("&") : base;
  }

  // ---------------------------------------------------------------- styles

  var CSS = [
    ".walker-chat{position:fixed;right:20px;bottom:20px;z-index:2147483000;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2933}",
    ".walker-chat *,.walker-chat *::before,.walker-chat *::after{box-sizing:border-box}",
    ".walker-chat button,.walker-chat select,.walker-chat textarea{font:inherit;color:inherit}",
    ".walker-chat :focus-visible{outline:2px solid #2f6fde;outline-offset:2px}",
    ".walker-chat .wc-launcher{position:relative;display:flex;align-items:center;justify-content:center;width:56px;height:56px;border:0;border-radius:50%;background:#1f4fd1;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".walker-chat .wc-badge{position:absolute;top:4px;right:4px;width:12px;height:12px;border-radius:50%;background:#e5484d;border:2px solid #fff}",
    ".walker-chat .wc-panel{position:absolute;right:0;bottom:72px;width:380px;height:min(600px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.22);overflow:hidden}",
    ".walker-chat .wc-panel[hidden]{display:none}",
    ".walker-chat .wc-header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#1f4fd1;color:#fff}",
    ".walker-chat .wc-title{flex:1;min-width:0}",
    ".walker-chat .wc-title strong{display:block;font-size:15px}",
    ".walker-chat .wc-status{font-size:12px;opacity:.85}",
    ".walker-chat .wc-icon{border:0;background:transparent;color:inherit;font-size:20px;line-height:1;width:36px;height:36px;border-radius:8px;cursor:pointer}",
    ".walker-chat .wc-icon:hover{background:rgba(255,255,255,.15)}",
    ".walker-chat .wc-toolbar{display:flex;align-items:center;gap:6px;padding:6px 12px;border-bottom:1px solid #e4e7eb;font-size:12px;color:#52606d}",
    ".walker-chat .wc-toolbar select{padding:3px 6px;border:1px solid #cbd2d9;border-radius:6px;background:#fff}",
    ".walker-chat .wc-log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f7f8fa}",
    ".walker-chat .wc-msg{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".walker-chat .wc-msg--user{align-self:flex-end;background:#1f4fd1;color:#fff;border-bottom-right-radius:4px}",
    ".walker-chat .wc-msg--agent{align-self:flex-start;background:#fff;border:1px solid #e4e7eb;border-bottom-left-radius:4px}",
    ".walker-chat .wc-msg--human{align-self:flex-start;background:#f0fdf4;border:1px solid #86efac;border-bottom-left-radius:4px}",
    ".walker-chat .wc-msg--system{align-self:center;max-width:95%;background:transparent;color:#52606d;font-size:12px;text-align:center;padding:2px 6px}",
    ".walker-chat .wc-msg--sending{opacity:.65}",
    ".walker-chat .wc-msg--failed{background:#fde8e8;color:#9b1c1c}",
    ".walker-chat .wc-meta{display:block;font-size:11px;opacity:.85;margin-bottom:2px}",
    ".walker-chat .wc-note{display:block;font-size:11px;margin-top:3px;opacity:.85}",
    ".walker-chat .wc-retry{border:0;background:none;padding:0;margin-left:6px;text-decoration:underline;cursor:pointer;font-size:11px;color:inherit}",
    ".walker-chat .wc-chips{display:flex;flex-direction:column;gap:6px;margin-top:8px}",
    ".walker-chat .wc-chip{display:block;padding:6px 8px;border-radius:8px;border:1px solid;font-size:12px;white-space:normal}",
    ".walker-chat .wc-chip-ref{font-weight:600;margin-right:6px}",
    ".walker-chat .wc-chip-status{float:right;margin-left:8px;font-weight:600;text-transform:uppercase;font-size:10px;letter-spacing:.04em}",
    ".walker-chat .wc-time{display:block;font-size:10px;margin-top:3px;text-align:right}",
    ".walker-chat .wc-welcome{display:flex;flex-direction:column;gap:6px}",
    ".walker-chat .wc-suggestion{align-self:flex-start;text-align:left;border:1px solid #1f4fd1;background:#fff;color:#1f4fd1;border-radius:14px;padding:5px 10px;cursor:pointer;font-size:13px}",
    ".walker-chat .wc-suggestion:hover{background:#eef3ff}",
    // The request's own action, on a line of its own below the summary and its notes, not run into its words.
    ".walker-chat .wc-cancel{display:block;width:max-content;margin-top:6px;border:1px solid currentColor;background:transparent;border-radius:6px;padding:1px 7px;font-size:11px;cursor:pointer}",
    ".walker-chat .wc-cancel[disabled]{opacity:.5;cursor:default}",
    ".walker-chat .wc-cancel[hidden],.walker-chat .wc-chip .wc-note[hidden]{display:none}",
    ".walker-chat .wc-toolbar .wc-new{margin-left:auto;border:1px solid #cbd2d9;background:#fff;border-radius:6px;padding:3px 8px;cursor:pointer;font-size:12px}",
    ".walker-chat .wc-chip--pending{background:#fff8e6;border-color:#f0b429;color:#7c5e10}",
    ".walker-chat .wc-chip--approved,.walker-chat .wc-chip--executing{background:#e8f0fe;border-color:#5b8def;color:#1c3d8f}",
    ".walker-chat .wc-chip--executed{background:#e6f6ec;border-color:#3f9c5a;color:#1d5c32}",
    ".walker-chat .wc-chip--rejected,.walker-chat .wc-chip--failed,.walker-chat .wc-chip--refused{background:#fdecec;border-color:#e25c5c;color:#8a1c1c}",
    ".walker-chat .wc-chip--expired,.walker-chat .wc-chip--cancelled{background:#f1f3f5;border-color:#9aa5b1;color:#52606d;text-decoration:line-through}",
    ".walker-chat .wc-rating{align-self:stretch;background:#fff;border:1px solid #e4e7eb;border-radius:12px;padding:10px 12px}",
    ".walker-chat .wc-rating-scores{display:flex;gap:6px;margin-top:8px}",
    ".walker-chat .wc-score{flex:1;height:38px;border:1px solid #cbd2d9;border-radius:8px;background:#fff;font-weight:600;cursor:pointer}",
    ".walker-chat .wc-score:hover:not([disabled]){background:#eef3ff;border-color:#1f4fd1}",
    ".walker-chat .wc-score[aria-pressed=true]{background:#1f4fd1;border-color:#1f4fd1;color:#fff}",
    ".walker-chat .wc-score[disabled]{cursor:default}",
    ".walker-chat .wc-rating-ends{display:flex;justify-content:space-between;margin-top:3px;font-size:11px;color:#52606d}",
    ".walker-chat .wc-rating-outcome{margin-top:6px;font-size:12px;color:#1d5c32}",
    ".walker-chat .wc-rating-outcome--refused{color:#7c4a03}",
    ".walker-chat .wc-typing{padding:0 12px 6px;font-size:12px;color:#52606d;background:#f7f8fa;min-height:0}",
    ".walker-chat .wc-typing[hidden]{display:none}",
    ".walker-chat .wc-dots span{display:inline-block;width:5px;height:5px;margin-right:2px;border-radius:50%;background:#7b8794;animation:wc-blink 1.2s infinite}",
    ".walker-chat .wc-dots span:nth-child(2){animation-delay:.2s}.walker-chat .wc-dots span:nth-child(3){animation-delay:.4s}",
    "@keyframes wc-blink{0%,80%,100%{opacity:.25}40%{opacity:1}}",
    ".walker-chat .wc-notice{margin:0 12px 6px;padding:6px 9px;border-radius:8px;background:#fff4e5;color:#7c4a03;font-size:12px}",
    ".walker-chat .wc-notice[hidden]{display:none}",
    ".walker-chat .wc-waiting{margin:0 12px 6px;padding:6px 9px;border-radius:8px;background:#eef2ff;color:#3730a3;font-size:12px}",
    ".walker-chat .wc-waiting[hidden]{display:none}",
    ".walker-chat .wc-form{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid #e4e7eb;background:#fff}",
    ".walker-chat .wc-input{flex:1;resize:none;max-height:120px;min-height:38px;padding:8px 10px;border:1px solid #cbd2d9;border-radius:10px}",
    ".walker-chat .wc-send{height:38px;padding:0 14px;border:0;border-radius:10px;background:#1f4fd1;color:#fff;font-weight:600;cursor:pointer}",
    ".walker-chat .wc-send:disabled{opacity:.5;cursor:default}",
    // Phone-sized screens: the open panel takes the whole screen.
    "@media (max-width:480px){.walker-chat{right:16px;bottom:16px}" +
      ".walker-chat .wc-panel{position:fixed;inset:0;width:100%;height:100%;border-radius:0}" +
      ".walker-chat.walker-chat--open .wc-launcher{display:none}" +
      ".walker-chat .wc-msg{max-width:90%}" +
      ".walker-chat .wc-input{font-size:16px}}", // 16 px: phones do not zoom into the field on focus
    "@media (prefers-reduced-motion:reduce){.walker-chat .wc-dots span{animation:none}}",
    // Page mode: the chat fills the element it is mounted in, on every screen size.
    ".walker-chat.walker-chat--page{position:relative;right:auto;bottom:auto;z-index:auto;height:100%}",
    ".walker-chat.walker-chat--page .wc-panel{position:relative;inset:auto;right:auto;bottom:auto;width:100%;height:100%;" +
      "border-radius:14px;box-shadow:0 1px 3px rgba(0,0,0,.08)}",
    ".walker-chat--page .wc-launcher,.walker-chat--page .wc-header .wc-icon{display:none}",
    ".walker-chat--page .wc-msg{max-width:75%}",
    "@media (max-width:720px){.walker-chat.walker-chat--page .wc-panel{border-radius:0;box-shadow:none}" +
      ".walker-chat--page .wc-msg{max-width:90%}.walker-chat--page .wc-input{font-size:16px}}",
  ].join("\n");

  // ---------------------------------------------------------------- building the DOM

  function build() {
    document.head.appendChild(el("style", { "data-walker-chat": "" }, CSS));
    var root = el("div", { class: page ? "walker-chat walker-chat--page" : "walker-chat" });

    ui.launcher = el("button", {
      type: "button", class: "wc-launcher", "aria-label": gettext("Open Walker chat"),
      "aria-expanded": "false", "aria-controls": "walker-chat-panel", "data-testid": "launcher",
    });
    ui.launcher.appendChild(icon());
    ui.badge = el("span", { class: "wc-badge", hidden: "" });
    ui.launcher.appendChild(ui.badge);

    ui.panel = el("div", {
      id: "walker-chat-panel", class: "wc-panel", role: page ? "region" : "dialog", "aria-label": gettext("Walker chat"),
      "data-testid": "panel",
    });
    if (!page) ui.panel.setAttribute("hidden", "");

    var header = el("div", { class: "wc-header" });
    var title = el("div", { class: "wc-title" });
    title.appendChild(el("strong", null, "Walker"));
    ui.status = el("span", { class: "wc-status", "data-testid": "status" }, gettext("Not connected"));
    title.appendChild(ui.status);
    ui.closeButton = el("button", { type: "button", class: "wc-icon", "aria-label": gettext("Close chat"), "data-testid": "close" }, "\u00D7");
    header.appendChild(title);
    header.appendChild(ui.closeButton);

    var toolbar = el("div", { class: "wc-toolbar" });
    var pickerLabel = el("label", { for: "walker-chat-agent" }, gettext("Ask"));
    ui.picker = el("select", { id: "walker-chat-agent", "aria-label": gettext("Agent"), "data-testid": "agent-picker" });
    AGENTS.forEach(function (a) { ui.picker.appendChild(el("option", { value: a[0] }, a[1])); });
    toolbar.appendChild(pickerLabel);
    toolbar.appendChild(ui.picker);
    ui.newButton = el("button", {
      type: "button", class: "wc-new", "aria-label": gettext("Start a new conversation"), "data-testid": "new-conversation",
    }, gettext("New conversation"));
    toolbar.appendChild(ui.newButton);

    ui.log = el("div", {
      class: "wc-log", role: "log", "aria-live": "polite", "aria-label": gettext("Messages"), tabindex: "0",
      "data-testid": "messages",
    });
    ui.typing = el("div", { class: "wc-typing", role: "status", hidden: "", "data-testid": "typing" });
    ui.notice = el("div", { class: "wc-notice", role: "status", hidden: "", "data-testid": "notice" });
    // Asked for a person, and nobody of the team is there yet (ended by their joining, their reply, or the close).
    ui.waiting = el("div", { class: "wc-waiting", role: "status", hidden: "", "data-testid": "waiting-for-person" },
      gettext("Waiting for a person of the team. The Walker agents still answer meanwhile."));

    var form = el("form", { class: "wc-form" });
    ui.input = el("textarea", {
      class: "wc-input", rows: "1", maxlength: String(MAX_CHARS), placeholder: gettext("Ask Walker\u2026"),
      "aria-label": gettext("Message"), "data-testid": "input",
    });
    ui.send = el("button", { type: "submit", class: "wc-send", "aria-label": gettext("Send message"), "data-testid": "send" }, gettext("Send"));
    form.appendChild(ui.input);
    form.appendChild(ui.send);

    [header, toolbar, ui.log, ui.typing, ui.waiting, ui.notice, form].forEach(function (n) { ui.panel.appendChild(n); });
    root.appendChild(ui.panel);
    if (!page) root.appendChild(ui.launcher);
    (mount || document.body).appendChild(root);
    ui.root = root;

    ui.launcher.addEventListener("click", function () { ui.panel.hidden ? open() : close(); });
    ui.closeButton.addEventListener("click", close);
    ui.newButton.addEventListener("click", startOver);
    root.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !ui.panel.hidden) { e.preventDefault(); close(); }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
    ui.input.addEventListener("keydown", function (e) {
      // Enter sends, Shift+Enter is a new line; never while an IME is composing a character.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
    });
    ui.input.addEventListener("input", function () { grow(); userTyping(); });
  }

  // A speech bubble drawn inline: no icon font or image to load, and no emoji font needed.
  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "26");
    svg.setAttribute("height", "26");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H10l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function grow() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 120) + "px";
  }

  // ---------------------------------------------------------------- panel

  function open() {
    if (!ui.panel.hidden) return;
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.setAttribute("aria-label", gettext("Close Walker chat"));
    ui.badge.hidden = true;
    ui.root.classList.add("walker-chat--open");
    state.wanted = true;
    connect();
    scrollDown();
    ui.input.focus();
  }

  function close() {
    if (page || ui.panel.hidden) return; // the page's chat stays open
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-label", gettext("Open Walker chat"));
    ui.root.classList.remove("walker-chat--open");
    userTyping(false);
    ui.launcher.focus();
  }

  function setStatus(text) { ui.status.textContent = text; }
  function setWaiting(on) { ui.waiting.hidden = !on; }

  var noticeTimer = null;
  function notice(text, sticky) {
    clearTimeout(noticeTimer);
    ui.notice.textContent = text;
    ui.notice.hidden = false;
    if (!sticky) noticeTimer = setTimeout(function () { ui.notice.hidden = true; }, 6000);
  }

  function scrollDown() { ui.log.scrollTop = ui.log.scrollHeight; }

  // ---------------------------------------------------------------- rendering

  function clock(iso) {
    var when = iso ? new Date(iso) : new Date();
    if (isNaN(when.getTime())) when = new Date();
    var day = function (moment) { return moment.toLocaleDateString("en-CA", { timeZone: TIME_ZONE }); };
    var time = when.toLocaleTimeString(LOCALE, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: TIME_ZONE });
    var date = when.toLocaleDateString(LOCALE, { day: "numeric", month: "short", timeZone: TIME_ZONE });
    return { text: day(when) === day(new Date()) ? time : date + " " + time, iso: when.toISOString() };
  }

  function addBubble(role, text, meta, at) {
    hideWelcome();
    var bubble = el("div", { class: "wc-msg wc-msg--" + role, "data-testid": "message", "data-role": role });
    if (meta) bubble.appendChild(el("span", { class: "wc-meta" }, meta));
    bubble.appendChild(el("span", { class: "wc-text" }, text));
    var stamp = clock(at);
    bubble.appendChild(el("time", { class: "wc-time", datetime: stamp.iso, "data-testid": "time" }, stamp.text));
    ui.log.appendChild(bubble);
    scrollDown();
    if (ui.panel.hidden && role !== "user") ui.badge.hidden = false;
    return bubble;
  }

  function findMessage(id) {
    if (!id) return null;
    var bubbles = ui.log.querySelectorAll("[data-message-id]");
    for (var i = 0; i < bubbles.length; i++) if (bubbles[i].getAttribute("data-message-id") === String(id)) return bubbles[i];
    return null;
  }

  function addHumanMessage(id, text, name, at) {
    if (findMessage(id)) return;
    var bubble = addBubble("human", text, name || gettext("Support"), at);
    if (id) bubble.setAttribute("data-message-id", id);
    scrollDown();
  }

  function addAgentMessage(id, text, agent, actions, at) {
    if (findMessage(id)) return;
    var bubble = addBubble("agent", text, AGENT_NAMES[agent] || "Walker", at);
    if (id) bubble.setAttribute("data-message-id", id);
    if (actions && actions.length) {
      var list = el("div", { class: "wc-chips" });
      actions.forEach(function (action) { list.appendChild(chip(action)); });
      bubble.appendChild(list);
      scrollDown();
    }
  }

  function chip(action) {
    var node = el("div", { class: "wc-chip", "data-testid": "chip" });
    node.appendChild(el("span", { class: "wc-chip-status" }));
    node.appendChild(el("span", { class: "wc-chip-ref" }, action.reference || ""));
    node.appendChild(document.createTextNode(" "));
    node.appendChild(el("span", { class: "wc-chip-summary" }, action.summary || ""));
    node.appendChild(el("span", { class: "wc-note wc-chip-progress", "data-testid": "chip-progress", hidden: "" }));
    node.appendChild(el("span", { class: "wc-note wc-chip-edited", "data-testid": "chip-edited", hidden: "" }));
    if (action.reason) node.appendChild(el("span", { class: "wc-note" }, action.reason));
    if (action.approval_id) {
      node.setAttribute("data-approval-id", action.approval_id);
      (state.chips[action.approval_id] = state.chips[action.approval_id] || []).push(node);
      var cancel = el("button", {
        type: "button", class: "wc-cancel", "data-testid": "cancel-request", hidden: "",
        "aria-label": interpolate(gettext("Cancel request %(reference)s"), { reference: action.reference || "" }, true),
      }, gettext("Cancel my request"));
      cancel.addEventListener("click", function () { cancelRequest(action.approval_id, cancel); });
      node.appendChild(cancel);
    }
    setChipStatus(node, action.status);
    showChipDetails(node, action);
    return node;
  }

  // Beside the status, from the reply's actions, the history or an approval_update: the summary as it stands (an
  // approver may have changed it), how many of several levels are approved while it waits, and who changed it.
  function showChipDetails(node, f) {
    if (f.summary) node.querySelector(".wc-chip-summary").textContent = f.summary;
    var progress = node.querySelector(".wc-chip-progress");
    var waiting = node.getAttribute("data-status") === "pending" && f.levels > 1;
    progress.hidden = !waiting;
    progress.textContent = waiting ? interpolate(gettext("%(approved)s of %(levels)s approved"),
      { approved: f.approved_levels || 0, levels: f.levels }, true) : "";
    if (f.edited_by) {
      var edited = node.querySelector(".wc-chip-edited");
      edited.textContent = interpolate(gettext("Changed by %(name)s"), { name: f.edited_by }, true);
      edited.hidden = false;
    }
  }

  function setChipStatus(node, status) {
    var name = safeClass(status) || "pending";
    node.className = "wc-chip wc-chip--" + name;
    node.setAttribute("data-status", name);
    node.querySelector(".wc-chip-status").textContent = STATUS_LABELS[name] || name;
    var cancel = node.querySelector(".wc-cancel");
    if (cancel) cancel.hidden = name !== "pending"; // only a request still waiting can be withdrawn
    if (name !== "pending") node.querySelector(".wc-chip-progress").hidden = true; // levels count while it waits
  }

  // The requester withdraws a pending request through the approvals API (hitl.access decides: own and pending only).
  function cancelRequest(approvalId, button) {
    if (!window.confirm(gettext("Cancel this request? Nobody will be asked to approve it any more."))) return;
    button.disabled = true;
    var base = data.walkerApiUrl || "/api/hitl/approvals/";
    fetch(base + encodeURIComponent(approvalId) + "/cancel/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": cookie("csrftoken"), "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ reason: gettext("Cancelled from the chat.") }),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.detail || "HTTP " + response.status);
        (state.chips[approvalId] || []).forEach(function (node) { setChipStatus(node, body.status || "cancelled"); });
      });
    }).catch(function (err) {
      button.disabled = false;
      notice(interpolate(gettext("The request could not be cancelled: %(error)s"), { error: err.message }, true));
    });
  }

  // ---------------------------------------------------------------- welcome

  function showWelcome() {
    hideWelcome();
    var box = el("div", { class: "wc-welcome", "data-testid": "welcome" });
    var hello = (data.walkerName ? interpolate(gettext("Hi %(name)s!"), { name: data.walkerName }, true) : gettext("Hi!")) +
      " " + gettext("I'm Walker. Ask about your campaigns, rankings, content or audiences; anything that spends money " +
      "or publishes waits for an approver, and you can follow it here.");
    box.appendChild(el("div", { class: "wc-msg wc-msg--agent", "data-testid": "greeting" }, hello));
    SUGGESTIONS.forEach(function (question) {
      var chipButton = el("button", { type: "button", class: "wc-suggestion", "data-testid": "suggestion" }, question);
      chipButton.addEventListener("click", function () { send(question); });
      box.appendChild(chipButton);
    });
    ui.log.appendChild(box);
    ui.welcome = box;
  }

  function hideWelcome() {
    if (ui.welcome) { ui.welcome.remove(); ui.welcome = null; }
  }

  function startOver() {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      transmit({ type: "new_conversation" });
      if (page && page.walkerPageUrl) history.replaceState(null, "", page.walkerPageUrl);
    } else {
      notice(gettext("Not connected; try again in a moment."));
    }
  }

  function addUserMessage(text, clientMsgId) {
    var bubble = addBubble("user", text);
    bubble.classList.add("wc-msg--sending");
    bubble.setAttribute("data-status", "sending");
    if (clientMsgId) {
      bubble.setAttribute("data-client-msg-id", clientMsgId);
      state.pending[clientMsgId] = bubble;
    }
    return bubble;
  }

  function markFailed(clientMsgId, reason) {
    var bubble = state.pending[clientMsgId];
    state.outbox = state.outbox.filter(function (m) { return m.client_msg_id !== clientMsgId; });
    if (!bubble) return;
    delete state.pending[clientMsgId];
    bubble.classList.remove("wc-msg--sending");
    bubble.classList.add("wc-msg--failed");
    bubble.setAttribute("data-status", "failed");
    var note = el("span", { class: "wc-note" }, reason ? interpolate(gettext("Not sent: %(reason)s"), { reason: reason }, true) : gettext("Not sent"));
    var retry = el("button", { type: "button", class: "wc-retry", "aria-label": gettext("Send this message again") }, gettext("Retry"));
    retry.addEventListener("click", function () { bubble.remove(); send(bubble.querySelector(".wc-text").textContent); });
    note.appendChild(retry);
    bubble.appendChild(note);
  }

  function renderHistory(messages) {
    ui.log.textContent = "";
    state.chips = {};
    state.pending = {};
    (messages || []).forEach(function (m) {
      if (m.direction === "inbound") {
        var bubble = addBubble("user", m.text, null, m.created_at);
        if (m.id) bubble.setAttribute("data-message-id", m.id);
      } else if (m.sender_type === "system") {
        addBubble("system", m.text, null, m.created_at);
      } else if (m.sender_type === "human") {
        addHumanMessage(m.id, m.text, m.name, m.created_at);
      } else {
        addAgentMessage(m.id, m.text, m.agent, m.actions, m.created_at);
      }
    });
    if (!(messages || []).length && !state.outbox.length) showWelcome();
    // Messages still waiting for confirmation stay visible after the history.
    state.outbox.forEach(function (m) { addUserMessage(m.message, m.client_msg_id); });
    ui.badge.hidden = true;
  }

  // The server asks for a rating (`satisfaction_asked`): 1 to 5 as buttons; a click sends `rate`, and the control
  // shows the outcome (`rated`, or the refusal's words). One control per conversation; a replayed ask draws none.
  function addRating(f) {
    var drawn = ui.log.querySelector('.wc-rating[data-conversation-id="' + f.conversation_id + '"]');
    if (drawn) return drawn;
    var box = el("div", { class: "wc-rating", role: "group", "aria-label": gettext("Rate this conversation"), "data-testid": "rating" });
    box.setAttribute("data-conversation-id", f.conversation_id || "");
    box.appendChild(el("div", null, f.text || gettext("Rate this conversation")));
    var scores = el("div", { class: "wc-rating-scores" });
    (f.scores && f.scores.length ? f.scores : [1, 2, 3, 4, 5]).forEach(function (score) {
      var button = el("button", {
        type: "button", class: "wc-score", "aria-pressed": "false", "data-score": String(score),
        "aria-label": interpolate(gettext("%(score)s of 5"), { score: score }, true),
      }, String(score));
      button.addEventListener("click", function () { rate(box, score); });
      scores.appendChild(button);
    });
    box.appendChild(scores);
    var ends = el("div", { class: "wc-rating-ends", "aria-hidden": "true" });
    ends.appendChild(el("span", null, gettext("Poor")));
    ends.appendChild(el("span", null, gettext("Excellent")));
    box.appendChild(ends);
    box.appendChild(el("div", { class: "wc-rating-outcome", role: "status", hidden: "", "data-testid": "rating-outcome" }));
    ui.log.appendChild(box);
    scrollDown();
    return box;
  }

  // A history's `satisfaction`: the question still open in the conversation, or the answer given to it.
  function addStanding(conversationId, standing) {
    var box = addRating({ conversation_id: conversationId, text: standing.text, scores: standing.scores });
    if (standing.score == null) return;
    box.querySelectorAll(".wc-score").forEach(function (b) {
      b.setAttribute("aria-pressed", String(Number(b.getAttribute("data-score")) === standing.score));
    });
    ratingOutcome(box, standing.thanks, false, false);
  }

  function rate(box, score) {
    state.rating = box;
    box.querySelectorAll(".wc-score").forEach(function (b) {
      b.disabled = true;
      b.setAttribute("aria-pressed", String(Number(b.getAttribute("data-score")) === score));
    });
    transmit({ type: "rate", score: score, conversation_id: box.getAttribute("data-conversation-id") || undefined });
  }

  function ratingOutcome(box, text, refused, open) {
    if (!box) return notice(text);
    var outcome = box.querySelector(".wc-rating-outcome");
    outcome.textContent = text;
    outcome.hidden = false;
    outcome.classList.toggle("wc-rating-outcome--refused", !!refused);
    box.querySelectorAll(".wc-score").forEach(function (b) {
      b.disabled = !open;
      if (open) b.setAttribute("aria-pressed", "false");
    });
    scrollDown();
  }

  function setTyping(on, agent) {
    ui.typing.hidden = !on;
    ui.typing.textContent = "";
    if (!on) return;
    var dots = el("span", { class: "wc-dots", "aria-hidden": "true" });
    for (var i = 0; i < 3; i++) dots.appendChild(el("span"));
    ui.typing.appendChild(dots);
    ui.typing.appendChild(document.createTextNode(" " + interpolate(gettext("%(agent)s is working on it\u2026"), { agent: AGENT_NAMES[agent] || "Walker" }, true)));
  }

  // ---------------------------------------------------------------- server frames

  var handlers = {
    history: function (f) {
      var left = !f.conversation_id && state.conversationId; // started over: the one followed is closed
      if (left) delete state.seqs[state.conversationId];
      state.conversationId = f.conversation_id || null;
      if (state.conversationId) state.seqs[state.conversationId] = f.seq || 0;
      var blank = state.fresh || state.startingOver; // a new conversation is asked for: nothing of the old one
      if (state.startingOver && !f.conversation_id) state.startingOver = false;
      renderHistory(blank ? [] : f.messages);
      if (!blank && f.satisfaction) addStanding(f.conversation_id, f.satisfaction);
      state.closedView = !blank && f.open === false;
      setWaiting(!blank && !!f.waiting_for_person);
      if (state.closedView) addBubble("system", gettext("This conversation is closed. Write below to start a new one."));
      if (left) threadChanged(f.type);
    },
    conversation_started: function (f) { follow(f.conversation_id); },
    message_received: function (f) {
      follow(f.conversation_id);
      var bubble = state.pending[f.client_msg_id];
      state.outbox = state.outbox.filter(function (m) { return m.client_msg_id !== f.client_msg_id; });
      if (bubble) {
        delete state.pending[f.client_msg_id];
        bubble.classList.remove("wc-msg--sending");
        bubble.setAttribute("data-status", "sent");
      } else if (!findMessage(f.id)) {
        bubble = addBubble("user", f.text); // sent from another tab of the same user
      }
      if (bubble && f.id) bubble.setAttribute("data-message-id", f.id);
    },
    agent_typing: function (f) { setTyping(!!f.on, f.agent); },
    agent_delta: function (f) {
      var draft = state.drafts[f.in_reply_to];
      if (!draft) {
        setTyping(false);
        draft = state.drafts[f.in_reply_to] = addBubble("agent", "", AGENT_NAMES[f.agent] || "Walker");
        draft.classList.add("wc-msg--draft");
      }
      draft.querySelector(".wc-text").textContent += f.text;
      scrollDown();
    },
    agent_response: function (f) {
      setTyping(false);
      var draft = state.drafts[f.in_reply_to];
      if (draft) { draft.remove(); delete state.drafts[f.in_reply_to]; } // the whole answer replaces its pieces
      addAgentMessage(f.message_id, f.text, f.agent, f.actions);
      if (f.waiting_for_person) setWaiting(true); // the answer to an ask for a person: the wait begins
    },
    // A person of the business took the conversation over, answers, or hands it back to the agents.
    human_joined: function (f) {
      setTyping(false);
      setWaiting(false);
      addBubble("system", interpolate(gettext("%(name)s joined the conversation"), { name: f.name || gettext("A person") }, true));
    },
    human_reply: function (f) { setWaiting(false); addHumanMessage(f.message_id, f.text, f.name); },
    human_left: function (f) {
      if (f.reason === "resolved") setWaiting(false);
      addBubble("system", f.reason === "resolved"
        ? interpolate(gettext("%(name)s marked this conversation resolved"), { name: f.name || gettext("A person") }, true)
        : interpolate(gettext("%(name)s left; the Walker agents are back"), { name: f.name || gettext("A person") }, true));
    },
    satisfaction_asked: function (f) { addRating(f); },
    rated: function (f) {
      var box = ui.log.querySelector('.wc-rating[data-conversation-id="' + f.conversation_id + '"]') || state.rating;
      ratingOutcome(box, f.text, false, false);
    },
    approval_update: function (f) {
      var chips = state.chips[f.approval_id] || [];
      chips.forEach(function (node) { setChipStatus(node, f.status); showChipDetails(node, f); });
      if (f.text) addBubble("system", f.text);
      else if (!chips.length) addBubble("system", (f.reference || gettext("Approval")) + ": " + (STATUS_LABELS[f.status] || f.status));
    },
    error: function (f) {
      if (RATING_REFUSALS[f.code] && state.rating) {
        ratingOutcome(state.rating, f.detail, true, f.code === "out_of_range"); // out of range: choose again
        return;
      }
      var text = ERROR_TEXT[f.code] || f.detail || gettext("Something went wrong.");
      if (f.client_msg_id) markFailed(f.client_msg_id, f.code === "rate_limited" ? gettext("too many messages") : "");
      notice(text);
    },
    user_typing: function () {}, // another tab of the same user is typing: nothing to show here
  };

  function follow(conversationId) {
    if (!conversationId || conversationId === state.conversationId) return;
    state.conversationId = conversationId;
    if (state.seqs[conversationId] == null) state.seqs[conversationId] = 0;
    if (page && page.walkerPageUrl) history.replaceState(null, "", page.walkerPageUrl + conversationId + "/");
  }

  // Page mode, "new conversation": the open one is closed just before the first message goes out.
  function startFresh() {
    if (!state.fresh || !state.ws || state.ws.readyState !== WebSocket.OPEN) return;
    state.fresh = false;
    state.startingOver = true;
    transmit({ type: "new_conversation" });
  }

  function receive(event) {
    var frame;
    try { frame = JSON.parse(event.data); } catch (e) { return; }
    if (!frame || typeof frame.type !== "string") return;
    if (STORED[frame.type] && typeof frame.seq === "number") {
      var key = frame.conversation_id || state.conversationId || "";
      if (frame.seq <= (state.seqs[key] || 0)) return; // already seen (replayed after a reconnect)
      state.seqs[key] = frame.seq;
    }
    var handler = handlers[frame.type];
    if (handler) handler(frame);
    if (STORED[frame.type] || frame.type === "rated") threadChanged(frame.type);
  }

  // Page mode: the page hears of each change of the thread (see the header), to bring up to date what it shows beside.
  function threadChanged(type) {
    if (mount) mount.dispatchEvent(new CustomEvent("walker:thread", { detail: { type: type } }));
  }

  // ---------------------------------------------------------------- connection

  function fetchToken() {
    if (!data.walkerTokenUrl) return Promise.resolve(state.token);
    if (state.token && Date.now() < state.tokenExpires - 60000) return Promise.resolve(state.token);
    return fetch(data.walkerTokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": cookie("csrftoken"), Accept: "application/json" },
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) throw { signedOut: true };
      if (!response.ok) throw new Error("token request failed: HTTP " + response.status);
      return response.json();
    }).then(function (body) {
      state.token = body.token;
      state.tokenExpires = Date.parse(body.expires_at) || Date.now() + 300000;
      return state.token;
    });
  }

  function connect() {
    if (!state.wanted || state.signedOut || state.ws || state.retryTimer) return;
    setStatus(gettext("Connecting\u2026"));
    state.ws = "connecting"; // a placeholder so a second call waits for this one
    fetchToken().then(openSocket, function (err) {
      state.ws = null;
      if (err && err.signedOut) return signedOut();
      retry();
    });
  }

  function openSocket() {
    var ws;
    try { ws = new WebSocket(socketUrl()); } catch (e) { state.ws = null; return retry(); }
    state.ws = ws;
    var openedAt = 0;
    ws.onopen = function () {
      openedAt = Date.now();
      setStatus(gettext("Online"));
      ui.notice.hidden = true;
      if (state.outbox.length) startFresh();
      state.outbox.forEach(transmit); // unconfirmed messages: the server answers each client_msg_id once
    };
    var welcomed = false; // a frame came: the server took the session (it closes a socket without one at once)
    ws.onmessage = function (event) { welcomed = true; receive(event); };
    ws.onclose = function (e) {
      if (state.ws === ws) state.ws = null;
      state.typingOn = false;
      setTyping(false);
      // 4401 on a socket the server had taken: the session ended (signed out elsewhere, a new role, an admin).
      if (e.code === 4401) return signedOut(welcomed ? gettext("Your session has ended. Sign in again to chat with Walker.") : null);
      if (e.code === 4412) return signedOut(gettext("Confirm it is you with your second factor: sign in again to chat with Walker."));
      // Start again from the shortest delay only after a connection that lasted: a server that
      // accepts and drops every socket at once must not be hammered twice a second.
      if (openedAt && Date.now() - openedAt > STABLE_MS) state.attempt = 0;
      retry();
    };
  }

  function signedOut(why) {
    state.signedOut = true;
    setStatus(gettext("Signed out"));
    notice(why || gettext("Please sign in to chat with Walker."), true);
    ui.send.disabled = true;
  }

  function retry() {
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... up to 30 s, each randomised
    // between half and the full delay so many tabs do not reconnect in step.
    var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, state.attempt));
    delay = delay / 2 + Math.random() * delay / 2;
    state.attempt += 1;
    setStatus(interpolate(gettext("Reconnecting in %(seconds)s s\u2026"), { seconds: Math.max(1, Math.round(delay / 1000)) }, true));
    state.retryTimer = setTimeout(function () { state.retryTimer = null; connect(); }, delay);
  }

  function transmit(frame) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(frame));
  }

  // ---------------------------------------------------------------- sending

  function send(text) {
    text = String(text == null ? "" : text).trim();
    if (!text || state.signedOut) return null;
    if (text.length > MAX_CHARS) { notice(ERROR_TEXT.too_long); return null; }
    var frame = { type: "send_message", message: text, client_msg_id: uuid() };
    if (ui.picker.value) frame.agent = ui.picker.value;
    if (state.closedView) { // a closed conversation was read back: the message opens a new one, shown alone
      state.closedView = false;
      ui.log.textContent = "";
      state.chips = {};
    }
    startFresh();
    addUserMessage(text, frame.client_msg_id);
    state.outbox.push(frame);
    userTyping(false);
    state.wanted = true;
    if (state.ws && state.ws.readyState === WebSocket.OPEN) transmit(frame);
    else connect(); // queued: sent when the socket opens
    return frame.client_msg_id;
  }

  function submit() {
    if (send(ui.input.value)) {
      ui.input.value = "";
      grow();
    }
  }

  // Tell the server when typing starts and, after a quiet moment, stops: transitions only, not every key.
  function userTyping(on) {
    if (on === undefined) on = ui.input.value.length > 0;
    clearTimeout(state.typingTimer);
    if (on) state.typingTimer = setTimeout(function () { userTyping(false); }, TYPING_IDLE_MS);
    if (on === state.typingOn) return;
    state.typingOn = on;
    transmit({ type: "typing", on: on });
  }

  // ---------------------------------------------------------------- start

  function start() {
    build();
    if (page) { state.wanted = true; connect(); }
    window.addEventListener("online", function () {
      if (state.retryTimer) { clearTimeout(state.retryTimer); state.retryTimer = null; state.attempt = 0; connect(); }
    });
  }

  window.WalkerChat = {
    open: function () { open(); },
    close: function () { close(); },
    send: function (text) { return send(text); },
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
