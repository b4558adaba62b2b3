// Draws the measure chart from the JSON the page embeds (no inline scripts).
(function () {
  "use strict";
  var source = document.getElementById("measure-chart-data");
  var canvas = document.getElementById("measure-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#1d3f6e", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16", "#4a5568"];
  var dashes = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
  data.datasets.forEach(function (set, i) {
    set.borderColor = palette[i % palette.length];
    set.backgroundColor = palette[i % palette.length];
    set.borderDash = dashes[i % dashes.length];
    set.spanGaps = false;
    set.tension = 0.2;
    set.pointRadius = 2;
  });
  var chart = new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: data.datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, title: { display: true, text: data.unit } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
  canvas.dataset.drawn = "true";
  window.addEventListener("beforeprint", function () { chart.resize(); });
})();
