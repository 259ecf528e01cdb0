/**
 * Alerting rules for one SLO: one multiwindow multi-burn-rate alert per
 * severity, and an absent-data alert. Pure; see RULES.md for the names.
 */
import type { BurnRateWindowPair, SloDefinition } from './model.ts';
import { promDuration } from './rules-promql.ts';
import type { AlertingRule, RulesOptions } from './rules-types.ts';

/** `checkout-availability` → `CheckoutAvailability`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** Default alert names: `CheckoutAvailabilityPageBurnRate`, `CheckoutAvailabilityNoData`. */
export function defaultAlertName(slo: string, severity: string): string {
  if (severity === 'nodata') return `${pascalCase(slo)}NoData`;
  return `${pascalCase(slo)}${pascalCase(severity)}BurnRate`;
}

/**
 * Alert names: the `alertName` option wins; else the SLO's `alerting.alertName`
 * (one name for every severity, Sloth style, and `<alertName>NoData`); else the default.
 */
function alertNameOf(def: SloDefinition, severity: string, options: RulesOptions): string {
  if (options.alertName) return options.alertName(def.name, severity);
  const base = def.alerting.alertName;
  if (base === undefined) return defaultAlertName(def.name, severity);
  return severity === 'nodata' ? `${base}NoData` : base;
}

/**
 * An alert's labels: the series' labels, the SLO's extra alert labels, the
 * severity's, then Ballast's own (`ballast_*`) and the severity label, which must win so alerts stay distinct
 * and traceable to their SLO.
 */
function alertLabels(
  def: SloDefinition,
  baseLabels: Record<string, string>,
  severityLabel: string,
  severity: string,
  perSeverity: boolean,
): Record<string, string> {
  const own = perSeverity ? def.alerting.severityLabels?.[severity] : undefined;
  const ballast = Object.fromEntries(Object.entries(baseLabels).filter(([k]) => k.startsWith('ballast_')));
  return { ...baseLabels, ...def.alerting.labels, ...own, ...ballast, [severityLabel]: severity };
}

/**
 * A burn-rate alert's annotations: the defaults, the SLO's extra annotations,
 * then the severity's. The no-data alert (`severity` undefined) takes the extra
 * annotations too (a runbook link), but keeps its own `summary` and
 * `description`: a text written for "burning too fast" would misdescribe it.
 */
function alertAnnotations(
  def: SloDefinition,
  defaults: Record<string, string>,
  severity: string | undefined,
): Record<string, string> {
  if (severity === undefined) return { ...defaults, ...def.alerting.annotations, ...defaults };
  return { ...defaults, ...def.alerting.annotations, ...def.alerting.severityAnnotations?.[severity] };
}

/** Renders a number for PromQL without float noise (1 − 0.999 → 0.001). */
export function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** PromQL selector `{ballast_slo="NAME"}` for an SLO's recorded series. */
export function sloSelector(slo: string): string {
  return `{ballast_slo=${JSON.stringify(slo)}}`;
}

/** Groups window pairs by severity, keeping the order severities first appear in. */
function bySeverity(pairs: BurnRateWindowPair[]): Map<string, BurnRateWindowPair[]> {
  const out = new Map<string, BurnRateWindowPair[]>();
  for (const pair of pairs) out.set(pair.severity, [...(out.get(pair.severity) ?? []), pair]);
  return out;
}

/**
 * One pair's condition. `max … without (ballast_window)` drops the window label
 * so the long and short sides match each other, and the alert's identity does
 * not change with the pair that fired.
 */
function pairCondition(slo: string, pair: BurnRateWindowPair, budget: number): string {
  const sel = sloSelector(slo);
  const threshold = `(${num(pair.burnRate)} * ${num(budget)})`;
  const side = (ms: number) =>
    `max(slo:sli_error:ratio_rate${promDuration(ms)}${sel} > ${threshold}) without (ballast_window)`;
  return `(\n  ${side(pair.longWindowMs)}\n  and\n  ${side(pair.shortWindowMs)}\n)`;
}

function describePairs(pairs: BurnRateWindowPair[]): string {
  return pairs
    .map(
      (p) =>
        `${promDuration(p.longWindowMs)} and ${promDuration(p.shortWindowMs)} both burn faster than ${num(p.burnRate)}x`,
    )
    .join(', or ');
}

/** Burn-rate alerts, one per severity, in the order of the SLO's window pairs. */
export function burnRateAlerts(
  def: SloDefinition,
  baseLabels: Record<string, string>,
  periodLabel: string,
  options: RulesOptions,
): AlertingRule[] {
  const budget = 1 - def.objective;
  const severityLabel = options.severityLabel ?? def.alerting.severityLabel;
  const target = `${num(def.objective * 100)}%`;
  return [...bySeverity(def.alerting.windows)].map(([severity, pairs]) => ({
    alert: alertNameOf(def, severity, options),
    expr: pairs.map((p) => pairCondition(def.name, p, budget)).join('\nor\n'),
    labels: alertLabels(def, baseLabels, severityLabel, severity, true),
    annotations: alertAnnotations(
      def,
      {
        summary: `SLO ${def.name} of service ${def.service} is burning its error budget too fast.`,
        description: `${severity}: ${describePairs(pairs)} the budget rate (objective ${target} over ${periodLabel}).`,
      },
      severity,
    ),
  }));
}

/**
 * The absent-data alert: the SLI's traffic series vanished, or (for ratio
 * SLIs) it reports no events at all, for `noDataAfterMs`. Burn-rate alerts
 * cannot fire without data, so silence would otherwise look healthy.
 */
export function noDataAlert(
  def: SloDefinition,
  baseLabels: Record<string, string>,
  trafficSeries: string,
  options: RulesOptions,
): AlertingRule {
  const severityLabel = options.severityLabel ?? def.alerting.severityLabel;
  const sel = `${trafficSeries}${sloSelector(def.name)}`;
  const w = promDuration(Math.max(def.alerting.noDataAfterMs, 60_000));
  const zeroTraffic = trafficSeries.startsWith('slo:sli_total')
    ? `\nor\nmax(max_over_time(${sel}[${w}]) == 0) without (ballast_window)`
    : '';
  return {
    alert: alertNameOf(def, 'nodata', options),
    expr: `absent_over_time(${sel}[${w}])${zeroTraffic}`,
    labels: alertLabels(def, baseLabels, severityLabel, options.noDataSeverity ?? 'ticket', false),
    annotations: alertAnnotations(
      def,
      {
        summary: `SLO ${def.name} of service ${def.service} has no SLI data.`,
        description: `No SLI data for ${w}: the burn-rate alerts of ${def.name} cannot fire. Check that the service is scraped.`,
      },
      undefined,
    ),
  };
}
