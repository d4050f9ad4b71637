// The admin's language menu changes the language as soon as another one is chosen
// (without JavaScript the form's own button does it).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const menu = document.getElementById("admin-language");
  if (menu) {
    menu.addEventListener("change", () => menu.form.submit());
  }
});
