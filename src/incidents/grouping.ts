/**
 * Where an incoming alert goes: which incident it joins (dedup key, related
 * alerts grouped by labels or by service within a time window) and, for a new
 * incident, how it is routed (escalation policy, service, urgency, severity).
 * Pure: the caller loads the candidate incidents and their alerts.
 */
import { MINUTE_MS } from '../slo/index.ts';
import { ACTIVE_STATES } from './lifecycle.ts';
import type {
  AlertOrigin,
  AlertRecord,
  AlertSeverity,
  Incident,
  IncomingAlert,
  Severity,
  Urgency,
} from './types.ts';

// ── grouping ──────────────────────────────────────────────────────────────

export interface GroupingRules {
  /**
   * An alert for the same service joins an active incident when it arrives at
   * most this long after the incident's latest alert (so the window slides as
   * alerts join); a resolved incident is reopened only within this long of its
   * resolution. 0 turns service grouping and reopening off.
   */
  windowMs: number;
  /**
   * Labels whose equal values make alerts related whatever their service and
   * time (e.g. `alertname` and `cluster`); an alert missing one of them is not
   * grouped by labels. Empty: no label grouping.
   */
  byLabels: string[];
}

export const DEFAULT_GROUPING_WINDOW_MS = 30 * MINUTE_MS;

export const DEFAULT_GROUPING: GroupingRules = { windowMs: DEFAULT_GROUPING_WINDOW_MS, byLabels: [] };

/** An incident that may take the alert, with the alerts already linked to it. */
export interface GroupingCandidate {
  incident: Incident;
  alerts: Pick<AlertRecord, 'dedupKey' | 'labels' | 'service' | 'firstSeenAt'>[];
}

/** Why an alert joins an incident, strongest first. */
export type GroupingReason = 'dedup' | 'labels' | 'service';

export type GroupingDecision =
  /** Join this incident; `reopen` when it is resolved and must move back to investigating. */
  | { kind: 'existing'; incidentId: number; reason: GroupingReason; reopen: boolean }
  /** Open a new incident (a trigger nothing took). */
  | { kind: 'new' }
  /** Nothing to do: an acknowledge or resolve for an alert no incident holds. */
  | { kind: 'none' };

/**
 * The label-grouping key of an alert's labels: `alertname=HighLatency,cluster=eu-1`
 * (in the order of `byLabels`), or undefined when `byLabels` is empty or a label is missing.
 */
export function groupKey(labels: Record<string, string>, byLabels: readonly string[]): string | undefined {
  if (byLabels.length === 0) return undefined;
  const parts: string[] = [];
  for (const name of byLabels) {
    const value = labels[name];
    if (value === undefined) return undefined;
    parts.push(`${name}=${value}`);
  }
  return parts.join(',');
}

const REASON_RANK: Record<GroupingReason, number> = { dedup: 0, labels: 1, service: 2 };

/**
 * Chooses the incident an alert joins among `candidates` (incidents with their
 * linked alerts; the caller passes the non-final ones, any others are skipped):
 *
 * - dedup: an incident already holding the alert's dedup key;
 * - labels: an incident holding an alert with the same `byLabels` values;
 * - service: an incident of the alert's service whose latest alert arrived at
 *   most `windowMs` before `now` (window edge included).
 *
 * Active incidents match without a time limit on dedup and labels. A resolved
 * incident matches in the same ways but only within `windowMs` of its
 * resolution, and is then reopened (a flapping alert keeps its incident);
 * later a trigger opens a new incident. Closed, declined and merged
 * incidents are never reused. Among several matches the strongest reason
 * wins, then an active incident over a resolved one, then the latest activity.
 * Acknowledge and resolve events only ever find an incident by dedup key,
 * and never reopen one.
 */
export function chooseIncident(
  alert: Pick<IncomingAlert, 'dedupKey' | 'action' | 'service' | 'labels'>,
  candidates: readonly GroupingCandidate[],
  rules: GroupingRules,
  now: number,
): GroupingDecision {
  const key = groupKey(alert.labels, rules.byLabels);
  const matches: {
    candidate: GroupingCandidate;
    reason: GroupingReason;
    resolved: boolean;
    activity: number;
  }[] = [];
  for (const candidate of candidates) {
    const { incident } = candidate;
    const resolved = incident.state === 'resolved';
    if (!resolved && !isActive(incident)) continue;
    const activity = latestArrival(candidate);
    if (resolved && alert.action === 'trigger') {
      const resolvedAt = incident.milestones.resolvedAt ?? incident.updatedAt;
      if (rules.windowMs <= 0 || now - resolvedAt > rules.windowMs) continue;
    }
    const reason = matchReason(alert, candidate, key, rules, now, activity, resolved);
    if (reason) matches.push({ candidate, reason, resolved, activity });
  }
  if (matches.length === 0) return alert.action === 'trigger' ? { kind: 'new' } : { kind: 'none' };
  matches.sort(
    (a, b) =>
      REASON_RANK[a.reason] - REASON_RANK[b.reason] ||
      Number(a.resolved) - Number(b.resolved) ||
      b.activity - a.activity ||
      b.candidate.incident.id - a.candidate.incident.id,
  );
  const best = matches[0]!;
  return {
    kind: 'existing',
    incidentId: best.candidate.incident.id,
    reason: best.reason,
    reopen: best.resolved && alert.action === 'trigger',
  };
}

function matchReason(
  alert: Pick<IncomingAlert, 'dedupKey' | 'action' | 'service' | 'labels'>,
  { incident, alerts }: GroupingCandidate,
  key: string | undefined,
  rules: GroupingRules,
  now: number,
  activity: number,
  resolved: boolean,
): GroupingReason | undefined {
  if (alerts.some((a) => a.dedupKey === alert.dedupKey)) return 'dedup';
  // A resolve or acknowledge names one alert: it never spills over to related ones.
  if (alert.action !== 'trigger') return undefined;
  if (key !== undefined && alerts.some((a) => groupKey(a.labels, rules.byLabels) === key)) return 'labels';
  const service = alert.service;
  if (service === undefined || rules.windowMs <= 0) return undefined;
  const sameService = incident.service === service || incident.services.includes(service);
  // A resolved incident was already checked against its resolution time.
  if (sameService && (resolved || now - activity <= rules.windowMs)) return 'service';
  return undefined;
}

function isActive(incident: Incident): boolean {
  return ACTIVE_STATES.includes(incident.state);
}

/** When the incident last took in a new alert (its creation when it has none). */
function latestArrival({ incident, alerts }: GroupingCandidate): number {
  return alerts.reduce((latest, a) => Math.max(latest, a.firstSeenAt), incident.createdAt);
}

// ── routing ───────────────────────────────────────────────────────────────

/** A string matches equal text; `{ regex }` matches the whole value (anchored, as Alertmanager's `=~`). */
export type Matcher = string | { regex: string };

/** A routing rule: conditions (all must hold; none: matches every alert) and what they route to. */
export interface RoutingRule {
  name?: string;
  match: {
    /** The alert's service (or the integration's, when the alert names none). */
    service?: Matcher;
    /** Label conditions; a missing label reads as the empty string. */
    labels?: Record<string, Matcher>;
    origin?: AlertOrigin;
  };
  route: {
    escalationPolicy?: string;
    /** Files the incident under this service instead of the alert's. */
    service?: string;
    urgency?: Urgency;
    severity?: Severity;
    /** Overrides entries of the alert severity → SEV table for alerts this rule routes. */
    severityTable?: Partial<Record<AlertSeverity, Severity>>;
  };
}

/** What applies when no rule matches (or a rule leaves a field unset): the integration's settings. */
export interface RoutingFallback {
  escalationPolicy?: string;
  service?: string;
  severityTable?: Partial<Record<AlertSeverity, Severity>>;
}

export interface Route {
  escalationPolicy?: string;
  service?: string;
  urgency: Urgency;
  severity: Severity;
  /** The rule that matched: its name, or `#N` (1-based) when unnamed. */
  rule?: string;
}

/** Critical alerts are SEV2 unless a rule says SEV1: SEV1 is a human judgement (or an explicit rule). */
export const DEFAULT_SEVERITY_TABLE: Readonly<Record<AlertSeverity, Severity>> = {
  critical: 'SEV2',
  error: 'SEV3',
  warning: 'SEV4',
  info: 'SEV4',
};

/** Severity words senders put in a `severity` label, as urgencies (Ballast's burn-rate alerts say page/ticket). */
const LABEL_URGENCY: Readonly<Record<string, Urgency>> = {
  page: 'high',
  critical: 'high',
  error: 'high',
  ticket: 'low',
  warning: 'low',
  info: 'low',
};

const SEVERITY_URGENCY: Readonly<Record<AlertSeverity, Urgency>> = {
  critical: 'high',
  error: 'high',
  warning: 'low',
  info: 'low',
};

/**
 * The default urgency of an alert: checks, SLO burn-rate and Alertmanager
 * alerts follow their `severity` label (page → high, ticket → low, and the
 * Events v2 words; a check's label is its `alertSeverity`, and a check without
 * a known one pages); otherwise critical/error → high and warning/info → low
 * (low notifies without escalating).
 */
export function urgencyOf(alert: Pick<IncomingAlert, 'origin' | 'severity' | 'labels'>): Urgency {
  if (alert.origin === 'check') return LABEL_URGENCY[(alert.labels.severity ?? '').toLowerCase()] ?? 'high';
  if (alert.origin === 'slo' || alert.origin === 'alertmanager') {
    const fromLabel = LABEL_URGENCY[(alert.labels.severity ?? '').toLowerCase()];
    if (fromLabel) return fromLabel;
  }
  return SEVERITY_URGENCY[alert.severity];
}

/**
 * Routes an alert: the first rule whose conditions all hold decides (later
 * rules are not consulted); fields it leaves unset come from `fallback` and
 * the defaults (`urgencyOf`, the severity table with the fallback's and the
 * rule's overrides over `DEFAULT_SEVERITY_TABLE`). A rule whose regex does
 * not compile matches nothing (`routingRuleProblems` reports it up front).
 */
export function route(
  alert: Pick<IncomingAlert, 'origin' | 'severity' | 'labels' | 'service'>,
  rules: readonly RoutingRule[],
  fallback: RoutingFallback = {},
): Route {
  const service = alert.service ?? fallback.service;
  const index = rules.findIndex((r) => ruleMatches(r, alert, service));
  const rule = index >= 0 ? rules[index] : undefined;
  const table = { ...DEFAULT_SEVERITY_TABLE, ...fallback.severityTable, ...rule?.route.severityTable };
  const out: Route = {
    urgency: rule?.route.urgency ?? urgencyOf(alert),
    severity: rule?.route.severity ?? table[alert.severity],
  };
  const escalationPolicy = rule?.route.escalationPolicy ?? fallback.escalationPolicy;
  if (escalationPolicy !== undefined) out.escalationPolicy = escalationPolicy;
  const routedService = rule?.route.service ?? service;
  if (routedService !== undefined) out.service = routedService;
  if (rule) out.rule = rule.name ?? `#${index + 1}`;
  return out;
}

function ruleMatches(
  rule: RoutingRule,
  alert: Pick<IncomingAlert, 'origin' | 'labels'>,
  service: string | undefined,
): boolean {
  const { match } = rule;
  if (match.origin !== undefined && match.origin !== alert.origin) return false;
  if (match.service !== undefined && (service === undefined || !matches(match.service, service)))
    return false;
  for (const [name, matcher] of Object.entries(match.labels ?? {})) {
    if (!matches(matcher, alert.labels[name] ?? '')) return false;
  }
  return true;
}

function matches(matcher: Matcher, value: string): boolean {
  if (typeof matcher === 'string') return matcher === value;
  const re = compile(matcher.regex);
  return re?.test(value) === true;
}

function compile(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}

/** Problems of a rule list, one line each, for the spec loader: regexes that do not compile, rules that route nowhere. */
export function routingRuleProblems(rules: readonly RoutingRule[]): string[] {
  const problems: string[] = [];
  rules.forEach((rule, i) => {
    const where = `routing rule ${rule.name ?? `#${i + 1}`}`;
    const matchers: [string, Matcher][] = [
      ...(rule.match.service !== undefined ? [['service', rule.match.service] as [string, Matcher]] : []),
      ...Object.entries(rule.match.labels ?? {}).map(([k, m]) => [`label ${k}`, m] as [string, Matcher]),
    ];
    for (const [what, m] of matchers) {
      if (typeof m !== 'string' && compile(m.regex) === undefined)
        problems.push(`${where}: ${what} regex ${JSON.stringify(m.regex)} does not compile`);
    }
    if (Object.values(rule.route).every((v) => v === undefined))
      problems.push(
        `${where}: routes nowhere (set escalationPolicy, service, urgency, severity or severityTable)`,
      );
  });
  return problems;
}
