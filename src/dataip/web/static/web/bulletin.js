// The bulletin's charts: ECharts (static/vendor/echarts.min.js) draws each [data-chart] from
// the JSON data block #bulletin-data; the table under each chart carries the same figures.
(function () {
  "use strict";
  var block = document.getElementById("bulletin-data");
  if (!block || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(block.textContent);
  var builders = {
    trend: function (d) {
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        xAxis: { type: "category", data: d.categories },
        yAxis: { type: "value", minInterval: 1 },
        series: d.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data };
        }),
      };
    },
    industries: function (d) {
      return {
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: d.items }],
      };
    },
    provinces: function (d) {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 100 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: d.categories.slice().reverse() },
        series: [{ name: d.name, type: "bar", data: d.values.slice().reverse() }],
      };
    },
    amounts: function (d) {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 100 },
        xAxis: { type: "category", data: d.categories },
        yAxis: { type: "value" },
        series: [{ name: d.name, type: "bar", data: d.values }],
      };
    },
  };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var key = el.getAttribute("data-chart");
    if (!builders[key] || !data[key]) {
      return;
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var option = builders[key](data[key]);
    option.animation = false;
    chart.setOption(option);
    el.setAttribute("data-rendered", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) {
      c.resize();
    });
  });
})();
