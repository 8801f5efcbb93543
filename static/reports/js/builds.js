/* Follow the builds still running: poll their status, reload the page when one finishes (no inline script). */
(function () {
  "use strict";
  var rows = document.querySelectorAll("tr[data-status-url]");
  if (!rows.length) { return; }
  function poll() {
    var pending = 0;
    var requests = Array.prototype.map.call(rows, function (row) {
      return fetch(row.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          row.querySelector("progress").value = data.progress;
          row.querySelector(".label").textContent = data.label;
          row.querySelector(".build-message").textContent = data.message;
          if (data.status === "queued" || data.status === "running") { pending += 1; }
          else { row.removeAttribute("data-status-url"); }
        });
    });
    Promise.all(requests).then(function () {
      if (pending) { window.setTimeout(poll, 1500); } else { window.location.reload(); }
    });
  }
  window.setTimeout(poll, 1000);
})();
