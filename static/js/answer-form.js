// The answer forms of a thematic area (the monitor workspace's and the admin's): the reasons
// for N/A shown only while N/A is ticked; error-summary.js takes the focus to a refused
// save's summary, unsaved-changes.js warns before leaving the page. Without it the page
// works the same: the reasons stay in view, labelled as needed only when N/A is ticked.
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

  function start() {
    followNotApplicable();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
