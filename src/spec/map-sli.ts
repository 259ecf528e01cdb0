/** OpenSLO SLI specs (validated) → the indicator part of the domain model. */
import type { PrometheusSliQuery, SliDefinition, SliSource } from '../slo/model.ts';
import { nested, type Report } from './context.ts';
import type { MetricSpec, SliSpec } from './schemas/openslo.ts';

/** An indicator before the objective adds its threshold. */
export type SliDraft = Omit<SliDefinition, 'threshold' | 'name'>;

/** DataSource name → its `spec.type`. */
export type DataSourceTypes = ReadonlyMap<string, string>;

/** A metric source resolved: Ballast events, a check, or one PromQL query. */
type ResolvedSource =
  | { kind: 'events' }
  | { kind: 'check'; check: string }
  | { kind: 'prometheus'; dataSource?: string; query: string };

const SUPPORTED = 'use Prometheus, Ballast (pushed events) or BallastCheck';

/** Resolves one `metricSource` (absent ⇒ Ballast's own events). */
export function resolveMetricSource(
  metric: MetricSpec | undefined,
  report: Report,
  dataSources: DataSourceTypes,
): ResolvedSource | undefined {
  const ms = metric?.metricSource;
  if (!ms) return { kind: 'events' };
  const at = nested(report, ['metricSource']);
  let type = ms.type;
  if (ms.metricSourceRef !== undefined) {
    const dsType = dataSources.get(ms.metricSourceRef);
    if (dsType === undefined) {
      at(
        ['metricSourceRef'],
        'error',
        `unknown DataSource "${ms.metricSourceRef}": declare a DataSource with that name`,
      );
      return undefined;
    }
    if (type !== undefined && type.toLowerCase() !== dsType.toLowerCase()) {
      at(
        ['type'],
        'error',
        `type ${type} does not match DataSource "${ms.metricSourceRef}" of type ${dsType}`,
      );
      return undefined;
    }
    type ??= dsType;
  }
  const spec = ms.spec ?? {};
  switch ((type ?? 'ballast').toLowerCase()) {
    case 'ballast':
      for (const key of Object.keys(spec))
        at(['spec', key], 'error', `unknown field "${key}" in a Ballast metric source (its spec is empty)`);
      return Object.keys(spec).length === 0 ? { kind: 'events' } : undefined;
    case 'ballastcheck':
      if (typeof spec.check !== 'string' || spec.check === '') {
        at(['spec', 'check'], 'error', 'a BallastCheck metric source needs spec.check: the name of a Check');
        return undefined;
      }
      return { kind: 'check', check: spec.check };
    case 'prometheus':
      if (typeof spec.query !== 'string' || spec.query.trim() === '') {
        at(['spec', 'query'], 'error', 'a Prometheus metric source needs spec.query: a PromQL expression');
        return undefined;
      }
      return { kind: 'prometheus', dataSource: ms.metricSourceRef, query: spec.query };
    default:
      at(['type'], 'error', `metric source type "${type}" is not supported: ${SUPPORTED}`);
      return undefined;
  }
}

/** Maps an SLI spec; reports every problem and returns undefined when there was one. */
export function mapSliSpec(
  spec: SliSpec,
  report: Report,
  dataSources: DataSourceTypes,
): SliDraft | undefined {
  if (spec.thresholdMetric && spec.ratioMetric) {
    report(['ratioMetric'], 'error', 'an SLI has either thresholdMetric or ratioMetric, not both');
    return undefined;
  }
  if (spec.thresholdMetric) {
    const src = resolveMetricSource(spec.thresholdMetric, nested(report, ['thresholdMetric']), dataSources);
    if (!src) return undefined;
    return {
      type: 'threshold',
      source: src.kind === 'prometheus' ? prom(src, { type: 'threshold', metric: src.query }) : src,
    };
  }
  if (!spec.ratioMetric) {
    report([], 'error', 'an SLI needs thresholdMetric or ratioMetric');
    return undefined;
  }
  return mapRatio(spec.ratioMetric, nested(report, ['ratioMetric']), dataSources);
}

function prom(src: { dataSource?: string }, query: PrometheusSliQuery): SliSource {
  return src.dataSource === undefined
    ? { kind: 'prometheus', query }
    : { kind: 'prometheus', dataSource: src.dataSource, query };
}

function mapRatio(
  ratio: NonNullable<SliSpec['ratioMetric']>,
  report: Report,
  dataSources: DataSourceTypes,
): SliDraft | undefined {
  if (ratio.raw) {
    if (ratio.good || ratio.bad || ratio.total) {
      report(['raw'], 'error', 'raw cannot be combined with good, bad or total');
      return undefined;
    }
    if (!ratio.rawType) {
      report([], 'error', 'missing required field rawType (success or failure) for a raw ratio');
      return undefined;
    }
    const src = resolveMetricSource(ratio.raw, nested(report, ['raw']), dataSources);
    if (!src) return undefined;
    if (src.kind !== 'prometheus') {
      report(['raw'], 'error', 'a raw ratio needs a Prometheus metric source');
      return undefined;
    }
    const query: PrometheusSliQuery =
      ratio.rawType === 'success'
        ? { type: 'rawSuccessRatio', successRatio: src.query }
        : { type: 'rawErrorRatio', errorRatio: src.query };
    return { type: 'ratio', source: prom(src, query) };
  }
  if (ratio.good && ratio.bad) {
    report(['bad'], 'error', 'a ratio has good or bad over total, not both');
    return undefined;
  }
  const counts = ratio.bad ? 'bad' : 'good';
  const numerator = ratio.bad ?? ratio.good;
  if (!numerator || !ratio.total) {
    report([], 'error', 'a ratioMetric needs good (or bad) and total, or raw with rawType');
    return undefined;
  }
  const num = resolveMetricSource(numerator, nested(report, [counts]), dataSources);
  const total = resolveMetricSource(ratio.total, nested(report, ['total']), dataSources);
  if (!num || !total) return undefined;
  return combineRatio(counts, num, total, report);
}

function combineRatio(
  counts: 'good' | 'bad',
  num: ResolvedSource,
  total: ResolvedSource,
  report: Report,
): SliDraft | undefined {
  const same =
    num.kind === total.kind &&
    (num.kind !== 'prometheus' || num.dataSource === (total as { dataSource?: string }).dataSource) &&
    (num.kind !== 'check' || num.check === (total as { check: string }).check);
  if (!same) {
    report(['total'], 'error', `${counts} and total must read the same metric source`);
    return undefined;
  }
  if (num.kind !== 'prometheus') return { type: 'ratio', counts, source: num };
  if (total.kind !== 'prometheus') return undefined;
  const query: PrometheusSliQuery =
    counts === 'good'
      ? { type: 'ratio', good: num.query, total: total.query }
      : { type: 'ratio', bad: num.query, total: total.query };
  return { type: 'ratio', counts, source: prom(num, query) };
}
