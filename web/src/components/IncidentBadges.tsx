import { type IncidentState, type Severity, severityTone, stateBadge } from '../incident-data.ts';

/** An incident's state as a coloured pill: red while nobody has it, amber while worked on, green when over. */
export function IncidentStateBadge({ state }: { state: IncidentState }) {
  const { label, tone } = stateBadge(state);
  return (
    <span className={`inc-state inc-state-${tone}`} data-testid="incident-state" data-state={state}>
      {label}
    </span>
  );
}

/** SEV1 … SEV4, loudest first. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`sev sev-${severityTone(severity)}`} data-testid="incident-severity">
      {severity}
    </span>
  );
}
