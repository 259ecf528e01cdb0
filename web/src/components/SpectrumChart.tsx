import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatMs, type SpectrumPoints, spectrumLabel } from '../load-data.ts';

const AXIS = {
  stroke: '#8b95a7',
  grid: { stroke: 'rgba(148,163,184,0.12)', width: 1 },
  ticks: { stroke: 'rgba(148,163,184,0.2)', width: 1 },
  font: '11px ui-sans-serif, system-ui, sans-serif',
};

function countPoints(data: uPlot.AlignedData): number {
  let n = 0;
  for (let i = 1; i < data.length; i++) for (const v of data[i] ?? []) if (v !== null && v !== undefined) n++;
  return n;
}

function options(width: number, el: HTMLElement): uPlot.Options {
  return {
    width,
    height: 260,
    // Room for the last percentile label at the right edge.
    padding: [12, 36, 0, 0],
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: {
        time: false,
        distr: 3,
        log: 10,
        range: (_u, _min, max) => [1, 10 ** Math.max(1, Math.ceil(Math.log10(max) - 1e-9))],
      },
      y: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.1] },
    },
    axes: [
      {
        ...AXIS,
        splits: (u) => {
          const out: number[] = [];
          for (let x = 1; x <= (u.scales.x?.max ?? 10) * 1.0001; x *= 10) out.push(x);
          return out;
        },
        values: (_u, vs) => vs.map((v) => (v === null || v === undefined ? '' : spectrumLabel(v))),
      },
      { ...AXIS, size: 70, values: (_u, vs) => vs.map((v) => formatMs(v)) },
    ],
    series: [
      { label: 'percentile', value: (_u, v) => (v === null || v === undefined ? '—' : spectrumLabel(v)) },
      {
        label: 'latency (from intended start)',
        stroke: '#f472b6',
        width: 2,
        spanGaps: true,
        points: { show: false },
        value: (_u, v) => formatMs(v),
      },
      {
        label: 'service time',
        stroke: '#38bdf8',
        width: 1.5,
        dash: [6, 4],
        spanGaps: true,
        points: { show: true, size: 6 },
        value: (_u, v) => formatMs(v),
      },
    ],
    hooks: { draw: [(u) => el.setAttribute('data-points', String(countPoints(u.data)))] },
  };
}

/**
 * The latency percentile spectrum as HdrHistogram plots it: x is 1/(1−p) on
 * a log axis, so the tail (99%, 99.9%, ...) gets as much room as the body.
 * `data-points` counts the values drawn, for browser tests.
 */
export function SpectrumChart({ points, testId }: { points: SpectrumPoints; testId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const data: uPlot.AlignedData = [points.x, points.latency, points.service];
    const u = new uPlot(options(el.clientWidth || 600, el), data, el);
    const resize = new ResizeObserver(() => {
      if (el.clientWidth > 0) u.setSize({ width: el.clientWidth, height: 260 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [points]);
  return <div className="chart" data-testid={testId} data-points="0" ref={ref} />;
}
