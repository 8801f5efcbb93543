/* The dashboard's charts: drawn from the numbers the page's tables show (json_script), SVG, no inline script. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);

  var bars = document.getElementById("chart-targets");
  if (bars) {
    var chart = window.echarts.init(bars, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      legend: { data: data.series, top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: function (v) { return Math.max(100, v.max); } },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [
        { name: data.series[0], type: "bar", data: data.done, label: { show: true, position: "right" } },
        { name: data.series[1], type: "bar", data: data.elapsed }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-trend]").forEach(function (element) {
    var points = data.trends[element.getAttribute("data-trend")] || [];
    var spark = window.echarts.init(element, null, { renderer: "svg" });
    spark.setOption({
      animation: false,
      grid: { left: 2, right: 2, top: 2, bottom: 2 },
      xAxis: { type: "category", show: false, data: points.map(function (p) { return p[0]; }) },
      yAxis: { type: "value", show: false },
      series: [{ type: "line", data: points.map(function (p) { return p[1]; }), symbolSize: 3 }]
    });
  });
})();
