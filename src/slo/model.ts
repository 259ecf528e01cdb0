/**
 * The SLO domain model. Every other module speaks these types: the spec loader
 * maps YAML onto them, the store persists them as JSON, the engine computes on
 * them. Nothing here does IO.
 */

/** Milliseconds in common units, so durations read as words. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export type BudgetingMethod = 'Occurrences' | 'Timeslices' | 'RatioTimeslices';

export type CalendarUnit = 'Day' | 'Week' | 'Month' | 'Quarter' | 'Year';

export type TimeWindow =
  | { kind: 'rolling'; durationMs: number }
  | {
      kind: 'calendar';
      unit: CalendarUnit;
      /** How many units make one window (OpenSLO `duration: 1M` → unit Month, count 1). */
      count: number;
      /** ISO local date-time the calendar is anchored at, e.g. `2024-01-01 00:00:00`. */
      startTime: string;
      /** IANA time zone the calendar boundaries are computed in. */
      timeZone: string;
    };

/** Where an SLI's numbers come from. */
export type SliSource =
  /** Events pushed to `POST /api/v1/slos/{name}/events` (and, later, load tests). */
  | { kind: 'events' }
  /** A synthetic check's results (`source: check: NAME`). */
  | { kind: 'check'; check: string }
  /** PromQL over a Prometheus HTTP API. */
  | { kind: 'prometheus'; dataSource?: string; query: PrometheusSliQuery };

/**
 * PromQL for an SLI. Queries are *rate-less* selectors or expressions over
 * counters; `{{.window}}` (Sloth style) or `[$window]`/`$__window` is substituted with the
 * evaluation window, e.g. `sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))`.
 */
export type PrometheusSliQuery =
  | { type: 'ratio'; good?: string; bad?: string; total: string }
  /** The query returns the error ratio itself (Sloth's `raw.errorRatioQuery`). */
  | { type: 'rawErrorRatio'; errorRatio: string }
  /** The query returns the success ratio itself (OpenSLO `ratioMetric.raw`). */
  | { type: 'rawSuccessRatio'; successRatio: string }
  /** A gauge-like metric compared against a threshold (OpenSLO thresholdMetric). */
  | { type: 'threshold'; metric: string };

export type ThresholdOperator = 'lt' | 'lte' | 'gt' | 'gte';

export interface SliDefinition {
  /** Name of the referenced SLI document, when it was not inline. */
  name?: string;
  /** OpenSLO `ratioMetric` (good or bad over total) or `thresholdMetric`. */
  type: 'ratio' | 'threshold';
  /** Only for ratio SLIs: whether `good` or `bad` counts are reported. */
  counts?: 'good' | 'bad';
  source: SliSource;
  /**
   * For threshold SLIs: a sample is good when `value <op> threshold`. Ballast
   * turns samples into good/total per minute at ingestion.
   */
  threshold?: { op: ThresholdOperator; value: number };
}

/** One alert rule of a multiwindow multi-burn-rate policy. */
export interface BurnRateWindowPair {
  /** e.g. 'page' or 'ticket'; becomes the alert's severity label value. */
  severity: string;
  longWindowMs: number;
  shortWindowMs: number;
  /** Alert when both windows burn faster than this factor. */
  burnRate: number;
}

export interface AlertingConfig {
  /** Rule pairs; already scaled to the SLO period. */
  windows: BurnRateWindowPair[];
  /** Fewer events than this in the long window ⇒ the pair cannot fire (low-traffic guard). */
  minEvents: number;
  /** No events at all for this long ⇒ the SLO is in the no-data state. */
  noDataAfterMs: number;
  /** Label name and values used in generated Prometheus rules. */
  severityLabel: string;
  /** Where state changes go besides the server's own bus (an Alertmanager base URL). */
  alertmanagerUrl?: string;
  /**
   * Name of the generated burn-rate alerts (a Prometheus metric name). When set,
   * every severity's alert carries this one name and the severity label tells
   * them apart, as Sloth's `alerting.name` does; the absent-data alert becomes
   * `<alertName>NoData`. Unset: `<SloInPascalCase><Severity>BurnRate`.
   */
  alertName?: string;
  /** Extra labels on every generated alert. Ballast's own labels and the severity label win on a clash. */
  labels?: Record<string, string>;
  /** Extra annotations on every generated alert, merged over the default `summary` and `description`. */
  annotations?: Record<string, string>;
  /**
   * Extra labels of the burn-rate alert of one severity, keyed by severity value
   * (e.g. `page`); merged over `labels`. Sloth's `pageAlert.labels`/`ticketAlert.labels`.
   */
  severityLabels?: Record<string, Record<string, string>>;
  /** Extra annotations of the burn-rate alert of one severity, keyed by severity value; merged over `annotations`. */
  severityAnnotations?: Record<string, Record<string, string>>;
}

export interface SloDefinition {
  name: string;
  displayName?: string;
  description?: string;
  service: string;
  /** Objective as a ratio in (0, 1), e.g. 0.999. */
  objective: number;
  timeWindow: TimeWindow;
  budgetingMethod: BudgetingMethod;
  /** For Timeslices/RatioTimeslices: the slice length (a whole number of minutes). */
  timesliceMs?: number;
  /** For Timeslices: a slice is good when its ratio is at least this. */
  timesliceTarget?: number;
  indicator: SliDefinition;
  alerting: AlertingConfig;
  labels: Record<string, string>;
}

export interface ServiceDefinition {
  name: string;
  displayName?: string;
  description?: string;
  labels: Record<string, string>;
  /** Hosts that load tests and checks may target besides loopback (later issues). */
  allowedHosts?: string[];
}

/** One per-minute bucket of SLI data. `minute` is epoch ms aligned to the minute. */
export interface SliBucket {
  minute: number;
  good: number;
  total: number;
}

export type AlertState = 'ok' | 'firing' | 'no_data' | 'insufficient_data';

/** The alert state of one severity of one SLO at one evaluation. */
export interface AlertStatus {
  /** Absent: `slo`. */
  source?: AlertSource;
  /** The SLO's name, or the check's when `source` is `check`. */
  slo: string;
  severity: string;
  state: AlertState;
  /** Which window pair triggered (long/short burn rates), when firing. */
  reason?: string;
  since: number;
}

/** What raised an alert: an SLO's burn rate, or a synthetic check crossing its failure threshold. */
export type AlertSource = 'slo' | 'check';

/** An alert state change: the event the incident module will consume. */
export interface AlertTransition {
  /** Absent: `slo`. */
  source?: AlertSource;
  /** The SLO's name, or the check's when `source` is `check`. */
  slo: string;
  service: string;
  severity: string;
  from: AlertState;
  to: AlertState;
  at: number;
  reason?: string;
  burnRates: Record<string, number | null>;
}

/** Everything the engine knows about one SLO at one instant. */
export interface SloStatus {
  slo: string;
  service: string;
  objective: number;
  evaluatedAt: number;
  /** Window the SLI and budget refer to (epoch ms, [start, end)). */
  window: { start: number; end: number };
  /** null when there is no data in the window. */
  sli: number | null;
  events: { good: number; total: number };
  budget: {
    /** Error budget as a ratio of the window: 1 − objective. */
    totalRatio: number;
    /** Remaining share of the budget, 1 = untouched, 0 = spent, negative = overspent. null without data. */
    remainingRatio: number | null;
    /** Budget in events (Occurrences) or slices (Timeslices). */
    totalEvents: number | null;
    remainingEvents: number | null;
  };
  /** Burn rate per window label (e.g. '5m', '1h'); null where the window has no data. */
  burnRates: Record<string, number | null>;
  /** Ms until the budget is exhausted at the current (1h) burn; null if not burning or no data. */
  exhaustionInMs: number | null;
  alerts: AlertStatus[];
}
