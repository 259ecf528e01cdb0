import { type ReactNode, useMemo } from 'react';
import { Link, useParams } from 'react-router';
import type { LoadSummary, SecondSample } from '../../../src/load/types.ts';
import type { LoadRunDetail as Detail } from '../../../src/server/schemas.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { SpectrumChart } from '../components/SpectrumChart.tsx';
import { TimeSeriesChart } from '../components/TimeSeriesChart.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';
import {
  formatErrorRate,
  formatMs,
  formatRate,
  runVerdict,
  secondColumns,
  spectrumPoints,
} from '../load-data.ts';
import { useLoadLive, useLoadRun } from '../load-queries.ts';

/** `/load/:id`: one run's numbers and charts, live while it runs. */
export function LoadRunDetail() {
  const { id = '' } = useParams();
  useLoadLive();
  const run = useLoadRun(id);
  // A failed background refresh keeps what was shown; the event stream may still be feeding it.
  if (!run.data)
    return run.error ? <ErrorPanel error={run.error} /> : <div className="loading">Loading run…</div>;
  const { summary, seconds } = run.data;
  return (
    <>
      <Header detail={run.data} />
      {summary ? <SummaryStats summary={summary} /> : <LiveStats seconds={seconds} />}
      {summary && <Problems summary={summary} />}
      <div className="charts">
        <RunCharts detail={run.data} />
      </div>
      {summary && <Tables summary={summary} />}
    </>
  );
}

function Header({ detail }: { detail: Detail }) {
  const { run } = detail;
  const verdict = runVerdict(run);
  const ran = (run.finishedAt ?? Date.now()) - run.startedAt;
  return (
    <section className="slo-header">
      <div className="crumbs muted small">
        <Link to="/load">Load tests</Link> / {run.id}
      </div>
      <div className="slo-title">
        <h1>{run.name}</h1>
        <span className={`badge badge-${verdict.tone}`} data-testid="run-verdict">
          {verdict.label}
        </span>
      </div>
      <p className="muted">
        {run.service ? <>service {run.service} · </> : null}
        {run.key?.executor ?? executorOf(run.plan)} · started {formatTimestamp(run.startedAt)} ·{' '}
        {run.status === 'running' ? 'running for ' : 'ran '}
        {formatDuration(run.key?.durationMs ?? ran)}
      </p>
    </section>
  );
}

function executorOf(plan: Record<string, unknown>): string {
  const ex = plan.executor as { executor?: unknown } | undefined;
  return typeof ex?.executor === 'string' ? ex.executor : 'load test';
}

function Stat({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value num" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

function SummaryStats({ summary: s }: { summary: LoadSummary }) {
  const errorRate = s.requests.total > 0 ? s.requests.failed / s.requests.total : 0;
  return (
    <section className="stats load-stats" data-testid="run-stats">
      <Stat label="Requests" value={s.requests.total.toLocaleString('en-US')} testId="stat-requests" />
      <Stat label="Errors" value={`${formatErrorRate(errorRate)} (${s.requests.failed})`} />
      <Stat
        label="Rate achieved / target"
        value={`${formatRate(s.rate.achieved)} / ${formatRate(s.rate.target)}`}
      />
      <Stat label="p50" value={formatMs(s.latency_ms.p50)} />
      <Stat label="p99" value={formatMs(s.latency_ms.p99)} testId="stat-p99" />
      <Stat label="p99.9" value={formatMs(s.latency_ms.p999)} />
      <Stat label="max" value={formatMs(s.latency_ms.max)} />
      <Stat label="Service time p99" value={formatMs(s.service_time_ms.p99)} />
      <Stat label="Dropped" value={s.dropped.toLocaleString('en-US')} />
    </section>
  );
}

/** While a run has no summary yet: the latest second and the totals so far. */
function LiveStats({ seconds }: { seconds: SecondSample[] }) {
  const last = seconds[seconds.length - 1];
  const ok = seconds.reduce((n, s) => n + s.ok, 0);
  const failed = seconds.reduce((n, s) => n + s.failed, 0);
  return (
    <section className="stats load-stats" data-testid="run-stats">
      <Stat label="Elapsed" value={last ? `${last.t + 1} s` : '—'} testId="stat-elapsed" />
      <Stat label="Requests so far" value={(ok + failed).toLocaleString('en-US')} testId="stat-requests" />
      <Stat label="Errors so far" value={failed.toLocaleString('en-US')} />
      <Stat
        label="Rate achieved / target"
        value={last ? `${formatRate(last.achievedRate)} / ${formatRate(last.targetRate)}` : '—'}
      />
      <Stat label="p99 (last second)" value={formatMs(last?.latency_ms.p99)} testId="stat-p99" />
      <Stat label="In flight" value={last ? last.inFlight : '—'} />
    </section>
  );
}

function Problems({ summary: s }: { summary: LoadSummary }) {
  if (s.valid && !s.aborted) return null;
  return (
    <div className="panel notice notice-error" role="alert" data-testid="run-problems">
      {s.aborted && <p>Stopped early{s.abortReason ? `: ${s.abortReason}` : ''}.</p>}
      {!s.valid && (
        <>
          <p>Not valid: the generator could not keep the schedule, so these numbers understate latency.</p>
          <ul>
            {s.invalid_reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function RunCharts({ detail }: { detail: Detail }) {
  const cols = secondColumns(detail.run.startedAt, detail.seconds);
  const summary = detail.summary;
  const spectrum = useMemo(() => (summary ? spectrumPoints(summary) : undefined), [summary]);
  return (
    <>
      <ChartCard
        title="Latency over time"
        hint="per second, from the intended send time (coordinated omission corrected)"
      >
        <TimeSeriesChart
          testId="chart-latency"
          times={cols.times}
          series={[
            { label: 'p50', color: '#4ade80', values: cols.p50 },
            { label: 'p90', color: '#facc15', values: cols.p90 },
            { label: 'p99', color: '#f472b6', values: cols.p99 },
            { label: 'max', color: '#f87171', values: cols.max },
            { label: 'service p99', color: '#38bdf8', values: cols.serviceP99 },
          ]}
          format={formatMs}
          scale="asinh"
          fromZero
          height={260}
        />
      </ChartCard>
      <ChartCard title="Rate over time" hint="requests per second">
        <TimeSeriesChart
          testId="chart-rate"
          times={cols.times}
          series={[
            { label: 'target', color: '#94a3b8', values: cols.target },
            { label: 'achieved', color: '#60a5fa', values: cols.achieved, fill: 'rgba(96,165,250,0.12)' },
            { label: 'errors', color: '#f87171', values: cols.failed },
          ]}
          format={(v) => formatRate(v)}
          fromZero
        />
      </ChartCard>
      <ChartCard title="Percentile spectrum" hint="1/(1−percentile) on a log axis, as HdrHistogram plots it">
        {spectrum ? (
          <SpectrumChart testId="chart-spectrum" points={spectrum} />
        ) : (
          <div className="empty muted">The spectrum appears when the run ends.</div>
        )}
      </ChartCard>
    </>
  );
}

function Tables({ summary: s }: { summary: LoadSummary }) {
  const errors = Object.entries(s.errors).filter(([, n]) => (n ?? 0) > 0);
  return (
    <div className="charts">
      <section className="panel">
        <header className="panel-head">
          <h3>Thresholds</h3>
        </header>
        {s.thresholds.length === 0 ? (
          <div className="empty muted">No thresholds.</div>
        ) : (
          <table className="grid" data-testid="run-thresholds">
            <tbody>
              {s.thresholds.map((t) => (
                <tr key={t.expr} className={t.ok ? '' : 'row-page'}>
                  <td className="mono">{t.expr}</td>
                  <td className="r num">{t.value === undefined ? '' : Number(t.value.toPrecision(4))}</td>
                  <td>
                    <span className={`badge badge-${t.ok ? 'ok' : 'page'}`}>
                      {t.ok ? 'passed' : 'failed'}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="panel">
        <header className="panel-head">
          <h3>Errors by kind</h3>
        </header>
        {errors.length === 0 ? (
          <div className="empty muted">No errors.</div>
        ) : (
          <table className="grid">
            <tbody>
              {errors.map(([kind, n]) => (
                <tr key={kind}>
                  <td className="mono">{kind}</td>
                  <td className="r num">{(n ?? 0).toLocaleString('en-US')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="panel per-request">
        <header className="panel-head">
          <h3>Requests</h3>
        </header>
        <table className="grid">
          <thead>
            <tr>
              <th>Request</th>
              <th className="r">Total</th>
              <th className="r">Failed</th>
              <th className="r">p50</th>
              <th className="r">p99</th>
              <th className="r">max</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(s.perRequest).map(([name, r]) => (
              <tr key={name}>
                <td className="mono">{name}</td>
                <td className="r num">{r.total.toLocaleString('en-US')}</td>
                <td className="r num">{r.failed.toLocaleString('en-US')}</td>
                <td className="r num">{formatMs(r.latency_ms.p50)}</td>
                <td className="r num">{formatMs(r.latency_ms.p99)}</td>
                <td className="r num">{formatMs(r.latency_ms.max)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
