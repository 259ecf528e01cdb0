/**
 * Prometheus recording and alerting rules for Prometheus-backed SLOs, in the
 * layout Sloth made familiar: per SLO a group of SLI recordings (one per
 * window), a group of meta/info recordings and a group of alerts. Pure: the
 * CLI writes the YAML. Rule names are documented in RULES.md.
 */
import { stringify } from 'yaml';
import { DAY_MS, type PrometheusSliQuery, type SloDefinition } from './model.ts';
import { burnRateAlerts, noDataAlert, num, sloSelector } from './rules-alerts.ts';
import { errorRatioQuery, periodMs, perSecondQuery, promDuration } from './rules-promql.ts';
import type { RecordingRule, RuleGroup, RulesNote, RulesOptions, RulesResult } from './rules-types.ts';

export type * from './rules-types.ts';

const DEFAULT_BASE_WINDOW_MS = 5 * 60_000;

/**
 * Generates Prometheus rules for every SLO whose indicator comes from
 * Prometheus; other SLOs are listed in `skipped`.
 * @example
 * const { yaml, skipped } = generatePrometheusRules(slos, { severityLabel: 'priority' });
 * await writeFile('slo-rules.yaml', yaml); // then `promtool check rules slo-rules.yaml`
 */
export function generatePrometheusRules(slos: SloDefinition[], options: RulesOptions = {}): RulesResult {
  const groups: RuleGroup[] = [];
  const skipped: RulesNote[] = [];
  const warnings: RulesNote[] = [];
  for (const def of slos) {
    const source = def.indicator.source;
    if (source.kind !== 'prometheus') {
      skipped.push({ slo: def.name, message: `its SLI comes from ${source.kind}, not Prometheus` });
      continue;
    }
    if (source.query.type === 'threshold') {
      skipped.push({
        slo: def.name,
        message:
          'threshold SLIs are turned into good/total by Ballast at ingestion; Prometheus has no counters for them',
      });
      continue;
    }
    warnings.push(...caveats(def, source.query));
    groups.push(...sloGroups(def, source.query, options));
  }
  return { yaml: renderRules(groups), groups, skipped, warnings };
}

/** Where the generated rules are an approximation of what the engine computes. */
function caveats(def: SloDefinition, query: PrometheusSliQuery): RulesNote[] {
  const notes: RulesNote[] = [];
  if (def.timeWindow.kind === 'calendar') {
    notes.push({
      slo: def.name,
      message: `calendar window approximated by a rolling ${promDuration(periodMs(def.timeWindow))} (Prometheus has no calendar ranges)`,
    });
  }
  if (def.budgetingMethod !== 'Occurrences') {
    notes.push({
      slo: def.name,
      message: `${def.budgetingMethod} budgeting: the rules count occurrences (event ratios), not slices`,
    });
  }
  if (query.type !== 'ratio') {
    notes.push({
      slo: def.name,
      message:
        'raw ratio query: the period SLI is a time average of ratios, since the event counts are unknown',
    });
  }
  return notes;
}

/** Labels every series and alert of one SLO carries. Ballast's own labels win over the SLO's. */
function baseLabelsOf(def: SloDefinition): Record<string, string> {
  return { ...def.labels, ballast_slo: def.name, ballast_service: def.service };
}

function sloGroups(def: SloDefinition, query: PrometheusSliQuery, options: RulesOptions): RuleGroup[] {
  const base = baseLabelsOf(def);
  const baseWindowMs = options.baseWindowMs ?? DEFAULT_BASE_WINDOW_MS;
  const period = periodMs(def.timeWindow);
  const alertWindows = new Set(def.alerting.windows.flatMap((p) => [p.longWindowMs, p.shortWindowMs]));
  alertWindows.delete(period);
  const shortest = Math.min(...alertWindows, baseWindowMs);
  const windows = [...new Set([...alertWindows, baseWindowMs])].sort((a, b) => a - b);
  const sliRules: RecordingRule[] = windows.map((w) => ({
    record: `slo:sli_error:ratio_rate${promDuration(w)}`,
    expr: errorRatioQuery(query, w),
    labels: { ...base, ballast_window: promDuration(w) },
  }));
  if (query.type === 'ratio') sliRules.push(...trafficRecordings(query, baseWindowMs, base));
  sliRules.push(periodRecording(def.name, query.type, baseWindowMs, period, base));
  const trafficSeries =
    query.type === 'ratio'
      ? `slo:sli_total:rate${promDuration(baseWindowMs)}`
      : `slo:sli_error:ratio_rate${promDuration(baseWindowMs)}`;
  const periodLabel = promDuration(period);
  return [
    { name: `ballast-slo-${def.name}-sli-recordings`, rules: sliRules },
    { name: `ballast-slo-${def.name}-meta-recordings`, rules: metaRecordings(def, shortest, period, base) },
    {
      name: `ballast-slo-${def.name}-alerts`,
      rules: [
        ...burnRateAlerts(def, base, periodLabel, options),
        noDataAlert(def, base, trafficSeries, options),
      ],
    },
  ];
}

/** Bad and total events per second over the base window: the parts the period ratio is summed from. */
function trafficRecordings(
  query: Extract<PrometheusSliQuery, { type: 'ratio' }>,
  baseWindowMs: number,
  base: Record<string, string>,
): RecordingRule[] {
  const w = promDuration(baseWindowMs);
  const bad =
    query.bad !== undefined
      ? perSecondQuery(query.bad, baseWindowMs)
      : `(${perSecondQuery(query.total, baseWindowMs)}) - (${perSecondQuery(query.good ?? '', baseWindowMs)})`;
  const labels = { ...base, ballast_window: w };
  return [
    { record: `slo:sli_bad:rate${w}`, expr: bad, labels },
    { record: `slo:sli_total:rate${w}`, expr: perSecondQuery(query.total, baseWindowMs), labels },
  ];
}

/**
 * The period window's error ratio. Sloth records it as
 * `sum_over_time(ratio_rate5m[30d]) / count_over_time(ratio_rate5m[30d])`:
 * the mean of 5-minute *ratios*, where a quiet night's 5 minutes with 1 of 2
 * requests failing weighs as much as a peak's 5 minutes with 10,000 requests.
 * Ballast needs a ratio of *sums*, so it records bad and total events per
 * second and divides their sums. Every sample of both series covers the same
 * (overlapping) 5-minute spans, so the overlap factor cancels and the result
 * is bad events ÷ total events over the period. Raw ratio queries carry no
 * counts, so for them the time average is the best Prometheus can do.
 */
function periodRecording(
  slo: string,
  type: PrometheusSliQuery['type'],
  baseWindowMs: number,
  period: number,
  base: Record<string, string>,
): RecordingRule {
  const w = promDuration(baseWindowMs);
  const p = promDuration(period);
  const sel = sloSelector(slo);
  const expr =
    type === 'ratio'
      ? `sum_over_time(slo:sli_bad:rate${w}${sel}[${p}])\n/ ignoring(ballast_window)\nsum_over_time(slo:sli_total:rate${w}${sel}[${p}])`
      : `sum_over_time(slo:sli_error:ratio_rate${w}${sel}[${p}])\n/ ignoring(ballast_window)\ncount_over_time(slo:sli_error:ratio_rate${w}${sel}[${p}])`;
  return { record: `slo:sli_error:ratio_rate${p}`, expr, labels: { ...base, ballast_window: p } };
}

/** Objective, budget, period, burn rates and an info series, as Sloth's meta recordings. */
function metaRecordings(
  def: SloDefinition,
  shortestMs: number,
  period: number,
  base: Record<string, string>,
): RecordingRule[] {
  const budget = num(1 - def.objective);
  const sel = sloSelector(def.name);
  const p = promDuration(period);
  const info: Record<string, string> = {
    ...base,
    ballast_objective: num(def.objective),
    ballast_window: p,
    ballast_budgeting_method: def.budgetingMethod,
  };
  if (def.displayName !== undefined) info.ballast_display_name = def.displayName;
  return [
    { record: 'slo:objective:ratio', expr: `vector(${num(def.objective)})`, labels: base },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels: base },
    { record: 'slo:time_period:days', expr: `vector(${num(period / DAY_MS)})`, labels: base },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `max(slo:sli_error:ratio_rate${promDuration(shortestMs)}${sel}) without (ballast_window) / ${budget}`,
      labels: base,
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `max(slo:sli_error:ratio_rate${p}${sel}) without (ballast_window) / ${budget}`,
      labels: base,
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - slo:period_burn_rate:ratio${sel}`,
      labels: base,
    },
    { record: 'slo:sli_info', expr: 'vector(1)', labels: info },
  ];
}

/** The rule file text: a header, then `groups:` exactly as promtool reads it. */
export function renderRules(groups: RuleGroup[]): string {
  const body = stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false });
  return `# Generated by \`ballast slo rules\`. Do not edit: change the SLO specs and regenerate.\n${body}`;
}
