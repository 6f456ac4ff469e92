// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // After an HTMX swap, move focus to what changed so keyboard and screen-reader
  // users land on it: the error summary of a re-rendered form, else an element
  // marked data-focus-after-swap, else the first invalid field.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt;
    if (!root || !root.querySelector) {
      return;
    }
    var target =
      root.querySelector("[data-focus-after-swap]") ||
      root.querySelector("[aria-invalid='true']");
    if (target) {
      target.focus();
    }
  });

  // Print buttons (hidden without this file: the browser's own Print does the same).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
