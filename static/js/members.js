/* Members screens: churn charts from json_script data. No inline script (CSP). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    var data = document.getElementById("churn-data");
    if (!data || !window.Chart) { return; }
    var d = JSON.parse(data.textContent);
    [["churn-tiers", d.tiers], ["churn-months", d.months]].forEach(function (pair) {
      var canvas = document.getElementById(pair[0]);
      if (!canvas || !pair[1]) { return; }
      new window.Chart(canvas, {
        type: "bar",
        data: { labels: pair[1].labels, datasets: [{ label: d.title, data: pair[1].data, backgroundColor: "#0b5cad" }] },
        options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    });
  });
})();
