/* The dashboards' charts, drawn with uPlot (linli/static/vendor/uplot) from the JSON in each
   chart's data-chart attribute. The table beside each chart carries the
   same numbers for screen readers and for anyone without JavaScript (the chart is aria-hidden). */
(function () {
  "use strict";
  // Colours with at least 3:1 against white (WCAG 1.4.11), told apart by dash and point shape too.
  var COLOURS = ["#0b5d52", "#b34700", "#3949ab", "#8e2469"];
  var DASHES = [[], [8, 4], [2, 3], [12, 4, 2, 4]];
  var charts = [];

  function fontPx(el) {
    return parseFloat(getComputedStyle(el).fontSize) || 16;
  }

  function draw(el) {
    if (!window.uPlot || el.getAttribute("data-drawn")) return;
    el.setAttribute("data-drawn", "1");
    var data = JSON.parse(el.getAttribute("data-chart"));
    var n = data.labels.length;
    var px = fontPx(el);
    var font = Math.round(px * 0.8) + "px system-ui, sans-serif";
    var bars = data.kind === "bars";
    var xs = [];
    for (var i = 0; i < n; i++) xs.push(i);
    var unit = data.unit === "percent" ? "%" : "";
    var series = [{ label: data.xlabel || "", value: function (u, v) { return v == null ? "" : data.labels[v]; } }];
    var values = [xs];
    data.series.forEach(function (s, k) {
      var colour = COLOURS[k % COLOURS.length];
      var one = {
        label: s.label,
        stroke: colour,
        width: 2,
        dash: DASHES[k % DASHES.length],
        points: { show: true, size: 6 + 2 * k, fill: colour },
        value: function (u, v) { return v == null ? "—" : v + unit; }
      };
      if (bars) {
        one.fill = colour;
        one.paths = uPlot.paths.bars({ size: [0.6, 80] });
        one.points = { show: false };
      }
      series.push(one);
      values.push(s.values);
    });
    var width = Math.max(el.clientWidth, 240);
    var opts = {
      width: width,
      height: Math.round(Math.min(360, Math.max(200, width * 0.55)) + (bars ? px * 3 : 0)),
      series: series,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: [-0.5, n - 0.5] },
        y: { range: function (u, min, max) { return [0, data.unit === "percent" ? 100 : Math.max(1, max * 1.1)]; } }
      },
      axes: [
        {
          font: font,
          stroke: "#1b1b1b",
          rotate: bars && n > 3 ? -40 : 0,
          size: bars && n > 3 ? px * 5 : px * 2.5,
          splits: function () { return xs; },
          values: function (u, splits) {
            var every = Math.ceil(n / Math.max(1, Math.floor(u.width / (px * (bars ? 2.5 : 4.5)))));
            return splits.map(function (v, j) {
              var label = data.labels[v];
              if (label == null || j % every) return "";
              return bars ? label : label.slice(2);
            });
          }
        },
        { font: font, stroke: "#1b1b1b", size: px * 3.6, values: function (u, ticks) { return ticks.map(function (t) { return t + unit; }); } }
      ]
    };
    el.textContent = "";
    charts.push({ el: el, plot: new uPlot(opts, values, el) });
  }

  function drawAll(root) {
    charts = charts.filter(function (c) { return document.body.contains(c.el); });
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) { c.plot.setSize({ width: Math.max(c.el.clientWidth, 240), height: c.plot.height }); });
    }, 150);
  });
  // htmx:load fires for the page once htmx starts and for every piece it swaps in.
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:load", function (e) { drawAll(e.detail.elt); });
})();
