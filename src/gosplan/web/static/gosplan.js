// gosplan pages: the little behaviour they need, kept out of the HTML so that a strict
// Content-Security-Policy (script-src 'self') allows it.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // <select data-navigate="indicator">: choosing an option reloads the page with ?indicator=<value>.
  document.querySelectorAll("select[data-navigate]").forEach(function (select) {
    select.addEventListener("change", function () {
      var params = new URLSearchParams(window.location.search);
      params.set(select.dataset.navigate, select.value);
      window.location.search = params.toString();
    });
  });

  // The report form's "show the indicators of another month" link follows the month field.
  document.querySelectorAll("a[data-month-link]").forEach(function (link) {
    var month = document.getElementById("period");
    if (!month) { return; }
    var update = function () { link.href = "?period=" + encodeURIComponent(month.value); };
    month.addEventListener("change", update);
    month.addEventListener("input", update);
  });

  // <div id="chart"> with <script type="application/json" id="chart-data">: a plotly chart.
  var data = document.getElementById("chart-data");
  if (data && window.Plotly) {
    var d = JSON.parse(data.textContent);
    window.Plotly.newPlot("chart", d.traces, d.layout, {responsive: true, displaylogo: false});
  }
});
