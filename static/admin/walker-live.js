/* Live admin console: approval events arrive on /ws/console/ and update the page in place.
 *
 * Every admin page shows a toast, and the sidebar's count of approvals waiting for the
 * reader (each frame carries it). The approvals list, the conversations inbox (on a takeover
 * step or a customer's message), the dashboard and the console's first page (the reader's own
 * work, on either) re-fetch the page and swap in their fresh part. An approval's own page swaps in its execution and its record (timeline, decisions,
 * notices); when its decision changed under a decision form, it only offers a reload, so a
 * form being edited is never replaced.
 * Loaded in <head> by UNFOLD["SCRIPTS"].
 */
(function () {
  "use strict";
  // Words in the reader's language when Django's JavaScript catalog (/jsi18n/) is on the page; else English.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  var CHANGELIST = /\/hitl\/hitlapproval\/$/;
  var CHANGE_PAGE = /\/hitl\/hitlapproval\/([^/]+)\/change\/$/;
  var CONVERSATION_PAGE = /\/conversations\/conversation\/([^/]+)\/change\/$/;
  var CONVERSATION_LIST = /\/conversations\/conversation\/$/;
  var QUEUE_LINK = '#nav-sidebar-inner a[href$="/hitl/hitlapproval/"]';
  var APPROVAL_PARTS = ['[data-live="approval-execution"]', '[data-live="approval-record"]'];
  var DASHBOARD = '[data-live="dashboard"]';
  var MY_WORK = '[data-live="my-work"]'; // the console's first page (config/landing.py)
  var DECISION_FORM = '[data-testid="approve-form"]';
  // unfold's sidebar badge (unfold/helpers/app_list_badge.html, the "danger" variant config.sidebar gives it)
  var BADGE_CLASS = "font-semibold h-[18px] leading-[18px] ml-2 px-1 relative rounded-xs text-center text-[11px] " +
    "whitespace-nowrap uppercase min-w-[18px] bg-red-100 text-red-700 dark:bg-red-500/20 dark:text-red-400";
  var STOP_CODES = [4401, 4403, 4412]; // signed out or session ended, not staff, second factor owed: retrying cannot help
  var BURST_MS = 500;
  // An approval's events often come in twos (approved, then its run started): its page is fetched once for both.
  var APPROVAL_BURST_MS = 100;
  var STYLE =
    "#walker-live-toasts{position:fixed;right:1rem;bottom:1rem;z-index:1000;display:flex;flex-direction:column;gap:.5rem}" +
    "#walker-live-toasts div{background:#1f2937;color:#fff;padding:.6rem .9rem;border-radius:.5rem;font-size:.875rem;box-shadow:0 4px 12px rgba(0,0,0,.25)}" +
    "#walker-live-toasts div[data-kind=customer_wrote]{background:#1d4ed8}" +
    "#walker-live-toasts a{color:inherit;text-decoration:underline}" +
    "#walker-live-banner{display:flex;gap:1rem;align-items:center;justify-content:space-between;margin:0 0 1rem;padding:.75rem 1rem;border-radius:.5rem;background:#fef3c7;color:#78350f}" +
    "#walker-live-banner button{font-weight:600;text-decoration:underline}" +
    ".walker-live-flash td{animation:walker-live-flash 3s ease-out}" +
    "@keyframes walker-live-flash{from{background-color:rgba(250,204,21,.45)}to{background-color:transparent}}";

  var toasts, changedIds = [], refreshTimer = null, latestFetch = 0, retryDelay = 1000, approvalFetch = 0;
  var approvalTimer = null, approvalStatus = "";
  // When the page last had the feed: when its request went out (what was filed before is on the page), then each
  // time an open socket closed. The socket says how long ago that was, on this page's own clock, and the server
  // sends what was filed since: an event filed while the page loaded or while it reconnected is not missed.
  var navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  var fedUntil = Date.now() - performance.now() + (navigation ? navigation.requestStart : 0);

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var behind = Math.max(0, Math.round(Date.now() - fedUntil));
    var socket = new WebSocket(scheme + location.host + "/ws/console/?behind_ms=" + behind);
    var opened = false;
    socket.onopen = function () { retryDelay = 1000; opened = true; };
    socket.onmessage = function (message) {
      var frame;
      try { frame = JSON.parse(message.data); } catch (error) { return; }
      if (frame.type === "approval") onApprovalEvent(frame);
      else if (frame.type === "notice") toast(frame.text);
      else if (frame.type === "conversation") onConversationStep(frame);
    };
    socket.onclose = function (event) {
      if (opened) fedUntil = Date.now();
      if (STOP_CODES.indexOf(event.code) !== -1) return;
      setTimeout(connect, retryDelay * (1 + Math.random() / 2));
      retryDelay = Math.min(retryDelay * 2, 30000);
    };
  }

  function onApprovalEvent(frame) {
    // The event named by the server, in the reader's language; one filed before the socket opened (`missed`: while
    // the page loaded, often the reader's own decision, or while it reconnected) updates the page without a toast.
    if (!frame.missed) toast(frame.reference + ": " + frame.label);
    if (frame.waiting !== undefined) setBadge(frame.waiting);
    var page = location.pathname.match(CHANGE_PAGE);
    if (page) {
      if (page[1] === frame.approval_id) {
        approvalStatus = frame.status_label; // the banner names the latest
        if (!approvalTimer) approvalTimer = setTimeout(refreshApproval, APPROVAL_BURST_MS);
      }
    } else if (CHANGELIST.test(location.pathname) || document.querySelector(DASHBOARD + ", " + MY_WORK)) {
      changedIds.push(frame.approval_id);
      if (!refreshTimer) refreshTimer = setTimeout(refresh, BURST_MS); // a burst of events: one refresh
    }
  }

  /* A message came in or the agents answered ("activity"): the inbox and that conversation's page, fresh, no toast.
   * A person took over, replied, noted, assigned, released or resolved a conversation: a toast, and on that
   * conversation's own page its fresh thread, or an offer to reload when a reply is being typed (never replaced);
   * to the person who took the step (`own`, in this tab or another), only the fresh parts.
   * A customer asked for a person ("person_asked"): everyone watching gets a toast linking to the conversation.
   * The customer wrote on a held conversation ("customer_wrote", never the words): its holder gets a toast
   * that links to it, wherever they are; whoever has its page open is offered a reload. */
  function onConversationStep(frame) {
    if (CONVERSATION_LIST.test(location.pathname) || document.querySelector(MY_WORK)) { // the inbox's counts, fresh
      changedIds.push(frame.conversation_id);
      if (!refreshTimer) refreshTimer = setTimeout(refresh, BURST_MS);
    }
    var page = location.pathname.match(CONVERSATION_PAGE);
    var here = page && page[1] === frame.conversation_id;
    // The messenger page (walker-conversation.js) swaps in its fresh part itself unless a box is being typed in.
    var swapped = here && window.walkerConversation && window.walkerConversation.refresh();
    if (frame.own) return; // the reader's own step (in this tab or another): fresh parts, no news of it
    if (frame.step === "activity") { // a message in or an answer out while the agents answer: no toast
      if (here && !swapped) banner(gettext("This conversation changed — reload to see it"));
      return;
    }
    if (frame.step === "customer_wrote") {
      if (frame.mine) toast(frame.text, { kind: frame.step, link: here ? null : frame.link });
      if (here && !swapped) banner(frame.text, frame.step);
      return;
    }
    if (frame.step === "person_asked") { // a customer asked for a person: a toast that leads to them
      toast(frame.text, { kind: frame.step, link: here ? null : frame.link });
      if (here && !swapped) banner(gettext("This conversation changed — reload to see it"));
      return;
    }
    toast(frame.text);
    if (here && !swapped) banner(gettext("This conversation changed — reload to see it"));
  }

  function refresh() {
    var ids = changedIds, mine = ++latestFetch;
    changedIds = [];
    refreshTimer = null;
    fetch(location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        if (mine !== latestFetch) return; // a newer fetch is under way
        var fresh = new DOMParser().parseFromString(html, "text/html");
        swapChangelist(fresh, ids);
        swap(document.querySelector(DASHBOARD), fresh.querySelector(DASHBOARD));
        swap(document.querySelector(MY_WORK), fresh.querySelector(MY_WORK));
        if (window.walkerCharts) window.walkerCharts.attach(document.querySelector(DASHBOARD));
      })
      .catch(function () {}); // the next event tries again
  }

  /* The sidebar's count of approvals waiting for the reader's decision, as the server renders it (none for 0). */
  function setBadge(count) {
    document.querySelectorAll(QUEUE_LINK).forEach(function (link) {
      var spans = Array.prototype.filter.call(link.children, function (el) {
        return el.tagName === "SPAN" && !el.classList.contains("material-symbols-outlined");
      });
      var badge = spans[1]; // after the title
      if (!count) {
        if (badge) badge.remove();
        return;
      }
      if (!badge) {
        badge = document.createElement("span");
        badge.className = BADGE_CLASS;
        link.appendChild(badge);
      }
      badge.setAttribute("data-live", "waiting");
      badge.textContent = String(count);
    });
  }

  /* This approval changed: its execution and record are swapped for fresh ones. A decision form that the
   * change took away (or brought), or a part with the focus in it, is left as it is, with an offer to
   * reload, so nothing typed is lost. */
  function refreshApproval() {
    approvalTimer = null;
    var mine = ++approvalFetch, status = approvalStatus;
    fetch(location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        if (mine !== approvalFetch) return; // a newer fetch is under way
        var fresh = new DOMParser().parseFromString(html, "text/html"), kept = false;
        APPROVAL_PARTS.forEach(function (selector) {
          var current = document.querySelector(selector);
          if (current && current.contains(document.activeElement)) kept = true; // a note being typed stays
          else swap(current, fresh.querySelector(selector));
        });
        if (kept || !document.querySelector(DECISION_FORM) !== !fresh.querySelector(DECISION_FORM)) {
          banner(interpolate(gettext("This approval changed (now %(status)s) — reload to see it"), { status: status }, true));
        }
      })
      .catch(function () {}); // the next event tries again
  }

  /* The changelist's fresh parts: the form (actions bar and results, or unfold's "no results" box),
   * the title with its result count and the pagination footer after the content. */
  var CHANGELIST_PARTS = [
    function (doc) { return doc.getElementById("changelist-form"); },
    function (doc) { return doc.querySelector("#header-inner h1"); },
    function (doc) { var content = doc.getElementById("content"); return content && content.parentElement.nextElementSibling; },
    function (doc) { return doc.querySelector('[data-live="inbox-tabs"]'); }, // the conversations inbox's counts
  ];

  function swapChangelist(fresh, ids) {
    var form = document.getElementById("changelist-form");
    if (!form || !fresh.getElementById("changelist-form")) return;
    if (form.querySelector("input.action-select:checked")) {
      banner(gettext("The list changed — reload to see it")); // keep the rows the user has selected
      return;
    }
    CHANGELIST_PARTS.forEach(function (part) { swap(part(document), part(fresh)); });
    form = document.getElementById("changelist-form");
    var boxes = form.querySelectorAll("tr input.action-select");
    if (window.Actions && boxes.length) window.Actions(boxes, { parent: form.closest(".result-list-wrapper") });
    ids.forEach(function (id) {
      form.querySelectorAll('a[href*="/' + id + '/change/"]').forEach(function (link) {
        var row = link.closest("tr");
        if (!row) return;
        row.classList.add("walker-live-flash");
        setTimeout(function () { row.classList.remove("walker-live-flash"); }, 3000);
      });
    });
  }

  function swap(current, next) {
    if (!current || !next) return;
    var x = window.scrollX, y = window.scrollY;
    current.replaceWith(document.adoptNode(next));
    window.scrollTo(x, y);
  }

  /* options.kind marks the toast (data-kind, for its own look and a longer stay); options.link makes it a link. */
  function toast(text, options) {
    options = options || {};
    var shown = Array.prototype.some.call(toasts.children, function (el) { return el.textContent === text; });
    if (shown) return; // the tenant event and the personal notification of one change
    var item = document.createElement("div");
    if (options.kind) item.setAttribute("data-kind", options.kind);
    if (options.link) {
      var link = document.createElement("a");
      link.href = options.link;
      link.textContent = text;
      item.appendChild(link);
    } else {
      item.textContent = text;
    }
    toasts.appendChild(item);
    setTimeout(function () { item.remove(); }, options.kind ? 12000 : 6000);
  }

  function banner(text, kind) {
    var box = document.getElementById("walker-live-banner");
    if (!box) {
      box = document.createElement("div");
      box.id = "walker-live-banner";
      box.setAttribute("role", "alert");
      box.appendChild(document.createElement("span"));
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = gettext("Reload");
      button.onclick = function () { location.reload(); };
      box.appendChild(button);
      var content = document.getElementById("content") || document.body;
      content.insertBefore(box, content.firstChild);
    }
    box.firstChild.textContent = text;
    if (kind) box.setAttribute("data-kind", kind);
  }

  function start() {
    if (document.body.classList.contains("login")) return; // the sign-in page: nobody to stream to yet
    var style = document.createElement("style");
    style.textContent = STYLE;
    document.head.appendChild(style);
    toasts = document.createElement("div"); // in the page before any text, so screen readers announce it
    toasts.id = "walker-live-toasts";
    toasts.setAttribute("role", "status");
    toasts.setAttribute("aria-live", "polite");
    document.body.appendChild(toasts);
    connect();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
