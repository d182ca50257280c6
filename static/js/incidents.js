/* Small helpers for the report pages; every page works without them. */
(function () {
  "use strict";

  // "Leave this page quickly": replace this page in the history, so that the
  // back button does not return to it.
  document.querySelectorAll("[data-quick-exit]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.replace(link.href);
    });
  });

  // Copy the receipt (only offered where the clipboard is available).
  document.querySelectorAll("[data-copy-receipt]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var status = document.querySelector(".copy-status");
      navigator.clipboard.writeText(button.getAttribute("data-copy-receipt")).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied") || "✓"; }
      });
    });
  });

  // Print buttons on the case summary and the poster.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Move focus to the error summary so that screen readers announce it.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
