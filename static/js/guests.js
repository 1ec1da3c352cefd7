/* Guest profile behaviours. No inline script (CSP). A revealed value must not survive leaving the
   page: it is removed before the page goes into the back/forward cache, and a page restored from
   that cache reloads (the server answers masked again). */
(function () {
  "use strict";
  window.addEventListener("pagehide", function () {
    document.querySelectorAll("[data-revealed]").forEach(function (el) { el.textContent = "••••"; });
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && document.querySelector("[data-revealed], .reveal")) { window.location.reload(); }
  });
})();
