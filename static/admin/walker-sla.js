/* The approval queue's SLA column counts down: every [data-sla-deadline] (an ISO date) is rewritten each 15 s. */
(function () {
  "use strict";
  // Words in the reader's language when Django's JavaScript catalog (/jsi18n/) is on the page; else English.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  function label(deadline) {
    var left = Math.floor((deadline - Date.now()) / 1000);
    if (left <= 0) return { text: gettext("due now"), cls: "text-red-600 font-semibold" };
    var hours = Math.floor(left / 3600), minutes = Math.floor((left % 3600) / 60);
    return {
      text: hours
        ? interpolate(gettext("%(hours)s h %(minutes)s min left"), { hours: hours, minutes: minutes }, true)
        : interpolate(gettext("%(minutes)s min left"), { minutes: minutes }, true),
      cls: left < 3600 ? "text-orange-600 font-semibold" : "",
    };
  }
  function tick() {
    var cells = document.querySelectorAll("[data-sla-deadline]");
    for (var i = 0; i < cells.length; i++) {
      var deadline = Date.parse(cells[i].getAttribute("data-sla-deadline"));
      if (isNaN(deadline)) continue;
      var now = label(deadline);
      if (cells[i].textContent !== now.text) cells[i].textContent = now.text;
      cells[i].className = now.cls;
    }
  }
  window.WalkerSla = { tick: tick }; // tests move a deadline and ask for the next tick at once

  function start() {
    if (!document.querySelector("[data-sla-deadline]")) return;
    tick();
    setInterval(tick, 15000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
