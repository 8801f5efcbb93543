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
      xAxis: { type: "value", max: 150 },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [
        // bars stop at 150% so that one target far ahead does not flatten the others; the label keeps the value
        { name: data.series[0], type: "bar", data: data.done.map(function (v) { return Math.min(v, 150); }),
          label: { show: true, position: "right", formatter: function (p) { return data.done[p.dataIndex] + "%"; } } },
        { name: data.series[1], type: "bar", data: data.elapsed }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-trend]").forEach(function (element) {
    var points = data.trends[element.getAttribute("data-trend")] || [];
    if (points.length < 2) {  // one month is a number, not a dot
      element.textContent = points.length ? String(points[0][1]) : "–";
      element.classList.add("spark-single");
      return;
    }
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
