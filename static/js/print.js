/* A "Print" button (data-print) opens the browser's print dialog; without JS, the browser's own menu prints. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
