import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type Phase, type PhaseColumns, timeTick } from '../check-data.ts';
import { formatTimestamp } from '../format.ts';
import { formatMs } from '../load-data.ts';

/** Phase colours, one hue each so adjacent bands never blend. */
export const PHASE_COLORS: Record<Phase, string> = {
  resolve: '#a78bfa',
  connect: '#38bdf8',
  tls: '#f472b6',
  processing: '#facc15',
  transfer: '#4ade80',
};
const TOTAL_COLOR = '#e2e8f0';
const FAIL_COLOR = '#f87171';
const HEIGHT = 260;

const AXIS = {
  stroke: '#8b95a7',
  grid: { stroke: 'rgba(148,163,184,0.12)', width: 1 },
  ticks: { stroke: 'rgba(148,163,184,0.2)', width: 1 },
  font: '11px ui-sans-serif, system-ui, sans-serif',
};

/**
 * Columns as uPlot data. x is the result's position, not its time: results
 * run on a schedule plus "run now", so times are uneven and bars on a time
 * axis would shrink to the closest pair. The stacked bands go from the top
 * one down, because each is drawn as a bar from zero and the shorter ones
 * must paint over the taller.
 */
function buildData(cols: PhaseColumns): uPlot.AlignedData {
  const x = cols.times.map((_, i) => i);
  const failed = cols.total.map((t, i) => (cols.statuses[i] === 'fail' ? t : null));
  return [x, ...[...cols.stacked].reverse(), cols.total, failed] as uPlot.AlignedData;
}

function buildOptions(cols: PhaseColumns, width: number, el: HTMLElement): uPlot.Options {
  const n = cols.times.length;
  const span = n > 1 ? (cols.times[n - 1] ?? 0) - (cols.times[0] ?? 0) : 0;
  const bars = uPlot.paths.bars?.({ size: [0.72, 48], align: 0 });
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatMs(v));
  return {
    width,
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(n, 1) - 0.5] },
      y: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.12] },
    },
    axes: [
      {
        ...AXIS,
        // Whole result positions, spaced so the time labels do not collide.
        splits: (u) => {
          const step = Math.max(1, Math.ceil(n / Math.max(1, u.bbox.width / devicePixelRatio / 80)));
          return Array.from({ length: Math.ceil(n / step) }, (_, i) => i * step);
        },
        values: (_u, ticks) =>
          ticks.map((i) => (cols.times[i] === undefined ? '' : timeTick(cols.times[i], span))),
      },
      { ...AXIS, size: 70, values: (_u, ticks) => ticks.map((v) => ms(v)) },
    ],
    series: [
      {
        label: 'result',
        value: (_u, i) => (cols.times[i] === undefined ? '—' : formatTimestamp(cols.times[i])),
      },
      ...[...cols.phases].reverse().map(
        (p): uPlot.Series => ({
          label: p.phase,
          stroke: PHASE_COLORS[p.phase],
          fill: PHASE_COLORS[p.phase],
          width: 0,
          paths: bars,
          points: { show: false },
          // The legend shows the phase's own time, not the top of its band.
          value: (_u, _v, _s, idx) => (idx === null ? '—' : ms(p.values[idx])),
        }),
      ),
      {
        label: 'total',
        stroke: TOTAL_COLOR,
        width: 1.5,
        points: { show: n <= 60, size: 4, fill: TOTAL_COLOR },
        value: (_u, v) => ms(v),
      },
      {
        label: 'failed',
        stroke: FAIL_COLOR,
        // Markers only: a red dot on the total line where a result failed.
        paths: () => null,
        points: { show: true, size: 9, fill: FAIL_COLOR, stroke: FAIL_COLOR },
        value: (_u, v) => (v === null || v === undefined ? '' : 'fail'),
      },
    ],
    hooks: {
      draw: [(u) => el.setAttribute('data-points', String(u.data[0].length))],
    },
  };
}

/**
 * Phase timings of a check's recent results as stacked bars (resolve,
 * connect, tls, processing, transfer) with the whole duration as a line and
 * failed results marked. `data-points` counts the results drawn, for tests.
 */
export function PhaseChart({ columns, testId }: { columns: PhaseColumns; testId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  // A new result shifts every bar and may add a phase: rebuilding is simplest and costs little at ≤ 200 bars.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const u = new uPlot(buildOptions(columns, el.clientWidth || 600, el), buildData(columns), el);
    const resize = new ResizeObserver(() => {
      if (el.clientWidth > 0) u.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [columns]);
  return <div className="chart" data-testid={testId} data-points="0" ref={ref} />;
}
