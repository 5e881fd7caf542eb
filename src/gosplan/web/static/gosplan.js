// The pages' little behaviour, in a file rather than inline so that the Content-Security-Policy can
// forbid inline scripts: league-table selects navigate on change; the indicator page draws its chart
// from the JSON data block #chart-data (plotly.js is loaded by that page).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-navigate]").forEach(function (select) {
    select.addEventListener("change", function () {
      var params = new URLSearchParams(window.location.search);
      params.set(select.dataset.navigate, select.value);
      window.location.search = params.toString();
    });
  });
  var data = document.getElementById("chart-data");
  if (data && window.Plotly) {
    var d = JSON.parse(data.textContent);
    window.Plotly.newPlot("chart", d.traces, d.layout, {responsive: true, displaylogo: false});
  }
});
