/* Reservations screens: guest pick, room-type choice from the quote, report charts. No inline script (CSP). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }

  // Clicks inside htmx-swapped content: delegate from the document.
  document.addEventListener("click", function (e) {
    var pick = e.target.closest("[data-pick-guest]");
    if (pick) {
      e.preventDefault();
      var hidden = document.getElementById("id_guest");
      var chosen = document.getElementById("guest-chosen");
      if (hidden) { hidden.value = pick.getAttribute("data-pick-guest"); }
      var pass = document.getElementById("id_guest_pass");
      if (pass) { pass.value = pick.getAttribute("data-guest-pass") || ""; }
      if (chosen) { chosen.textContent = "\u2713 " + pick.getAttribute("data-guest-label"); chosen.setAttribute("data-chosen", "1"); }
      return;
    }
    var choose = e.target.closest("[data-choose-room-type]");
    if (choose) {
      e.preventDefault();
      var select = document.getElementById("id_room_type");
      if (select) { select.value = choose.getAttribute("data-choose-room-type"); select.focus(); }
    }
  });

  ready(function () {
    var data = document.getElementById("report-data");
    var canvas = document.getElementById("report-chart");
    if (!data || !canvas || !window.Chart) { return; }
    var d = JSON.parse(data.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: d.labels,
        datasets: [
          { label: d.titles.occupancy, data: d.occupancy, yAxisID: "pct", borderColor: "#0b5cad" },
          { label: d.titles.adr, data: d.adr, yAxisID: "money", borderColor: "#116329" },
          { label: d.titles.revpar, data: d.revpar, yAxisID: "money", borderColor: "#a40e26" }
        ]
      },
      options: { animation: false, scales: { pct: { position: "left", min: 0, max: 100 }, money: { position: "right", min: 0 } } }
    });
  });
})();
