// The quarterly review page: status and rating kept in step (Complete on one selects Complete on the
// other), and an objective's "no change" box ticks the boxes of its rows. The server applies the same
// rules without this script; it only saves clicks.
(function () {
  "use strict";
  function pair(select, otherSuffix) {
    var other = document.getElementById(select.id.replace(/-(status|rag)$/, otherSuffix));
    return other;
  }
  document.querySelectorAll("select[id$='-status'], select[id$='-rag']").forEach(function (select) {
    select.addEventListener("change", function () {
      var isStatus = /-status$/.test(select.id);
      var other = pair(select, isStatus ? "-rag" : "-status");
      if (!other) { return; }
      if (select.value === "complete") {
        other.value = "complete";
      } else if (other.value === "complete") {
        other.value = "";
      }
    });
  });
  document.querySelectorAll("input[name$='-no_change'][name^='o']").forEach(function (box) {
    box.addEventListener("change", function () {
      var section = box.closest("[data-objective]");
      if (!section) { return; }
      section.querySelectorAll("input[name$='-no_change'][name^='d']").forEach(function (row) {
        row.checked = box.checked;
      });
    });
  });
})();
