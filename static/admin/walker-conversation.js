/* The console's conversation page as a messenger (conversations.admin_messenger).
 *
 * htmx posts each step (take over, reply, note, assign, hand back, resolve, labels) and swaps the
 * conversation's part of the page for the one the server answers, outcome included: no reload.
 * This script keeps the thread scrolled to its newest message, fills canned responses typed as
 * "/shortcut" in the reply box (their text arrives filled in, in #wk-canned), gives the keyboard
 * shortcuts (Ctrl+Enter sends the box you are in, Alt+R goes to the reply, Alt+N to the note),
 * shows a refused step's words in place, and lets walker-live.js refresh the part when the console
 * socket tells of a change, unless something is being typed.
 */
(function () {
  "use strict";
  var PART = "#wk-conversation";
  var SHORTCUT = /(^|\s)\/([\w-]*)$/; // "/ref" just before the caret

  function part() { return document.querySelector(PART); }
  function box(testid) { return document.querySelector(PART + ' [data-testid="' + testid + '"]'); }

  function scrollThread() {
    var thread = box("thread-scroll");
    if (thread) thread.scrollTop = thread.scrollHeight;
  }

  function canned() {
    var data = document.getElementById("wk-canned");
    try { return data ? JSON.parse(data.textContent) : []; } catch (error) { return []; }
  }

  /* The canned responses whose shortcut starts with what follows the slash before the caret. */
  function matching(textarea) {
    var typed = textarea.value.slice(0, textarea.selectionStart).match(SHORTCUT);
    if (!typed) return null;
    var prefix = typed[2].toLowerCase();
    return { typed: typed, found: canned().filter(function (r) { return r.shortcut.indexOf(prefix) === 0; }) };
  }

  function insert(textarea, response) {
    var caret = textarea.selectionStart, before = textarea.value.slice(0, caret);
    var start = before.lastIndexOf("/");
    textarea.value = before.slice(0, start) + response.text + textarea.value.slice(caret);
    var end = start + response.text.length;
    textarea.setSelectionRange(end, end);
    textarea.focus();
    showMenu(textarea);
  }

  function showMenu(textarea) {
    var menu = box("canned-menu");
    if (!menu) return;
    var match = matching(textarea);
    menu.textContent = "";
    menu.hidden = !match || !match.found.length;
    if (menu.hidden) return;
    match.found.forEach(function (response) {
      var choice = document.createElement("button");
      choice.type = "button";
      choice.setAttribute("data-shortcut", response.shortcut);
      choice.title = response.text;
      choice.textContent = "/" + response.shortcut;
      choice.addEventListener("mousedown", function (event) { event.preventDefault(); insert(textarea, response); });
      menu.appendChild(choice);
    });
  }

  function click(testid) {
    var button = box(testid);
    if (button) button.click();
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches(PART + ' [data-testid="reply-text"]')) showMenu(event.target);
  });

  document.addEventListener("keydown", function (event) {
    if (!part()) return;
    var target = event.target;
    var reply = target.matches && target.matches(PART + ' [data-testid="reply-text"]');
    var note = target.matches && target.matches(PART + ' [data-testid="note-text"]');
    if (reply && (event.key === "Tab" || event.key === "Enter") && !event.ctrlKey && !event.metaKey) {
      var match = matching(target);
      if (match && match.found.length) { // the first that fits, as the menu shows it
        event.preventDefault();
        insert(target, match.found[0]);
        return;
      }
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && (reply || note)) {
      event.preventDefault();
      click(reply ? "reply" : "add-note");
    } else if (event.altKey && (event.code === "KeyN" || event.code === "KeyR")) {
      var wanted = box(event.code === "KeyN" ? "note-text" : "reply-text");
      if (wanted) { event.preventDefault(); wanted.focus(); }
    }
  });

  /* A step refused outright (a role that answers no conversation): its words in place of a swap. */
  document.addEventListener("htmx:responseError", function (event) {
    var target = part();
    if (!target) return;
    var outcome = document.createElement("p");
    outcome.className = "wk-outcome wk-error";
    outcome.setAttribute("data-testid", "step-outcome");
    outcome.textContent = event.detail.xhr.responseText || event.detail.xhr.statusText;
    target.insertBefore(outcome, target.firstChild);
  });

  document.addEventListener("htmx:afterSwap", scrollThread);

  /* Something in the part is being typed or chosen: a box with text or the focus, a label ticked or unticked. */
  function busy(current) {
    var typing = Array.prototype.some.call(current.querySelectorAll("textarea"), function (textarea) {
      return textarea.value.trim() !== "" || textarea === document.activeElement;
    });
    return typing || Array.prototype.some.call(current.querySelectorAll('input[type="checkbox"]'), function (box) {
      return box.checked !== box.defaultChecked;
    });
  }

  function stepping(current) {
    return current.classList.contains("htmx-request") || !!current.querySelector(".htmx-request");
  }

  function swapIn(current, fresh) {
    current.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    scrollThread();
  }

  /* For walker-live.js: the conversation changed elsewhere (or by this page's own step). The fresh part is
   * swapped in whole while nobody types or ticks; else only its thread, so nothing typed or ticked is replaced
   * (false then: walker-live.js offers a reload for the rest). */
  window.walkerConversation = {
    refresh: function () {
      var current = part();
      if (!current || !current.hasAttribute("hx-target")) return false; // a revealed page: plain posts
      var wasBusy = busy(current), live = window.walkerConversation;
      live.pending += 1; // tests wait for none under way
      fetch(current.getAttribute("data-live-url"), { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(PART);
          current = part();
          // A step of this page under way brings its own fresh part (htmx swaps the element it was sent from).
          if (!fresh || !current || stepping(current)) return;
          if (!busy(current)) {
            var told = current.querySelector(".wk-outcomes"), main = fresh.querySelector(".wk-main");
            var panel = fresh.querySelector('[data-testid="takeover-panel"]');
            if (told && main && !fresh.querySelector(".wk-outcomes")) main.insertBefore(told, panel); // the last step's outcome stays
            return swapIn(current, document.adoptNode(fresh));
          }
          var thread = current.querySelector('[data-testid="thread"]');
          var freshThread = fresh.querySelector('[data-testid="thread"]');
          if (thread && freshThread) swapIn(thread, document.adoptNode(freshThread));
        })
        .catch(function () {}) // the next change tries again
        .then(function () { live.pending -= 1; });
      return !wasBusy;
    },
    pending: 0,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scrollThread);
  else scrollThread();
})();
