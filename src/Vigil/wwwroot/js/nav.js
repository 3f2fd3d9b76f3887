// On a narrow screen the navigation folds behind its "Menu" button. Without this script the
// navigation simply stays open (the CSS folds it only once the "collapsible" class is set).
(function () {
  "use strict";
  var nav = document.querySelector("nav.sidebar");
  var button = nav && nav.querySelector(".nav-toggle");
  if (!button) {
    return;
  }
  nav.classList.add("collapsible");
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
