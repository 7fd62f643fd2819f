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
  chart("chart-grade", { tooltip: {}, series: [{ type: "pie", radius: ["40%", "70%"], data: data.grade }] });
  chart("chart-region", { tooltip: {}, grid: { left: 40, right: 10, bottom: 30, top: 10 },
    xAxis: { type: "category", data: data.region.labels }, yAxis: { type: "value" },
    series: [{ type: "bar", data: data.region.values }] });
  chart("chart-channel", { tooltip: {}, series: [{ type: "pie", radius: "65%", data: data.channel }] });
  chart("chart-months", { tooltip: {}, grid: { left: 40, right: 10, bottom: 30, top: 10 },
    xAxis: { type: "category", data: data.months.labels }, yAxis: { type: "value" },
    series: [{ type: "line", smooth: true, areaStyle: {}, data: data.months.values }] });
})();
