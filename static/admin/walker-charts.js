/* Drill-down for unfold's Chart.js charts: a click on a bar or point opens the list behind it.
 *
 * unfold (app.js) draws every canvas.chart on "load"; this runs just after it and adds, for
 * each chart inside [data-drill] (links by dataset, then index), a click handler and a pointer
 * cursor. Charts swapped in later by walker-live.js are drawn here with their own options.
 * Loaded in <head> by UNFOLD["SCRIPTS"].
 */
(function () {
  "use strict";

  function chartFor(canvas) {
    var chart = window.Chart.getChart(canvas);
    if (chart) return chart;
    return new window.Chart(canvas.getContext("2d"), {
      type: canvas.dataset.type || "bar",
      data: JSON.parse(canvas.dataset.value),
      options: JSON.parse(canvas.dataset.options || "{}"),
    });
  }

  function attach(root) {
    if (!window.Chart || !root) return;
    root.querySelectorAll("[data-drill]").forEach(function (box) {
      var canvas = box.querySelector("canvas.chart");
      if (!canvas || !canvas.dataset.value) return;
      var links = JSON.parse(box.dataset.drill || "[]");
      var chart = chartFor(canvas);
      chart.options.onClick = function (event, elements) {
        if (!elements.length) return;
        var url = (links[elements[0].datasetIndex] || [])[elements[0].index];
        if (url) window.location.assign(url);
      };
      chart.options.onHover = function (event, elements) {
        var url = elements.length && (links[elements[0].datasetIndex] || [])[elements[0].index];
        event.native.target.style.cursor = url ? "pointer" : "default";
      };
      chart.update();
      box.dataset.drillReady = "1";
    });
  }

  window.walkerCharts = { attach: attach };
  window.addEventListener("load", function () {
    setTimeout(function () { attach(document); }, 0); // after unfold's own load handler drew the charts
  });
})();
