import { getToken } from '../api.ts';
import { haltSummary } from '../chaos-data.ts';
import { useHalt } from '../chaos-queries.ts';
import { WriteError } from './WriteError.tsx';

const CONFIRM_ALL =
  'Halt every running chaos run? Their leases are released at the fault daemons now, so the faults go, and each controller stops and reverts on its next report.';
const CONFIRM_ONE =
  'Halt this chaos run? Its leases are released at the fault daemons now, so its faults go, and its controller stops and reverts on its next report.';

/**
 * The big red button: `POST /chaos/halt` (every running run) or
 * `POST /chaos/runs/{id}/halt` (one) after a confirmation. The button shows while something runs; the
 * answer (runs halted, leases released, releases that failed) stays after.
 */
export function HaltButton({ running, label, runId }: { running: boolean; label: string; runId?: string }) {
  const halt = useHalt(runId);
  if (!running && !halt.data && !halt.error) return null;
  return (
    <div className="halt-bar" data-testid="halt-bar">
      {running && (
        <button
          type="button"
          className="halt-button"
          data-testid="halt"
          disabled={halt.isPending}
          title={runId === undefined ? 'Halts every running chaos run' : 'Halts this chaos run'}
          onClick={() => {
            if (window.confirm(runId === undefined ? CONFIRM_ALL : CONFIRM_ONE)) halt.mutate();
          }}
        >
          {halt.isPending ? 'Halting…' : label}
        </button>
      )}
      {running && !getToken() && (
        <span className="muted small">Halting needs an API token with the responder role.</span>
      )}
      <WriteError error={halt.error} testId="halt-error" />
      {halt.data && !halt.error && (
        <div className="halt-answer small" data-testid="halt-result">
          <span>{haltSummary(halt.data)}</span>
          {halt.data.errors.length > 0 && (
            <ul className="notice-error" data-testid="halt-errors">
              {halt.data.errors.map((e) => (
                <li key={e} className="mono">
                  {e}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
