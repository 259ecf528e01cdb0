/**
 * A check's result history: one row per result, newest first, each opening
 * to what it evaluated (conditions, error, phases, the certificate chain,
 * multistep steps, a failed browser run's screenshot and trace).
 */
import { Fragment, useState } from 'react';
import type { CheckResultItem } from '../../../src/server/schemas.ts';
import { formatAgo, PHASES, resultReason } from '../check-data.ts';
import { formatTimestamp } from '../format.ts';
import { formatMs } from '../load-data.ts';
import { ArtifactScreenshot, TraceLink } from './CheckArtifacts.tsx';
import { OutcomeMark, ResultBadge } from './CheckStatus.tsx';

export function History({ check, results, now }: { check: string; results: CheckResultItem[]; now: number }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <section className="panel">
      <header className="panel-head">
        <h3>Result history</h3>
        <span className="muted small">newest first; click a row for the conditions as evaluated</span>
      </header>
      {results.length === 0 ? (
        <div className="empty muted">No results yet.</div>
      ) : (
        <div className="table-wrap">
          <table className="grid result-table" data-testid="check-results">
            <thead>
              <tr>
                <th>Time</th>
                <th>Status</th>
                <th className="r">Duration</th>
                <th className="r">HTTP</th>
                <th className="r">Attempts</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <Fragment key={r.id}>
                  <ResultRow result={r} now={now} expanded={open.has(r.id)} onToggle={() => toggle(r.id)} />
                  {open.has(r.id) && (
                    <tr className="result-detail" data-testid="result-detail" data-result={r.id}>
                      <td colSpan={6}>
                        <ResultDetail check={check} result={r} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ResultRow(props: { result: CheckResultItem; now: number; expanded: boolean; onToggle: () => void }) {
  const { result: r, now, expanded, onToggle } = props;
  const reason = resultReason(r);
  return (
    <tr
      data-testid="result-row"
      data-result={r.id}
      className={`result-row ${r.status === 'fail' ? 'row-page' : r.status === 'degraded' ? 'row-ticket' : ''}`}
      onClick={onToggle}
    >
      <td className="num">
        <button
          type="button"
          className="expander"
          aria-expanded={expanded}
          aria-label={expanded ? 'Hide details' : 'Show details'}
          onClick={(e) => {
            e.stopPropagation();
            onToggle();
          }}
        >
          {expanded ? '▾' : '▸'}
        </button>
        {formatTimestamp(r.startedAt)} <span className="muted small">{formatAgo(r.startedAt, now)}</span>
      </td>
      <td>
        <ResultBadge status={r.status} />
      </td>
      <td className="r num">{formatMs(r.durationMs)}</td>
      <td className="r num">{r.httpStatus ?? '—'}</td>
      <td className={`r num ${r.attempts > 1 ? 'hot' : ''}`}>{r.attempts}</td>
      <td className={`reason reason-${r.status}`} title={reason} data-testid="result-reason">
        {reason ?? ''}
      </td>
    </tr>
  );
}

/** What one result evaluated: conditions, error, phases, steps, and a failed browser run's screenshot and trace. */
function ResultDetail({ check, result: r }: { check: string; result: CheckResultItem }) {
  const phases = PHASES.filter((p) => r.phases[p] !== undefined);
  return (
    <div className="result-body">
      {r.error && (
        <p className="notice-error" data-testid="result-error">
          <strong>{r.error.kind}</strong>: {r.error.message}
        </p>
      )}
      {r.conditions.length > 0 && (
        <ul className="cond-list">
          {r.conditions.map((c) => (
            <li key={`${c.degraded === true}:${c.condition}`} data-testid="result-condition" data-ok={c.ok}>
              <OutcomeMark ok={c.ok} />
              <code>{c.shown}</code>
              {c.degraded && <span className="tag tag-degraded">degraded</span>}
            </li>
          ))}
        </ul>
      )}
      <p className="muted small num">
        {phases.length > 0
          ? phases.map((p) => `${p} ${formatMs(r.phases[p])}`).join(' · ')
          : 'no phase timings'}
        {' · '}location {r.location}
        {r.certificateNotAfter !== undefined && (
          <> · certificates valid until {formatTimestamp(r.certificateNotAfter)} (earliest of the chain)</>
        )}
      </p>
      {r.certificateChain && r.certificateChain.length > 0 && (
        <CertificateChain chain={r.certificateChain} earliest={r.certificateNotAfter} />
      )}
      {r.steps && r.steps.length > 0 && <Steps steps={r.steps} />}
      {r.artifacts?.screenshot && <ArtifactScreenshot check={check} file={r.artifacts.screenshot} />}
      {r.artifacts?.trace && (
        <p>
          <TraceLink check={check} file={r.artifacts.trace} />
        </p>
      )}
    </div>
  );
}

function Steps({ steps }: { steps: NonNullable<CheckResultItem['steps']> }) {
  return (
    <table className="grid steps-table" data-testid="result-steps">
      <thead>
        <tr>
          <th>Step</th>
          <th className="r">HTTP</th>
          <th className="r">Duration</th>
          <th>Outcome</th>
          <th>Extracted</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s, i) => {
          const failed = s.error !== undefined || (s.failed?.length ?? 0) > 0;
          return (
            // Step names are not unique across a run (a step may be named twice); the position is.
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is a fixed record of one run.
            <tr key={i} className={failed ? 'row-page' : ''} data-testid="result-step">
              <td className="mono">{s.name}</td>
              <td className="r num">{s.status ?? '—'}</td>
              <td className="r num">{formatMs(s.durationMs)}</td>
              <td>
                {s.error && (
                  <div className="reason-fail">
                    {s.error.kind}: {s.error.message}
                  </div>
                )}
                {s.failed?.map((c) => (
                  <div key={c.condition} className="mono reason-fail">
                    ✗ {c.shown}
                  </div>
                ))}
                {!failed && <span className="muted">ok</span>}
              </td>
              <td className="mono small">
                {s.extracted
                  ? Object.entries(s.extracted)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ')
                  : ''}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The certificates the server presented, leaf first; the one that expires first is marked. */
function CertificateChain(props: {
  chain: NonNullable<CheckResultItem['certificateChain']>;
  earliest?: number;
}) {
  const { chain, earliest } = props;
  return (
    <table className="grid steps-table" data-testid="result-chain">
      <thead>
        <tr>
          <th>Certificate</th>
          <th>Issuer</th>
          <th className="r">Valid until</th>
        </tr>
      </thead>
      <tbody>
        {chain.map((c, i) => (
          // Subjects may repeat (a re-issued intermediate); the position in the chain is the identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is a fixed record of one handshake.
          <tr key={i} data-testid="result-chain-certificate" className={c.notAfter === earliest ? 'hot' : ''}>
            <td className="mono small">{c.subject}</td>
            <td className="mono small">{c.issuer}</td>
            <td className="r num">
              {formatTimestamp(c.notAfter)}
              {c.notAfter === earliest && <span className="muted small"> (first to expire)</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
