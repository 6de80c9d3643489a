/* Keeps filter URLs short: fields left at "any" are not sent. Without JS the form still works. */
(function () {
  "use strict";
  document.querySelectorAll("form.filter-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (field) {
        if (field.name && (field.value === "" || field.value === "unknown")) {
          field.disabled = true;
        }
      });
    });
  });
  /* Re-enable on back/forward navigation from the bfcache. */
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.filter-form [disabled]").forEach(function (field) {
      field.disabled = false;
    });
  });
})();
