// Forms that follow the answers given so far; every form works without this file.
(function () {
  "use strict";

  // Sections for some kinds of organisation only (fieldset[data-kinds], kinds separated
  // by spaces) show when the kind chosen in select[data-kind-select] is one of them.
  // Without this file they all show, and each says which kinds it is for.
  function showSectionsForKind(select) {
    var kind = select.value;
    select.form.querySelectorAll("[data-kinds]").forEach(function (section) {
      var kinds = section.getAttribute("data-kinds").split(" ");
      section.hidden = kinds.indexOf(kind) === -1;
    });
  }

  // The texts required in the language written first ([data-required-lang]) follow the
  // choice of that language in select[data-original-language].
  function requireTextsIn(select) {
    var lang = select.value;
    select.form.querySelectorAll("[data-required-lang]").forEach(function (field) {
      var required = field.getAttribute("data-required-lang") === lang;
      field.querySelectorAll("input, textarea").forEach(function (input) {
        input.required = required;
        if (required) {
          input.setAttribute("aria-required", "true");
        } else {
          input.removeAttribute("aria-required");
        }
      });
      field.querySelectorAll(".required-mark").forEach(function (mark) {
        mark.hidden = !required;
      });
    });
  }

  function follow(select) {
    if (!select.form) {
      return;
    }
    if (select.hasAttribute("data-kind-select")) {
      showSectionsForKind(select);
    }
    if (select.hasAttribute("data-original-language")) {
      requireTextsIn(select);
    }
  }

  var SELECTS = "select[data-kind-select], select[data-original-language]";
  document.querySelectorAll(SELECTS).forEach(follow);
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(SELECTS)) {
      follow(event.target);
    }
  });
})();
