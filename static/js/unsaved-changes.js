// A warning before leaving a page with changes not saved, for every form marked
// data-warn-unsaved (the answer forms of an area, a grant application). The browser asks
// while something typed or chosen is not saved yet; the form's own buttons save it. A
// refused save comes back with what was typed, not saved yet (data-unsaved): leaving would
// lose it too.
(function () {
  "use strict";

  function warnBeforeLeaving(form) {
    var dirty = form.hasAttribute("data-unsaved");
    var submitting = false;
    function changed() {
      dirty = true;
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      submitting = true;
    });
    // Coming back to the page from the history: it is the page as it was left.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        submitting = false;
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  function start() {
    document.querySelectorAll("form[data-warn-unsaved]").forEach(warnBeforeLeaving);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
