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

  // The header's menus are <details>: they open and close without this file. With it, Escape
  // closes an open menu (focus goes back to its button when it was inside), and so does a
  // click or a move of the focus outside it.
  var MENUS = "details.account-menu, details.site-menu";
  function closeMenus(except) {
    document.querySelectorAll(MENUS).forEach(function (menu) {
      if (menu.open && menu !== except) {
        menu.open = false;
      }
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = document.activeElement && document.activeElement.closest(MENUS);
    if (menu && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    } else {
      closeMenus(null);
    }
  });
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest(MENUS) : null);
  });
  document.addEventListener("focusin", function (event) {
    closeMenus(event.target.closest ? event.target.closest(MENUS) : null);
  });

  // Print buttons (hidden without this file: the browser's own Print does the same).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
