import { type CheckState, type CheckStatus, resultTone } from '../check-data.ts';

/**
 * The state of a check as a coloured dot and a word; a failing check (one
 * that alerts) is drawn as a solid red pill so it stands out in a long list.
 */
export function CheckStateLabel({ state }: { state: CheckState }) {
  return (
    <span
      className={`check-state check-state-${state.tone}${state.alarm ? ' check-state-alarm' : ''}`}
      data-testid="check-state"
      data-tone={state.tone}
    >
      <span className={`dot dot-${state.tone}`} aria-hidden="true" />
      {state.label}
    </span>
  );
}

/** The status of one result: pass, degraded or fail. */
export function ResultBadge({ status }: { status: CheckStatus }) {
  return (
    <span className={`badge badge-${resultTone(status)}`} data-testid="result-status">
      {status}
    </span>
  );
}

/** How a condition came out: ✓ held, ✗ failed, an empty mark when it was not evaluated. */
export function OutcomeMark({ ok }: { ok: boolean | undefined }) {
  if (ok === undefined) return <span className="mark mark-none" aria-hidden="true" />;
  return (
    <span className={`mark ${ok ? 'mark-ok' : 'mark-fail'}`} role="img" aria-label={ok ? 'held' : 'failed'}>
      {ok ? '✓' : '✗'}
    </span>
  );
}
