/*
 * The member's page (/chat/, templates/chat/home.html): on phones the list opens over the thread and folds back;
 * and the column beside the thread follows it. The chat (walker-chat.js in page mode) tells its mount each time the
 * thread changes (`walker:thread`: an answer, a request decided, a rating asked); the column is then fetched again,
 * as the server renders it (channels_app.chat.views.member_home_column), so its requests and cards say what the
 * thread says, on either channel layer (the chat's frames come from the layer or from the store).
 */
(function () {
  "use strict";
  var toggle = document.querySelector(".list-toggle"), home = document.querySelector(".home");
  toggle.addEventListener("click", function () {
    toggle.setAttribute("aria-expanded", String(home.classList.toggle("list-open")));
  });

  var column = document.querySelector("[data-home-live]");
  var mount = document.querySelector("[data-walker-mount]");
  if (!column || !mount) return;
  var BURST_MS = 150; // frames come together (a decision's message and its event): one fetch for them all
  var timer = null, fetching = false, again = false;

  function query() {
    var page = new URLSearchParams(location.search), asked = new URLSearchParams();
    ["q", "page"].forEach(function (name) { if (page.get(name)) asked.set(name, page.get(name)); });
    var shown = location.pathname.match(/\/([0-9a-f-]{36})\/$/); // the chat follows its conversation's address
    if (shown) asked.set("conversation", shown[1]);
    return asked.toString();
  }

  function refresh() {
    if (fetching) { again = true; return; } // one at a time; a change meanwhile fetches once more after it
    fetching = true;
    fetch(column.getAttribute("data-home-live") + "?" + query(), { credentials: "same-origin" })
      .then(function (response) {
        // Signed out meanwhile (a redirect to the sign-in page): the column stays; the chat says so.
        if (response.ok && !response.redirected) return response.text().then(function (html) { column.innerHTML = html; });
      })
      .catch(function () {}) // offline: the thread's next change fetches it again
      .then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  mount.addEventListener("walker:thread", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, BURST_MS);
  });
})();
