/**
 * The SLO engine's public face: the domain model, the incremental evaluator and
 * its pure helpers, Prometheus rule generation and the Prometheus SLI source.
 * Other modules import from here, never from the files behind it.
 */
export * from './engine.ts';
export type * from './model.ts';
export { DAY_MS, HOUR_MS, MINUTE_MS } from './model.ts';
export { seededRandom } from './random.ts';
export { generatePrometheusRules, renderRules } from './rules.ts';
export type * from './rules-types.ts';
export {
  countQueries,
  evaluatePrometheusSlo,
  PrometheusClient,
  PrometheusError,
  prometheusHistory,
} from './sources/prometheus.ts';
