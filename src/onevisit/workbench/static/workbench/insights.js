// Draws the dashboard's monthly charts with ECharts (served from our own static files). The same
// figures are in the table under the charts, for screen readers and without JavaScript.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("insights-chart");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var palette = ["#1d4f91", "#c2410c", "#047857", "#6d28d9", "#b45309"];
    var common = {
      color: palette,
      textStyle: { fontFamily: "inherit" },
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 48, top: 48, bottom: 32, containLabel: true },
      legend: { top: 0, type: "scroll" },
      xAxis: { type: "category", data: data.months },
    };
    var volume = echarts.init(document.getElementById("chart-volume"), null, { renderer: "canvas" });
    volume.setOption(Object.assign({}, common, {
      yAxis: [
        { type: "value", name: data.labels.volume },
        { type: "value", name: data.labels.rate, min: 0, max: 100 },
      ],
      series: [
        { name: data.labels.volume, type: "bar", data: data.volume },
        { name: data.series[0].name, type: "line", yAxisIndex: 1, data: data.series[0].data, connectNulls: false },
      ],
    }));
    var rates = echarts.init(document.getElementById("chart-rates"), null, { renderer: "canvas" });
    rates.setOption(Object.assign({}, common, {
      yAxis: { type: "value", name: data.labels.rate, min: 0, max: 100 },
      series: data.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; }),
    }));
    window.addEventListener("resize", function () { volume.resize(); rates.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
