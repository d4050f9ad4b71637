// Names for the controls that Django's admin scripts build in the browser, which screen
// readers would otherwise announce without one:
// - an autocomplete box (Select2) is named by its field's label (or its inline column's
//   heading), then by what is chosen;
// - the magnifier before a filter box of a two-list choice (filter_horizontal) says what
//   the box is for in an aria-label, which ARIA allows on a <span> only with a role.
// The boxes are built when the page has loaded, and again for every inline row added, so
// they are named as they appear.
"use strict";
(() => {
  let count = 0;

  // The element whose text names `select`: its <label>, or the heading of its column in
  // a tabular inline; given an id to be pointed at.
  function nameOf(select) {
    let name = select.id ? document.querySelector(`label[for="${CSS.escape(select.id)}"]`) : null;
    const cell = select.closest("td[class*='field-']");
    if (!name && cell) {
      const column = [...cell.classList].find((c) => c.startsWith("field-")).slice(6);
      name = cell.closest("table")?.querySelector(`thead th.column-${CSS.escape(column)}`);
    }
    if (name && !name.id) {
      count += 1;
      name.id = `${select.id || "select"}-name-${count}`;
    }
    return name;
  }

  function nameSelect2(selection) {
    const container = selection.closest(".select2-container");
    const select = container?.previousElementSibling;
    if (!select || select.tagName !== "SELECT") {
      return;
    }
    const name = nameOf(select);
    if (!name) {
      return;
    }
    const shown = selection.querySelector(".select2-selection__rendered");
    const ids = [name.id];
    if (shown?.id) {
      ids.push(shown.id);
      shown.setAttribute("aria-labelledby", name.id);
    }
    selection.setAttribute("aria-labelledby", ids.join(" "));
  }

  function name(root) {
    for (const selection of root.querySelectorAll(".select2-selection:not([data-named])")) {
      selection.dataset.named = "";
      nameSelect2(selection);
    }
    for (const icon of root.querySelectorAll(".search-label-icon[aria-label]:not([role])")) {
      icon.setAttribute("role", "img");
    }
  }

  const observer = new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          name(node.parentElement || node);
        }
      }
    }
  });
  document.addEventListener("DOMContentLoaded", () => {
    name(document);
    observer.observe(document.body, { childList: true, subtree: true });
  });
})();
