(function () {
  var node = document.getElementById("charts-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  var target = data.target === null ? [] : [{ yAxis: data.target, name: "target" }];
  chart("chart-months", { tooltip: { trigger: "axis" }, grid: { left: 40, right: 20, bottom: 30, top: 20 },
    xAxis: { type: "category", data: data.months.labels }, yAxis: { type: "value", min: 0, max: 100 },
    series: [{ type: "line", smooth: true, data: data.months.values,
      markLine: { silent: true, symbol: "none", data: target, lineStyle: { type: "dashed" } } }] });
  chart("chart-dimensions", { tooltip: {}, grid: { left: 70, right: 20, bottom: 20, top: 10 },
    yAxis: { type: "category", data: data.dimensions.labels }, xAxis: { type: "value", min: 0, max: 100 },
    series: [{ type: "bar", data: data.dimensions.values }] });
})();
