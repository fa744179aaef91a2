// demarc dashboard: small progressive enhancements. Every page works
// without this script; with it, filter selects apply on change and empty
// fields stay out of the address.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (el) {
        if ((el.type === "checkbox" && !el.checked) || el.value === "") {
          el.disabled = true;
        }
      });
      // Re-enable after the navigation starts, in case it is cancelled.
      setTimeout(function () {
        form.querySelectorAll("input, select").forEach(function (el) { el.disabled = false; });
      }, 0);
    });
  });
  document.querySelectorAll(".autosubmit").forEach(function (el) {
    el.addEventListener("change", function () {
      if (el.form.requestSubmit) {
        el.form.requestSubmit();
      } else {
        el.form.submit();
      }
    });
  });
  document.body.setAttribute("data-ready", "1");
});
