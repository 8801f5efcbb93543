/* The header menu's groups are <details> and work without this file (a click, a tap, Enter or Space opens and
   closes one). With it, opening a group closes the others, and Escape or a click elsewhere closes an open one. */
(function () {
  "use strict";
  var groups = Array.prototype.slice.call(document.querySelectorAll("details.nav-group"));
  if (!groups.length) { return; }
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) { return; }
      groups.forEach(function (other) { if (other !== group && other.open) { other.open = false; } });
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    groups.forEach(function (group) {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) { if (group.open && !group.contains(event.target)) { group.open = false; } });
  });
}());
