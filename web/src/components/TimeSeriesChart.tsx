import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One measured line. `values` align with the chart's `times`. */
export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  /** Fill under the line (for a single-series chart). */
  fill?: string;
  /** Draw a dot at each value (sparse readings). */
  points?: boolean;
  /** Join values across nulls (series read at different moments than their neighbours). */
  spanGaps?: boolean;
}

/** A horizontal reference line: an objective or an alert threshold. */
export interface ChartThreshold {
  label: string;
  value: number;
  color: string;
}

/** A shaded stretch of time behind the lines (a fault window); `end` null runs to the right edge. */
export interface ChartBand {
  start: number;
  end: number | null;
  color: string;
}

/** A vertical line at a moment (a fault applied or reverted), labelled at the top. */
export interface ChartMarker {
  at: number;
  label: string;
  color: string;
}

export interface TimeSeriesChartProps {
  /** `data-testid` of the chart's element; `data-points` on it counts the points drawn. */
  testId: string;
  /** Epoch ms. */
  times: number[];
  series: ChartSeries[];
  thresholds?: ChartThreshold[];
  /** Formats y values on the axis and in the legend. */
  format: (v: number) => string;
  /** 'asinh' keeps small and huge burn rates readable on one axis. */
  scale?: 'linear' | 'asinh';
  /** Fixed y range; otherwise it fits the data and the thresholds. */
  yRange?: [number, number];
  /** Start the y axis at zero and leave headroom above the data (rates, counts). */
  fromZero?: boolean;
  height?: number;
  /** Shaded stretches behind the data; `data-bands` on the element counts those drawn. */
  bands?: ChartBand[];
  /** Vertical lines; `data-markers` on the element counts those drawn. */
  markers?: ChartMarker[];
}

const AXIS = {
  stroke: '#8b95a7',
  grid: { stroke: 'rgba(148,163,184,0.12)', width: 1 },
  ticks: { stroke: 'rgba(148,163,184,0.2)', width: 1 },
  font: '11px ui-sans-serif, system-ui, sans-serif',
};

/** Ticks for an asinh axis: 0, then 1-2-5 steps per decade, inside the scale. */
function asinhSplits(u: uPlot, _axis: number, min: number, max: number): number[] {
  const ticks = min <= 0 && max >= 0 ? [0] : [];
  for (let decade = 1; decade <= Math.max(max, 1); decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = m * decade;
      if (v >= min && v <= max) ticks.push(v);
    }
  }
  // Keep about one tick per 28 px of plot height.
  const room = Math.max(2, Math.floor(u.bbox.height / devicePixelRatio / 28));
  return ticks.length <= room ? ticks : ticks.filter((v) => v === 0 || /^[15]/.test(String(v)));
}

/** Counts the non-null values of the measured series: what the test reads as "drew data". */
function countPoints(data: uPlot.AlignedData, measured: number): number {
  let n = 0;
  for (let i = 1; i <= measured; i++) {
    for (const v of data[i] ?? []) if (v !== null && v !== undefined) n++;
  }
  return n;
}

function buildData(props: TimeSeriesChartProps): uPlot.AlignedData {
  const rows = props.series.map((s) => s.values);
  for (const t of props.thresholds ?? []) rows.push(props.times.map(() => t.value));
  return [props.times, ...rows] as uPlot.AlignedData;
}

/**
 * Draws the bands (before the series, so lines stay on top) or the markers
 * (after them), clipped to the plot, and counts on `el` what was drawn.
 */
function drawOverlay(
  u: uPlot,
  el: HTMLElement,
  props: TimeSeriesChartProps,
  layer: 'bands' | 'markers',
): void {
  const { ctx, bbox } = u;
  const left = bbox.left;
  const right = bbox.left + bbox.width;
  const x = (t: number) => u.valToPos(t, 'x', true);
  let drawn = 0;
  ctx.save();
  if (layer === 'bands') {
    for (const b of props.bands ?? []) {
      const x0 = Math.max(left, x(b.start));
      const x1 = Math.min(right, b.end === null ? right : x(b.end));
      if (!(x1 > x0)) continue;
      ctx.fillStyle = b.color;
      ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
      drawn++;
    }
    el.setAttribute('data-bands', String(drawn));
  } else {
    const px = devicePixelRatio;
    ctx.font = `${10 * px}px ui-sans-serif, system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    for (const m of props.markers ?? []) {
      const at = x(m.at);
      if (!(at >= left && at <= right)) continue;
      ctx.strokeStyle = m.color;
      ctx.fillStyle = m.color;
      ctx.lineWidth = px;
      ctx.setLineDash([4 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(at, bbox.top);
      ctx.lineTo(at, bbox.top + bbox.height);
      ctx.stroke();
      // Labels stagger down so neighbours do not print over each other.
      ctx.fillText(m.label, at + 3 * px, bbox.top + 2 * px + (drawn % 3) * 12 * px);
      drawn++;
    }
    el.setAttribute('data-markers', String(drawn));
  }
  ctx.restore();
}

/** The x range with room for the bands and markers too (an abort after the last reading still shows). */
function xRange(min: number | null, max: number | null, props: TimeSeriesChartProps): uPlot.Range.MinMax {
  const times = [
    ...(props.bands ?? []).flatMap((b) => (b.end === null ? [b.start] : [b.start, b.end])),
    ...(props.markers ?? []).map((m) => m.at),
  ];
  if (min !== null && max !== null) times.push(min, max);
  if (times.length === 0) return [min, max];
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  // One moment alone would make an empty axis: show a minute around it.
  return hi - lo < 1_000 ? [lo - 30_000, hi + 30_000] : [lo, hi];
}

function buildOptions(
  props: TimeSeriesChartProps,
  width: number,
  el: HTMLElement,
  latest: () => TimeSeriesChartProps,
): uPlot.Options {
  const fmt = (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : props.format(v));
  const measured = props.series.length;
  const overlays = props.bands !== undefined || props.markers !== undefined;
  const y: uPlot.Scale = props.scale === 'asinh' ? { distr: 4, asinh: 1 } : {};
  if (props.yRange) y.range = props.yRange;
  else if (props.fromZero) y.range = (_u, _min, max) => [0, Math.max(max, 1) * 1.15];
  return {
    width,
    height: props.height ?? 220,
    ms: 1,
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: overlays ? { time: true, range: (_u, min, max) => xRange(min, max, latest()) } : { time: true },
      y,
    },
    axes: [
      { ...AXIS },
      {
        ...AXIS,
        size: 76,
        ...(props.scale === 'asinh' ? { splits: asinhSplits } : {}),
        values: (_u, ticks) => ticks.map((v) => (v === null || v === undefined ? '' : props.format(v))),
      },
    ],
    series: [
      {},
      ...props.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 1.6,
        fill: s.fill,
        value: fmt,
        spanGaps: s.spanGaps ?? false,
        points: s.points ? { show: true, size: 5, fill: s.color } : { show: false },
      })),
      ...(props.thresholds ?? []).map((t) => ({
        label: t.label,
        stroke: t.color,
        width: 1,
        dash: [6, 4],
        value: fmt,
        points: { show: false },
      })),
    ],
    hooks: {
      // The overlays read the latest props: the fault window grows while the data streams in.
      drawClear: overlays ? [(u) => drawOverlay(u, el, latest(), 'bands')] : [],
      draw: [
        (u) => {
          if (overlays) drawOverlay(u, el, latest(), 'markers');
          el.setAttribute('data-points', String(countPoints(u.data, measured)));
        },
      ],
    },
  };
}

/**
 * A uPlot time-series chart sized to its container, with optional shaded
 * bands and vertical markers. After each draw it sets `data-points` to the
 * number of measured values drawn, so a browser test can tell an empty chart
 * from one with data.
 */
export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  // Recreate the plot only when the set of lines changes; data changes use setData.
  const shape = [
    props.scale,
    props.yRange?.join(),
    props.fromZero,
    ...props.series.map((s) => s.label),
    ...(props.thresholds ?? []).map((t) => `${t.label}=${t.value}`),
  ].join('|');

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt on shape change only, by design.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const u = new uPlot(
      buildOptions(props, el.clientWidth || 600, el, () => latest.current),
      buildData(props),
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => {
      if (el.clientWidth > 0) u.setSize({ width: el.clientWidth, height: props.height ?? 220 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(buildData(props));
  });

  return <div className="chart" data-testid={props.testId} data-points="0" ref={ref} />;
}
