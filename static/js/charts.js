// Draws the charts on a measure page from the JSON each one embeds (no inline scripts).
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#1d3f6e", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16", "#4a5568"];
  var dashes = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
  var charts = [];

  // A dashed vertical line where a measure's figures change meaning (a series break).
  var seriesBreak = {
    id: "seriesBreak",
    afterDatasetsDraw: function (chart) {
      var index = chart.config.options.seriesBreakIndex;
      if (index === null || index === undefined) { return; }
      var x = chart.scales.x.getPixelForValue(index) - (chart.scales.x.width / Math.max(chart.data.labels.length, 1)) / 2;
      var area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#c05621";
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, area.top);
      ctx.lineTo(x, area.bottom);
      ctx.stroke();
      ctx.fillStyle = "#c05621";
      ctx.font = "12px sans-serif";
      ctx.fillText("Series break", x + 4, area.top + 12);
      ctx.restore();
    }
  };

  function read(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function baseOptions(unit) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, title: { display: true, text: unit } } },
      plugins: { legend: { position: "bottom" } }
    };
  }

  function combined(canvas, data) {
    data.datasets.forEach(function (set, i) {
      set.borderColor = palette[i % palette.length];
      set.backgroundColor = palette[i % palette.length];
      set.borderDash = dashes[i % dashes.length];
      set.spanGaps = false;
      set.tension = 0.2;
      set.pointRadius = 2;
    });
    var options = baseOptions(data.unit);
    options.seriesBreakIndex = data.breakIndex;
    return new Chart(canvas, { type: "line", data: { labels: data.labels, datasets: data.datasets },
                               options: options, plugins: [seriesBreak] });
  }

  function xmr(canvas, data) {
    var good = "#198754", bad = "#dc3545", plain = "#1d3f6e";
    // Each flagged point comes with the server's judgement ("improving" or "worsening", by the
    // measure's desired direction): the chart only draws it.
    var colours = data.flags.map(function (flag) {
      if (flag === "improving") { return good; }
      if (flag === "worsening") { return bad; }
      return plain;
    });
    var datasets = [{
      label: "Figure", data: data.values, borderColor: plain, backgroundColor: colours,
      pointBackgroundColor: colours, pointRadius: data.flags.map(function (f) { return f ? 5 : 2; }),
      spanGaps: false, tension: 0
    }];
    var styles = {
      mean: { label: "Centre line", color: "#6c757d", dash: [6, 4] },
      upper: { label: "Upper process limit", color: "#adb5bd", dash: [3, 3] },
      lower: { label: "Lower process limit", color: "#adb5bd", dash: [3, 3] },
      baseline: { label: "2010/11 baseline", color: "#c05621", dash: [1, 3] },
      target: { label: "Target", color: "#2f855a", dash: [1, 3] }
    };
    Object.keys(styles).forEach(function (key) {
      if (!data.lines[key]) { return; }
      datasets.push({ label: styles[key].label, data: data.lines[key], borderColor: styles[key].color,
                      borderDash: styles[key].dash, pointRadius: 0, borderWidth: 1.5, fill: false });
    });
    var options = baseOptions(data.unit);
    options.scales.y.beginAtZero = false;  // the limits matter more than zero here
    options.plugins.legend.labels = { boxWidth: 18, font: { size: 11 } };
    options.seriesBreakIndex = data.breakIndex;
    return new Chart(canvas, { type: "line", data: { labels: data.labels, datasets: datasets }, options: options,
                               plugins: [seriesBreak] });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = read(canvas);
    if (!data) { return; }
    charts.push(canvas.dataset.chart === "xmr" ? xmr(canvas, data) : combined(canvas, data));
    canvas.dataset.drawn = "true";
  });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
