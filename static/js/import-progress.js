// Polls a background import's progress and reloads the page when it has finished (no inline scripts).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = box.querySelector(".progress-bar");
  var note = document.getElementById("import-progress-note");
  bar.style.width = box.getAttribute("aria-valuenow") + "%";  // set from script: no inline styles
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.style.width = data.progress + "%";
        bar.textContent = data.progress + "%";
        box.setAttribute("aria-valuenow", data.progress);
        if (note) { note.textContent = data.note || data.status_label; }
        if (data.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
