// The application page: the budget's running total beside the call's limits and rows added
// on the page (unsaved-changes.js warns before leaving it). Without it the page still works:
// empty rows come with every save.
(function () {
  "use strict";

  function start() {
    startBudget();
  }

  function startBudget() {
    var table = document.getElementById("budget-lines");
    var template = document.getElementById("budget-line-template");
    var add = document.getElementById("add-budget-line");
    var totalForms = document.querySelector("input[name$='-TOTAL_FORMS']");
    var output = document.getElementById("budget-total");
    var outside = document.getElementById("budget-outside");
    if (!table || !template || !add || !totalForms || !output) {
      return;
    }
    var body = table.tBodies[0];
    var min = Number(table.dataset.min);
    var max = Number(table.dataset.max);
    var maxForms = Number((document.querySelector("input[name$='-MAX_NUM_FORMS']") || {}).value || 1000);
    // The page's own number format (the server writes 1234.5 in it), not the browser's:
    // Intl has no Georgian format in some browsers and would print "9,500.50".
    var sample = table.dataset.format || "1,234.50";
    var group = sample.charAt(1);
    var decimal = sample.charAt(5);
    var money = {
      format: function (value) {
        var parts = value.toFixed(2).split(".");
        parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, group);
        return parts.join(decimal);
      },
    };

    function recount() {
      var total = 0;
      body.querySelectorAll("tr.budget-line").forEach(function (row) {
        var remove = row.querySelector(".budget-line-remove");
        var amount = row.querySelector("input[name$='-amount']");
        var value = amount ? Number(amount.value.replace(",", ".")) : 0;
        if (!(remove && remove.checked) && isFinite(value) && value > 0) {
          total += value;
        }
      });
      output.textContent = money.format(total);
      if (outside) {
        outside.hidden = !(total > 0 && (total < min || total > max));
      }
    }

    add.hidden = false;
    add.addEventListener("click", function () {
      var index = Number(totalForms.value);
      if (index >= maxForms) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      totalForms.value = String(index + 1);
      var rows = body.querySelectorAll("tr.budget-line");
      var first = rows[rows.length - 1].querySelector("input[name$='-description']");
      if (first) {
        first.focus();
      }
    });
    table.addEventListener("input", recount);
    table.addEventListener("change", recount);
    recount();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
