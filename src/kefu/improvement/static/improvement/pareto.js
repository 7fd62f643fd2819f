(function () {
  var node = document.getElementById("pareto-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  Object.keys(data).forEach(function (kind) {
    var el = document.getElementById("chart-" + kind);
    var rows = data[kind];
    if (!el || !rows.labels.length) return;
    var c = echarts.init(el);
    c.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 36, right: 40, bottom: 60, top: 16 },
      xAxis: { type: "category", data: rows.labels, axisLabel: { interval: 0, rotate: 30, width: 90, overflow: "truncate" } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { type: "bar", data: rows.counts },
        { type: "line", yAxisIndex: 1, data: rows.cumulative,
          markLine: { silent: true, symbol: "none", label: { show: false }, data: [{ yAxis: 80 }], lineStyle: { type: "dashed" } } }
      ]
    });
    window.addEventListener("resize", function () { c.resize(); });
  });
})();
