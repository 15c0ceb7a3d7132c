// Line charts as plain SVG: a few polylines over a time axis, nothing to download (why not a
// charting library: README, Dashboard). drawChart(svg, series, unit) redraws the whole chart;
// series: [{name, color, points: [[t, value|null], ...]}]. The svg's data-last attribute holds
// the first series' last value, which the browser test reads to see the chart move.
"use strict";
function drawChart(svg, series, unit) {
  const W = 320, H = 140, L = 34, R = 6, T = 8, B = 18;
  const NS = "http://www.w3.org/2000/svg";
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const all = series.flatMap(s => s.points.filter(p => p[1] !== null && p[1] !== undefined));
  const el = (name, attrs, text) => {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  };
  const first = series[0] && series[0].points.length ? series[0].points[series[0].points.length - 1][1] : null;
  svg.setAttribute("data-last", first === null || first === undefined ? "" : String(first));
  svg.setAttribute("data-points", String(series[0] ? series[0].points.length : 0));
  if (all.length === 0) {
    el("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "no data yet");
    return;
  }
  const t0 = Math.min(...all.map(p => p[0])), t1 = Math.max(...all.map(p => p[0]));
  let vmax = Math.max(...all.map(p => p[1]));
  vmax = vmax <= 0 ? 1 : niceCeil(vmax);
  const x = t => L + (t1 === t0 ? (W - L - R) : (t - t0) / (t1 - t0) * (W - L - R));
  const y = v => T + (1 - v / vmax) * (H - T - B);
  for (const f of [0, 0.5, 1]) {
    el("line", { x1: L, x2: W - R, y1: y(vmax * f), y2: y(vmax * f), class: "grid" });
    el("text", { x: L - 3, y: y(vmax * f) + 3, "text-anchor": "end" }, fmt(vmax * f));
  }
  el("text", { x: L, y: H - 4 }, Math.round(t1 - t0) + " s");
  el("text", { x: W - R, y: H - 4, "text-anchor": "end" }, unit);
  series.forEach((s, i) => {
    // A gap (null) breaks the line rather than drawing it through zero.
    let run = [];
    const flush = () => {
      if (run.length > 1) el("polyline", { points: run.join(" "), fill: "none", stroke: s.color, "stroke-width": 1.6 });
      else if (run.length === 1) { const [px, py] = run[0].split(","); el("circle", { cx: px, cy: py, r: 1.8, fill: s.color }); }
      run = [];
    };
    for (const p of s.points) {
      if (p[1] === null || p[1] === undefined) flush();
      else run.push(x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1));
    }
    flush();
    if (series.length > 1) el("text", { x: W - R - 2 - (series.length - 1 - i) * 28, y: T + 8, "text-anchor": "end", style: "fill:" + s.color }, s.name);
  });
}
function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}
function fmt(v) { return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2); }
