import { alertLabel, alertTone, budgetTone, formatBudget } from '../format.ts';

/** The alert state of an SLO: ok, ticket, page or no data. */
export function AlertBadge({ state }: { state: string }) {
  return (
    <span className={`badge badge-${alertTone(state)}`} data-testid="alert-state">
      {alertLabel(state)}
    </span>
  );
}

/** Remaining error budget as a bar and a number; an overspent budget shows as an empty red bar. */
export function BudgetBar({ remaining }: { remaining: number | null }) {
  const tone = budgetTone(remaining);
  const width = remaining === null ? 0 : Math.max(0, Math.min(1, remaining)) * 100;
  return (
    <div className="budget" data-testid="budget">
      <div className="budget-track">
        <div className={`budget-fill budget-${tone}`} style={{ width: `${width}%` }} />
      </div>
      <span className={`num budget-text-${tone}`}>{formatBudget(remaining)}</span>
    </div>
  );
}
