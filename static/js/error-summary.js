// The summary at the top of a refused form (#error-summary): it takes the focus, so that it
// is read first, and each of its links takes the focus to its field. Without it the page
// works the same: the summary heads the page and its links scroll to the fields.
(function () {
  "use strict";

  // Following a link to an input only scrolls: each link takes the focus to its field, with
  // the heading of its answer or group, or at least the field's label, in view.
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      // A field in a closed group (<details>) is shown first.
      for (var open = field.closest("details"); open; open = open.parentElement.closest("details")) {
        open.open = true;
      }
      // The answer's card (or the group of fields) from its heading, when the field fits
      // below it (the sticky buttons take the foot of the window); otherwise the field from
      // its label.
      var card = field.closest(".answer-card, .answer-module, fieldset.card, fieldset.module");
      var group = field.closest(".mb-3, .answer-field, .form-row") || field;
      var fits =
        card &&
        field.getBoundingClientRect().bottom - card.getBoundingClientRect().top <
          window.innerHeight - 96;
      (fits ? card : group).scrollIntoView();
      field.focus({ preventScroll: true });
      history.replaceState(null, "", link.getAttribute("href"));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
