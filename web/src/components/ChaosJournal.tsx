import { useMemo } from 'react';
import type { JournalEntry } from '../../../src/chaos/experiment/journal.ts';
import {
  type FaultWindow,
  formatClock,
  formatOffset,
  formatValue,
  journalRows,
  MARK_COLORS,
  PROBE_COLORS,
  probeColumns,
  runMarks,
} from '../chaos-data.ts';
import { formatTimestamp } from '../format.ts';
import { ChartCard } from './ChartCard.tsx';
import { TimeSeriesChart } from './TimeSeriesChart.tsx';

/**
 * Probe values over time, one line per probe, the fault window shaded and
 * faults applied and reverted, deviations and aborts marked.
 */
export function ProbeChart({ journal, faults }: { journal: JournalEntry[]; faults: FaultWindow | null }) {
  const cols = useMemo(() => probeColumns(journal), [journal]);
  const marks = useMemo(() => runMarks(journal), [journal]);
  return (
    <ChartCard
      title="Probe values"
      hint={
        faults
          ? 'fault window shaded; faults applied and reverted, deviations and aborts marked'
          : 'no fault applied yet'
      }
    >
      <TimeSeriesChart
        testId="chart-probes"
        times={cols.times}
        series={cols.series.map((s, i) => ({
          label: s.probe,
          color: PROBE_COLORS[i % PROBE_COLORS.length] ?? '#60a5fa',
          values: s.values,
          points: true,
          spanGaps: true,
        }))}
        format={formatValue}
        scale="asinh"
        height={260}
        bands={faults ? [{ start: faults.start, end: faults.end, color: MARK_COLORS.window }] : []}
        markers={marks.map((m) => ({ at: m.at, label: m.label, color: MARK_COLORS[m.kind] }))}
      />
      {cols.series.length === 0 && (
        <div className="empty muted small">No probe has reported a number yet.</div>
      )}
    </ChartCard>
  );
}

const TYPE_TITLES: Record<string, string> = {
  apply: 'fault applied',
  revert: 'fault reverted',
  rollback: 'rollback ran',
  'load-start': 'load started',
  'load-stop': 'load stopped',
  pause: 'pause',
};

/** The whole journal as a table, in order; deviations and aborts stand out. */
export function JournalTable({ journal, startedAt }: { journal: JournalEntry[]; startedAt: number }) {
  const rows = useMemo(() => journalRows(journal), [journal]);
  return (
    <section className="panel" data-testid="journal">
      <header className="panel-head">
        <h3>Journal</h3>
        <span className="muted small" data-testid="journal-count">
          {rows.length} {rows.length === 1 ? 'entry' : 'entries'}
        </span>
      </header>
      {rows.length === 0 ? (
        <div className="empty muted small">Nothing journalled yet.</div>
      ) : (
        <div className="table-wrap">
          <table className="grid journal-table">
            <thead>
              <tr>
                <th>Time</th>
                <th className="r">Since start</th>
                <th>Phase</th>
                <th>Type</th>
                <th>Probe / step</th>
                <th className="r">Value</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  key={r.seq}
                  data-testid="journal-row"
                  data-type={r.type}
                  data-seq={r.seq}
                  className={r.tone ? `journal-${r.tone}` : ''}
                >
                  <td className="num mono small" title={formatTimestamp(r.t)}>
                    {formatClock(r.t)}
                  </td>
                  <td className="r num muted small">{formatOffset(r.t - startedAt)}</td>
                  <td className="muted">{r.phase ?? '—'}</td>
                  <td title={TYPE_TITLES[r.type]}>
                    {r.ok !== null && (
                      <span className={`mark ${r.ok ? 'mark-ok' : 'mark-fail'}`}>{r.ok ? '✓' : '✗'}</span>
                    )}{' '}
                    <span className={`journal-type journal-type-${r.type}`}>{r.type}</span>
                  </td>
                  <td className="mono">{r.subject}</td>
                  <td className="r num">{r.value === null ? '' : formatValue(r.value)}</td>
                  <td className="journal-detail">{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
