/** A validated OpenSLO SLO document → SloDefinition, resolving its references. */
import type { BurnRateWindowPair, SliDefinition, SloDefinition } from '../slo/model.ts';
import { MINUTE_MS } from '../slo/model.ts';
import { nested, type Report } from './context.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { type AlertIndex, alertingFromAnnotations, buildAlerting, mapPolicy } from './map-alerting.ts';
import { type DataSourceTypes, mapSliSpec, type SliDraft } from './map-sli.ts';
import { mapTimeWindow, nominalPeriodMs } from './map-window.ts';
import type { ObjectiveSpec, OpenSloDoc } from './schemas/openslo.ts';

/** What an SLO may refer to. `undefined` values: declared but invalid (already reported). */
export interface SloIndex extends AlertIndex {
  services: ReadonlySet<string>;
  slis: ReadonlyMap<string, SliDraft | undefined>;
  policies: ReadonlyMap<string, BurnRateWindowPair[] | undefined>;
  dataSources: DataSourceTypes;
}

/** Flattens OpenSLO labels (a value may be a list) to the model's string map. */
export function flattenLabels(
  labels: Record<string, string | number | boolean | string[]> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) out[k] = Array.isArray(v) ? v.join(',') : String(v);
  return out;
}

/** Maps one SLO; every problem is reported, and undefined is returned if any was an error. */
export function mapSlo(slo: OpenSloDoc<'SLO'>, report: Report, index: SloIndex): SloDefinition | undefined {
  const spec = slo.spec;
  const at = nested(report, ['spec']);
  let ok = true;
  if (!index.services.has(spec.service)) {
    at(['service'], 'error', `unknown service "${spec.service}": declare a Service named "${spec.service}"`);
    ok = false;
  }
  const indicator = resolveIndicator(slo, at, index);
  if (spec.objectives.length > 1) {
    at(
      ['objectives', 1],
      'error',
      'Ballast supports one objective per SLO: move the others into SLOs of their own',
    );
    ok = false;
  }
  const objective = spec.objectives[0] as ObjectiveSpec;
  const objAt = nested(at, ['objectives', 0]);
  const target = objectiveTarget(objective, objAt);
  const context = `${slo.metadata.name} ${slo.metadata.displayName ?? ''} ${spec.description ?? ''}`;
  const window = mapTimeWindow(spec.timeWindow?.[0], context, nested(at, ['timeWindow', 0]));
  const slices = timeslices(spec.budgetingMethod, objective, objAt);
  const pairs = policyPairs(spec.alertPolicies ?? [], at, index);
  const annotations = alertingFromAnnotations(slo.metadata.annotations, report);
  if (!ok || !indicator || target === undefined || !window || !slices || !pairs) return undefined;
  const threshold = thresholdOf(indicator, objective, objAt);
  if (threshold === null) return undefined;
  const periodMs = nominalPeriodMs(window);
  warnTinyBudget(target, periodMs, objAt, objective.target === undefined ? 'targetPercent' : 'target');
  const definition: SloDefinition = {
    name: slo.metadata.name,
    service: spec.service,
    objective: target,
    timeWindow: window,
    budgetingMethod: spec.budgetingMethod,
    ...slices.value,
    indicator: threshold ? { ...indicator, threshold } : indicator,
    alerting: buildAlerting(periodMs, pairs, spec.alerting ?? {}, annotations),
    labels: flattenLabels(slo.metadata.labels),
  };
  if (slo.metadata.displayName !== undefined) definition.displayName = slo.metadata.displayName;
  if (spec.description !== undefined) definition.description = spec.description;
  return definition;
}

function resolveIndicator(slo: OpenSloDoc<'SLO'>, at: Report, index: SloIndex): SliDefinition | undefined {
  const { indicator, indicatorRef } = slo.spec;
  if (indicator && indicatorRef !== undefined) {
    at(['indicatorRef'], 'error', 'use indicator or indicatorRef, not both');
    return undefined;
  }
  if (indicator) return mapSliSpec(indicator.spec, nested(at, ['indicator', 'spec']), index.dataSources);
  if (indicatorRef === undefined) {
    at([], 'error', 'an SLO needs indicator (inline SLI) or indicatorRef (name of an SLI)');
    return undefined;
  }
  if (!index.slis.has(indicatorRef)) {
    at(['indicatorRef'], 'error', `unknown SLI "${indicatorRef}": declare an SLI with that name`);
    return undefined;
  }
  const draft = index.slis.get(indicatorRef);
  return draft ? { name: indicatorRef, ...draft } : undefined;
}

function objectiveTarget(o: ObjectiveSpec, at: Report): number | undefined {
  if (o.target !== undefined && o.targetPercent !== undefined) {
    at(['targetPercent'], 'error', 'use target or targetPercent, not both');
    return undefined;
  }
  if (o.target === undefined && o.targetPercent === undefined) {
    at([], 'error', 'an objective needs target (e.g. 0.999) or targetPercent (e.g. 99.9)');
    return undefined;
  }
  // Rounded so 99.9 / 100 is 0.999, not 0.9990000000000001.
  return o.target ?? Number(((o.targetPercent as number) / 100).toPrecision(12));
}

type Slices = { value: { timesliceMs?: number; timesliceTarget?: number } };

function timeslices(
  method: SloDefinition['budgetingMethod'],
  o: ObjectiveSpec,
  at: Report,
): Slices | undefined {
  if (method === 'Occurrences') return { value: {} };
  let ok = true;
  if (o.timeSliceWindow === undefined) {
    at([], 'error', `budgetingMethod ${method} needs timeSliceWindow in the objective (e.g. 1m)`);
    ok = false;
  }
  if (method === 'Timeslices' && o.timeSliceTarget === undefined) {
    at([], 'error', 'budgetingMethod Timeslices needs timeSliceTarget in the objective (e.g. 0.95)');
    ok = false;
  }
  if (o.timeSliceWindow === undefined) return undefined;
  const ms =
    typeof o.timeSliceWindow === 'number' ? o.timeSliceWindow * MINUTE_MS : parseDuration(o.timeSliceWindow);
  if (ms === undefined || ms <= 0 || ms % MINUTE_MS !== 0) {
    at(
      ['timeSliceWindow'],
      'error',
      `timeSliceWindow ${JSON.stringify(o.timeSliceWindow)} must be a whole number of minutes (e.g. 1m, 5m or 5)`,
    );
    return undefined;
  }
  if (!ok) return undefined;
  return {
    value:
      method === 'Timeslices'
        ? { timesliceMs: ms, timesliceTarget: o.timeSliceTarget as number }
        : { timesliceMs: ms },
  };
}

/** The objective's threshold for threshold SLIs; null = error reported; undefined = not a threshold SLI. */
function thresholdOf(sli: SliDefinition, o: ObjectiveSpec, at: Report): SliDefinition['threshold'] | null {
  if (sli.type !== 'threshold') return undefined;
  if (o.op === undefined || o.value === undefined) {
    at([], 'error', 'a thresholdMetric SLI needs op (lt, lte, gt, gte) and value in its objective');
    return null;
  }
  return { op: o.op, value: o.value };
}

function policyPairs(
  refs: NonNullable<OpenSloDoc<'SLO'>['spec']['alertPolicies']>,
  at: Report,
  index: SloIndex,
): BurnRateWindowPair[] | undefined {
  const pairs: BurnRateWindowPair[] = [];
  let ok = true;
  refs.forEach((ref, i) => {
    if (typeof ref === 'object' && 'kind' in ref) {
      const inline = mapPolicy(ref.spec, nested(at, ['alertPolicies', i, 'spec']), index);
      if (inline) pairs.push(...inline);
      else ok = false;
      return;
    }
    const name = typeof ref === 'string' ? ref : ref.alertPolicyRef;
    if (!index.policies.has(name)) {
      at(['alertPolicies', i], 'error', `unknown AlertPolicy "${name}"`);
      ok = false;
      return;
    }
    const found = index.policies.get(name);
    if (found) pairs.push(...found);
    else ok = false;
  });
  return ok ? pairs : undefined;
}

function warnTinyBudget(objective: number, periodMs: number, at: Report, field: string): void {
  const budgetMs = (1 - objective) * periodMs;
  if (budgetMs >= MINUTE_MS) return;
  at(
    [field],
    'warning',
    `objective ${objective} over ${formatDuration(periodMs)} leaves an error budget of ${(budgetMs / 1000).toFixed(1)}s, less than a minute: a single bad minute spends it; lower the objective or lengthen the window`,
  );
}
