/* Small behaviours for the back-office. No inline script anywhere (CSP): everything lives here. */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    // Forms marked data-autosubmit submit when their select changes; the button stays for keyboards without JS.
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // Buttons with data-print print the page (print stylesheet gives one clean page).
    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
    });
    // Confirmation for destructive buttons: data-confirm="message".
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (e) { if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); } });
    });
  });
})();
