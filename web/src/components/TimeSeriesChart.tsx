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
}

/** A horizontal reference line: an objective or an alert threshold. */
export interface ChartThreshold {
  label: string;
  value: number;
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

function buildOptions(props: TimeSeriesChartProps, width: number, el: HTMLElement): uPlot.Options {
  const fmt = (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : props.format(v));
  const measured = props.series.length;
  const y: uPlot.Scale = props.scale === 'asinh' ? { distr: 4, asinh: 1 } : {};
  if (props.yRange) y.range = props.yRange;
  else if (props.fromZero) y.range = (_u, _min, max) => [0, Math.max(max, 1) * 1.15];
  return {
    width,
    height: props.height ?? 220,
    ms: 1,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y },
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
        points: { show: false },
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
      draw: [(u) => el.setAttribute('data-points', String(countPoints(u.data, measured)))],
    },
  };
}

/**
 * A uPlot time-series chart sized to its container. After each draw it sets
 * `data-points` to the number of measured values drawn, so a browser test can
 * tell an empty chart from one with data.
 */
export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
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
    const u = new uPlot(buildOptions(props, el.clientWidth || 600, el), buildData(props), el);
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
