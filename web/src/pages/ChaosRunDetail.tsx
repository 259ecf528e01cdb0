import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import type { JournalEntry } from '../../../src/chaos/experiment/journal.ts';
import type { ChaosRunDetail as Detail } from '../../../src/server/schemas-chaos.ts';
import { currentPhase, faultWindow, guardsOf, reportOf, runDurationMs, statusBadge } from '../chaos-data.ts';
import { useChaosLive, useChaosRun } from '../chaos-queries.ts';
import { formatAgo } from '../check-data.ts';
import { useNow } from '../check-queries.ts';
import { HaltButton } from '../components/ChaosHalt.tsx';
import { JournalTable, ProbeChart } from '../components/ChaosJournal.tsx';
import { ChaosReport } from '../components/ChaosReport.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Stat } from '../components/Stat.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';

/**
 * `/chaos/:id`: one run. While it runs: the phase it is in, the probe chart
 * and journal as entries stream in, and Halt; once it ends: the report.
 * Guards and plan either way.
 */
export function ChaosRunDetail() {
  const { id = '' } = useParams();
  useChaosLive();
  const run = useChaosRun(id);
  const now = useNow(1_000);
  // A failed background refresh keeps what was shown; the event stream may still be feeding it.
  if (!run.data)
    return run.error ? <ErrorPanel error={run.error} /> : <div className="loading">Loading run…</div>;
  return <RunPage detail={run.data} now={now} />;
}

function RunPage({ detail, now }: { detail: Detail; now: number }) {
  const journal = detail.journal as unknown as JournalEntry[];
  const report = useMemo(() => reportOf(detail.report), [detail.report]);
  const faults = useMemo(() => faultWindow(journal, report), [journal, report]);
  const running = detail.status === 'running';
  return (
    <>
      <Header detail={detail} now={now} headline={report?.headline} />
      {running ? <LiveStats detail={detail} journal={journal} now={now} /> : null}
      {report ? (
        <ChaosReport report={report} />
      ) : (
        !running && (
          <div className="panel notice" data-testid="no-report">
            {NO_REPORT[detail.status] ?? `This run ended (${detail.status}) without a report.`}
          </div>
        )
      )}
      <ProbeChart journal={journal} faults={faults} />
      <div className="chaos-columns">
        <Guards detail={detail} />
        <Plan plan={detail.plan} />
      </div>
      <JournalTable journal={journal} startedAt={detail.startedAt} />
    </>
  );
}

/** Why an ended run has no report, for the statuses that explain it. */
const NO_REPORT: Record<string, string> = {
  refused: 'The guards refused this run: nothing was injected. Their reasons are below.',
  lost: 'Its controller went silent, so the server marked the run lost; its faults lapsed with their leases.',
};

function Header({ detail, now, headline }: { detail: Detail; now: number; headline: string | undefined }) {
  const badge = statusBadge(detail);
  const running = detail.status === 'running';
  return (
    <section className="slo-header" data-testid="chaos-header" data-status={detail.status}>
      <div className="crumbs muted small">
        <Link to="/chaos">Chaos</Link> / {detail.id}
      </div>
      <div className="slo-title">
        <h1 data-testid="chaos-title">{detail.experiment}</h1>
        <span className={`badge badge-${badge.tone}`} data-testid="chaos-status">
          {badge.label}
        </span>
        {detail.haltRequested && (
          <span className="tag tag-halt" data-testid="halt-requested">
            halt requested
          </span>
        )}
      </div>
      <p className="muted small">
        service {detail.service} · started {formatTimestamp(detail.startedAt)} ·{' '}
        {running ? 'running for ' : 'ran '}
        {formatDuration(runDurationMs(detail, now))} · by {detail.controller}
        {detail.maintenanceId !== null && <> · maintenance window #{detail.maintenanceId}</>}
      </p>
      {headline && (
        <p className="chaos-headline-big" data-testid="chaos-headline">
          {headline}
        </p>
      )}
      <HaltButton running={running} label="Halt this run" runId={detail.id} />
    </section>
  );
}

/** While the run runs: where it is, how long, how much it has said, and whether its controller is still talking. */
function LiveStats({ detail, journal, now }: { detail: Detail; journal: JournalEntry[]; now: number }) {
  const phase = currentPhase(journal);
  const probes = journal.filter((e) => e.type === 'probe');
  const failing = probes.filter((e) => e.type === 'probe' && !e.ok).length;
  const held = faultWindow(journal);
  return (
    <section className="stats chaos-stats" data-testid="chaos-live">
      <Stat label="Phase" testId="chaos-phase">
        {phase ?? 'starting'}
      </Stat>
      <Stat label="Elapsed">{formatDuration(runDurationMs(detail, now))}</Stat>
      <Stat label="Faults">
        {held === null ? 'none yet' : held.end === null ? <span className="hot">held</span> : 'reverted'}
      </Stat>
      <Stat label="Probe readings / failed" testId="chaos-probes">
        {probes.length} / <span className={failing > 0 ? 'hot' : ''}>{failing}</span>
      </Stat>
      <Stat label="Journal entries" testId="chaos-entries">
        {journal.length}
      </Stat>
      <Stat label="Controller last reported">
        <span title={formatTimestamp(detail.lastSeenAt)}>{formatAgo(detail.lastSeenAt, now)}</span>
      </Stat>
    </section>
  );
}

function Guards({ detail }: { detail: Detail }) {
  const guards = guardsOf(detail.guards);
  return (
    <section className="panel" data-testid="chaos-guards">
      <header className="panel-head">
        <h3>Guards</h3>
        {guards && (
          <span className={`badge badge-${guards.pass ? 'ok' : guards.overridden ? 'ticket' : 'page'}`}>
            {guards.pass ? 'passed' : guards.overridden ? 'overridden' : 'refused'}
          </span>
        )}
      </header>
      {!guards || guards.reasons.length === 0 ? (
        <div className="empty muted small">No guard reasons were recorded.</div>
      ) : (
        <ul className="cond-list">
          {guards.reasons.map((r) => (
            <li key={`${r.kind}:${r.message}`} data-testid="guard-reason" data-ok={r.ok}>
              <span className={`mark guard-mark ${r.ok ? 'mark-ok' : 'mark-fail'}`}>
                {r.ok ? '✓' : 'FAIL'}
              </span>
              <span className="tag tag-kind">{r.kind}</span>
              <span>{r.message}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Plan({ plan }: { plan: string[] }) {
  return (
    <section className="panel" data-testid="chaos-plan">
      <header className="panel-head">
        <h3>Plan</h3>
        <span className="muted small">the method as the controller planned it</span>
      </header>
      {plan.length === 0 ? (
        <div className="empty muted small">No plan lines.</div>
      ) : (
        <ol className="chaos-plan mono small">
          {plan.map((line, i) => (
            // Plan lines may repeat; their position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above.
            <li key={i} data-testid="plan-line">
              {line}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
