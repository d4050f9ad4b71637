// The summary at the top of a refused form (#error-summary): it takes the focus, so that it
// is read first, and each of its links takes the focus to its field. Without it the page
// works the same: the summary heads the page and its links scroll to the fields.
(function () {
  "use strict";

  // A refused save: the summary takes the focus, so that it is read first; each of its
  // links takes the focus to its field (following a link to an input only scrolls), with
  // the answer's heading, or at least the field's label, in view.
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
      // The answer's card from its heading, when the field fits below it (the sticky
      // buttons take the foot of the window); otherwise the field from its label.
      var card = field.closest(".answer-card, .answer-module");
      var group = field.closest(".mb-3, .answer-field") || field;
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
