/* The "需求对接" section's chart: needs per "6+3" industry, drawn from the numbers its table shows (json_script),
   SVG, no inline script. Loaded deferred: on the dashboard after its ECharts, elsewhere after the section's. */
(function () {
  "use strict";
  var source = document.getElementById("needs-industry-data");
  var element = document.getElementById("chart-needs-industry");
  if (!source || !element || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.labels, inverse: true },
    series: [{ name: data.series, type: "bar", data: data.values, label: { show: true, position: "right" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
