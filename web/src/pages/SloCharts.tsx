import type { SloDetailResponse } from '../api.ts';
import { budgetRange, burnThresholds, historyColumns, sliRange } from '../chart-data.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { type ChartThreshold, TimeSeriesChart } from '../components/TimeSeriesChart.tsx';
import { useHistory } from '../queries.ts';

/** Colours for burn-rate windows, shortest (noisiest) to longest. */
const WINDOW_COLORS = [
  '#7dd3fc',
  '#38bdf8',
  '#a78bfa',
  '#818cf8',
  '#f472b6',
  '#fb923c',
  '#facc15',
  '#4ade80',
];
const SEVERITY_COLORS: Record<string, string[]> = {
  page: ['#f87171', '#fca5a5'],
  ticket: ['#fbbf24', '#fcd34d'],
};

const pctFmt = (digits: number) => (v: number) => `${v.toFixed(digits)}%`;
const burnFmt = (v: number) =>
  Number.isInteger(v) || Math.abs(v) >= 10 ? `${v.toFixed(0)}×` : `${v.toFixed(1)}×`;

/** The error-budget burn-down over the SLO's whole window. */
export function BudgetChart({ detail }: { detail: SloDetailResponse }) {
  const { window } = detail.summary.status;
  const span = Math.max(window.end - window.start, 3_600_000);
  const history = useHistory(detail.definition.name, span);
  const cols = history.data ? historyColumns(history.data) : undefined;
  return (
    <ChartCard title="Error budget burn-down" hint={`remaining over the ${detail.summary.window} window`}>
      {history.error ? <ErrorPanel error={history.error} /> : null}
      {cols && (
        <TimeSeriesChart
          testId="chart-budget"
          times={cols.times}
          series={[
            { label: 'budget left', color: '#60a5fa', fill: 'rgba(96,165,250,0.14)', values: cols.budgetPct },
          ]}
          thresholds={[{ label: 'exhausted', value: 0, color: '#f87171' }]}
          format={pctFmt(0)}
          yRange={budgetRange(cols.budgetPct)}
        />
      )}
    </ChartCard>
  );
}

/** The SLI against its objective, and the burn rate of each alert window against the thresholds. */
export function RangeCharts({ detail, rangeMs }: { detail: SloDetailResponse; rangeMs: number }) {
  const history = useHistory(detail.definition.name, rangeMs);
  if (history.error) return <ErrorPanel error={history.error} />;
  if (!history.data) return <div className="loading">Loading history…</div>;
  const cols = historyColumns(history.data);
  const objectivePct = detail.definition.objective * 100;
  const used = new Map<string, number>();
  const thresholds: ChartThreshold[] = burnThresholds(detail.definition.alerting.windows).map((t) => {
    const n = used.get(t.severity) ?? 0;
    used.set(t.severity, n + 1);
    const palette = SEVERITY_COLORS[t.severity] ?? ['#94a3b8'];
    return {
      label: `${t.severity} ${t.factor}× (${t.windows})`,
      value: t.factor,
      color: palette[n % palette.length] ?? '#94a3b8',
    };
  });
  return (
    <>
      <ChartCard title="SLI" hint={`against the ${objectivePct.toFixed(2).replace(/\.?0+$/, '')}% objective`}>
        <TimeSeriesChart
          testId="chart-sli"
          times={cols.times}
          series={[{ label: 'SLI', color: '#4ade80', values: cols.sliPct }]}
          thresholds={[{ label: 'objective', value: objectivePct, color: '#f87171' }]}
          format={pctFmt(objectivePct >= 99 ? 3 : 2)}
          yRange={sliRange(cols.sliPct, objectivePct)}
          height={260}
        />
      </ChartCard>
      <ChartCard title="Burn rate" hint="per alert window; dashed lines are alert thresholds">
        <TimeSeriesChart
          testId="chart-burn"
          times={cols.times}
          series={cols.burn.map((b, i) => ({
            label: b.window,
            color: WINDOW_COLORS[i % WINDOW_COLORS.length] ?? '#7dd3fc',
            values: b.values,
          }))}
          thresholds={thresholds}
          format={burnFmt}
          scale="asinh"
          fromZero
          height={260}
        />
      </ChartCard>
    </>
  );
}
