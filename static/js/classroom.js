/* Small helpers for the classroom pages; every page works without them. */
(function () {
  "use strict";

  // Print buttons on the login cards page: the cards, or the letters home
  // (the same choice the radio buttons make without script).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var choice = button.getAttribute("data-print-choice");
      var radio = choice && document.getElementById("print-" + choice);
      if (radio) { radio.checked = true; }
      window.print();
    });
  });

  // "Select all" in the student list ticks every student checkbox.
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    var name = box.getAttribute("data-select-all");
    var form = box.form;
    var label = box.closest("[data-select-all-label]");
    if (label) { label.hidden = false; }
    box.addEventListener("change", function () {
      form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });
})();
