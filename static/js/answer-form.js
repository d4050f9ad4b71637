// The answer forms of a thematic area (the monitor workspace's and the admin's): the reasons
// for N/A shown only while N/A is ticked, the focus on the summary of a refused save (and
// from its links on the field in error); unsaved-changes.js warns before leaving the page.
// Without it the page works the same: the reasons stay in view, labelled as needed only
// when N/A is ticked, and the summary heads the page.
(function () {
  "use strict";

  // Each block of reasons names its box (data-na-for); it follows the box, on load too.
  function followNotApplicable() {
    document.querySelectorAll("[data-na-for]").forEach(function (block) {
      var box = document.getElementById(block.getAttribute("data-na-for"));
      if (!box) {
        return;
      }
      function follow() {
        block.hidden = !box.checked;
      }
      box.addEventListener("change", follow);
      follow();
    });
  }

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

  function start() {
    followNotApplicable();
    focusSummary();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
