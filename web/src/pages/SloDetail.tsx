import { Link, useParams, useSearchParams } from 'react-router';
import type { SloDetailResponse } from '../api.ts';
import { windowLabel } from '../chart-data.ts';
import { AlertBadge, BudgetBar } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Stat } from '../components/Stat.tsx';
import { formatBurn, formatDuration, formatObjective, formatSli } from '../format.ts';
import { RANGES, type RangeKey, useSlo } from '../queries.ts';
import { AlertHistory } from './AlertHistory.tsx';
import { BudgetChart, RangeCharts } from './SloCharts.tsx';

const DEFAULT_RANGE: RangeKey = '6h';

function isRange(v: string | null): v is RangeKey {
  return v !== null && v in RANGES;
}

/** `/slos/:name`: the numbers, the charts, the alert rules and their history. */
export function SloDetail() {
  const { name = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const rangeParam = params.get('range');
  const range = isRange(rangeParam) ? rangeParam : DEFAULT_RANGE;
  const slo = useSlo(name);
  if (slo.error) return <ErrorPanel error={slo.error} />;
  if (!slo.data) return <div className="loading">Loading {name}…</div>;
  const detail = slo.data;
  return (
    <>
      <SloHeader detail={detail} />
      <div className="charts">
        <BudgetChart detail={detail} />
        <div className="range-bar">
          <span className="muted small">Range</span>
          <fieldset className="segmented" aria-label="Time range">
            {(Object.keys(RANGES) as RangeKey[]).map((r) => (
              <button
                key={r}
                type="button"
                className={r === range ? 'active' : ''}
                aria-pressed={r === range}
                onClick={() => setParams({ range: r }, { replace: true })}
              >
                {r}
              </button>
            ))}
          </fieldset>
        </div>
        <RangeCharts detail={detail} rangeMs={RANGES[range]} />
      </div>
      <AlertRules detail={detail} />
      <AlertHistory slo={detail.definition.name} />
    </>
  );
}

function SloHeader({ detail }: { detail: SloDetailResponse }) {
  const { definition: def, summary } = detail;
  const st = summary.status;
  return (
    <section className="slo-header" data-testid="slo-header">
      <div className="crumbs muted small">
        <Link to="/">Services</Link> / {summary.service}
      </div>
      <div className="slo-title">
        <h1>{def.displayName ?? def.name}</h1>
        <AlertBadge state={summary.alertState} />
      </div>
      {def.description && <p className="muted">{def.description}</p>}
      <div className="stats">
        <Stat num label="Objective" testId="stat-objective">
          {formatObjective(summary.objective)}
        </Stat>
        <Stat num label="Window">
          {summary.window}
        </Stat>
        <Stat num label="SLI" testId="stat-sli">
          {formatSli(st.sli)}
        </Stat>
        <Stat num label="Error budget left" testId="stat-budget">
          <BudgetBar remaining={st.budget.remainingRatio} />
        </Stat>
        <Stat num label="Fastest burn">
          {summary.fastestBurn
            ? `${formatBurn(summary.fastestBurn.rate)} (${summary.fastestBurn.window})`
            : '—'}
        </Stat>
        <Stat num label="Exhausted in">
          {formatDuration(st.exhaustionInMs)}
        </Stat>
        <Stat num label="Events good / total">
          {st.events.good.toLocaleString('en-US')} / {st.events.total.toLocaleString('en-US')}
        </Stat>
        <Stat num label="Method · source">
          {summary.budgetingMethod} · {summary.source}
        </Stat>
      </div>
    </section>
  );
}

/** The SLO's burn-rate alert rules with the current burn of each window. */
function AlertRules({ detail }: { detail: SloDetailResponse }) {
  const rates = detail.summary.status.burnRates;
  const states = new Map(detail.summary.status.alerts.map((a) => [a.severity, a.state]));
  return (
    <section className="panel">
      <header className="panel-head">
        <h3>Alert rules</h3>
        <span className="muted small">
          multiwindow, multi-burn-rate: both windows must burn above the factor
        </span>
      </header>
      <div className="table-wrap">
        <table className="grid">
          <thead>
            <tr>
              <th>Severity</th>
              <th className="r">Factor</th>
              <th className="r">Long window</th>
              <th className="r">Short window</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {detail.definition.alerting.windows.map((w) => {
              const long = windowLabel(w.longWindowMs);
              const short = windowLabel(w.shortWindowMs);
              const state = states.get(w.severity) ?? 'ok';
              return (
                <tr key={`${w.severity}-${long}-${short}`}>
                  <td className="mono">{w.severity}</td>
                  <td className="r num">{w.burnRate}×</td>
                  <td className="r num">
                    {long} <span className={over(rates[long], w.burnRate)}>{formatBurn(rates[long])}</span>
                  </td>
                  <td className="r num">
                    {short} <span className={over(rates[short], w.burnRate)}>{formatBurn(rates[short])}</span>
                  </td>
                  <td>
                    <AlertBadge state={state === 'firing' ? w.severity : state} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function over(rate: number | null | undefined, factor: number): string {
  return rate !== null && rate !== undefined && rate > factor ? 'hot' : 'muted';
}
