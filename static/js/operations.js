/* The operations page: the slowest-routes chart. Data comes from a json_script tag (CSP: no inline script). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    var canvas = document.getElementById("route-chart");
    var source = document.getElementById("route-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: canvas.getAttribute("data-label-p50"), data: data.p50 },
          { label: canvas.getAttribute("data-label-p95"), data: data.p95 }
        ]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        animation: false,
        scales: { x: { beginAtZero: true, title: { display: true, text: "ms" } } }
      }
    });
  });
})();
