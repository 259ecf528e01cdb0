/** Thresholds: the expression parser and the evaluator over a run's metrics. */
export {
  evaluateThresholds,
  type MetricsView,
  sloBurnRate,
  sloThresholdExpr,
  type ThresholdResult,
} from './evaluate.ts';
export {
  type ParsedThreshold,
  type ParseResult,
  parseThreshold,
  type ThresholdMetric,
  type ThresholdOp,
} from './parse.ts';
