/** Shapes of generated Prometheus rule files (the `groups:` document promtool reads). */

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

/** Options of {@link generatePrometheusRules}. */
export interface RulesOptions {
  /** Overrides every SLO's `alerting.severityLabel` (e.g. `priority`). */
  severityLabel?: string;
  /** Severity value of the absent-data alert; default `ticket`. */
  noDataSeverity?: string;
  /** Alert names; default `<SloInPascalCase><Severity>BurnRate` and `<SloInPascalCase>NoData`. */
  alertName?: (slo: string, severity: string | 'nodata') => string;
  /**
   * Window of the per-second recordings the period window is summed from;
   * default 5m. Must cover at least two scrapes.
   */
  baseWindowMs?: number;
}

/** Why an SLO produced no rules, or produced rules with a caveat. */
export interface RulesNote {
  slo: string;
  message: string;
}

export interface RulesResult {
  yaml: string;
  groups: RuleGroup[];
  /** SLOs that got no rules (not Prometheus-backed, or threshold SLIs). */
  skipped: RulesNote[];
  /** SLOs whose rules approximate the SLO (calendar window, timeslices, raw ratios). */
  warnings: RulesNote[];
}
