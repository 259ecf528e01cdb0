/**
 * The browser half of the HTML report: plain ES2019 that reads the embedded
 * summary and draws three uPlot charts. Kept as a string (not bundled) so the
 * report stays one self-contained file with no build step. Each chart's
 * container gets `data-points` (points drawn) so tests can tell it drew.
 */
export const CHARTS_SCRIPT = `
(function () {
  'use strict';
  var summary = JSON.parse(document.getElementById('summary-data').textContent);
  var COLORS = { p50: '#2b8a3e', p90: '#e8a317', p99: '#d9480f', svc: '#1c7ed6', target: '#868e96', achieved: '#1c7ed6', errors: '#e03131' };

  function width(el) { return Math.max(320, Math.min(1100, el.clientWidth || 900)); }
  function ms(v) { return v == null ? '' : v === 0 ? '0' : (v >= 1000 ? (v / 1000).toFixed(2) + ' s' : (v >= 10 ? v.toFixed(0) : v.toFixed(2)) + ' ms'); }

  function draw(id, opts, data) {
    var el = document.getElementById(id);
    var n = 0;
    for (var i = 1; i < data.length; i++) for (var j = 0; j < data[i].length; j++) if (data[i][j] != null) n++;
    el.setAttribute('data-points', String(n));
    if (data[0].length === 0) { el.textContent = 'no data'; return; }
    opts.width = width(el);
    opts.height = 280;
    var plot = new uPlot(opts, data, el);
    window.addEventListener('resize', function () { plot.setSize({ width: width(el), height: 280 }); });
  }

  var series = summary.series || [];
  var t = series.map(function (s) { return s.t; });
  var pick = function (f) { return series.map(f); };

  draw('chart-latency', {
    scales: { x: { time: false } },
    axes: [{ label: 'seconds since start' }, { label: 'latency', values: function (u, vs) { return vs.map(ms); }, size: 70 }],
    series: [
      { label: 't (s)' },
      { label: 'p50', stroke: COLORS.p50, width: 1.5, value: function (u, v) { return ms(v); } },
      { label: 'p90', stroke: COLORS.p90, width: 1.5, value: function (u, v) { return ms(v); } },
      { label: 'p99', stroke: COLORS.p99, width: 2, value: function (u, v) { return ms(v); } },
      { label: 'service time p99', stroke: COLORS.svc, width: 1.5, dash: [6, 4], value: function (u, v) { return ms(v); } }
    ]
  }, [t, pick(function (s) { return s.latency_ms.p50; }), pick(function (s) { return s.latency_ms.p90; }),
      pick(function (s) { return s.latency_ms.p99; }), pick(function (s) { return s.service_time_ms.p99; })]);

  draw('chart-rate', {
    scales: { x: { time: false } },
    axes: [{ label: 'seconds since start' }, { label: 'requests / s', size: 60 }],
    series: [
      { label: 't (s)' },
      { label: 'target', stroke: COLORS.target, width: 1.5, dash: [4, 4] },
      { label: 'achieved', stroke: COLORS.achieved, width: 2 },
      { label: 'errors', stroke: COLORS.errors, width: 1.5, fill: 'rgba(224,49,49,0.12)' }
    ]
  }, [t, pick(function (s) { return s.targetRate; }), pick(function (s) { return s.achievedRate; }),
      pick(function (s) { return s.failed; })]);

  // Percentile spectrum as HdrHistogram plots it: x = 1/(1-p) on a log axis,
  // so 90%, 99%, 99.9% ... are evenly spaced and the tail gets the room.
  var MAX_X = 1e6;
  function toX(p) { var q = p > 1 ? p / 100 : p; return q >= 1 ? MAX_X : Math.min(MAX_X, 1 / (1 - q)); }
  var points = [];
  (summary.spectrum || []).forEach(function (s) { points.push([toX(s.percentile), s.latency_ms, null]); });
  var svcKeys = [[0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99'], [0.999, 'p999']];
  svcKeys.forEach(function (k) { points.push([toX(k[0]), null, summary.service_time_ms[k[1]]]); });
  if (!summary.spectrum || summary.spectrum.length === 0) {
    svcKeys.forEach(function (k) { points.push([toX(k[0]), summary.latency_ms[k[1]], null]); });
  }
  points.sort(function (a, b) { return a[0] - b[0]; });
  function label(x) {
    var p = (1 - 1 / x) * 100;
    if (p <= 0) return '0%';
    var digits = Math.max(0, Math.round(Math.log10(x)) - 2);
    return p.toFixed(digits) + '%';
  }
  draw('chart-spectrum', {
    padding: [12, 36, 0, 0],
    scales: { x: { time: false, distr: 3, log: 10, range: function (u, min, max) {
      return [1, Math.pow(10, Math.max(1, Math.ceil(Math.log10(max) - 1e-9)))]; } } },
    axes: [
      { label: 'percentile', values: function (u, vs) {
        // Axis text is painted on the canvas; the labels are also kept on the element for tests and tools.
        var out = vs.map(label); u.root.parentNode.setAttribute('data-x-labels', out.join(' ')); return out; }, splits: function (u) {
        var out = []; for (var x = 1; x <= u.scales.x.max * 1.0001; x *= 10) out.push(x); return out; } },
      { label: 'latency', values: function (u, vs) { return vs.map(ms); }, size: 70 }
    ],
    series: [
      { label: 'percentile', value: function (u, v) { return v == null ? '' : label(v); } },
      { label: 'latency (from intended start)', stroke: COLORS.p99, width: 2, spanGaps: true, value: function (u, v) { return ms(v); } },
      { label: 'service time', stroke: COLORS.svc, width: 1.5, dash: [6, 4], spanGaps: true,
        points: { show: true, size: 6 }, value: function (u, v) { return ms(v); } }
    ]
  }, [points.map(function (p) { return p[0]; }), points.map(function (p) { return p[1]; }), points.map(function (p) { return p[2]; })]);
})();
`;
