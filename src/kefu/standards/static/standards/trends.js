// Draws the KPI trend charts once the fragment with their data has been swapped in.
(function () {
  function draw() {
    var node = document.getElementById("trends-data");
    if (!node || !window.echarts) return;
    var trends = JSON.parse(node.textContent);
    document.querySelectorAll(".kpi-trend").forEach(function (el) {
      var t = trends[Number(el.dataset.index)];
      var series = [{ name: t.name, type: "line", data: t.values, connectNulls: false }];
      t.targets.forEach(function (line) {
        series.push({ name: line.name, type: "line", step: "end", symbol: "none", data: line.values,
          lineStyle: { type: "dashed", width: 1 } });
      });
      var chart = echarts.init(el);
      chart.setOption({ tooltip: { trigger: "axis" }, legend: { bottom: 0, textStyle: { fontSize: 10 } },
        grid: { left: 40, right: 10, top: 10, bottom: 56 },
        xAxis: { type: "category", data: t.months }, yAxis: { type: "value", scale: true }, series: series });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "trends") draw();
  });
})();
