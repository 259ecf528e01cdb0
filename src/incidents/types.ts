/**
 * The incident domain model: alerts as they arrive (from Alertmanager, from
 * PagerDuty Events v2 senders, from Ballast's own SLO engine and checks),
 * incidents grouping them, their lifecycle, timeline and follow-up. Nothing
 * here does IO.
 */

// ── intake ────────────────────────────────────────────────────────────────

export type AlertOrigin = 'alertmanager' | 'events-v2' | 'slo' | 'check';

export type AlertSeverity = 'critical' | 'error' | 'warning' | 'info';

/** Paging urgency: high pages along the escalation policy, low notifies without escalating. */
export type Urgency = 'high' | 'low';

/** One alert event as received, normalised (the intake stores it before answering 2xx). */
export interface IncomingAlert {
  origin: AlertOrigin;
  /** Integration key it came through (undefined for internal alerts). */
  integration?: string;
  /** Dedup key: Alertmanager fingerprint, Events v2 dedup_key, `slo:NAME:SEVERITY`, `check:NAME`. */
  dedupKey: string;
  action: 'trigger' | 'acknowledge' | 'resolve';
  summary: string;
  source?: string;
  severity: AlertSeverity;
  service?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When the condition started (sender's clock, epoch ms); `receivedAt` when the sender gave none. */
  startsAt: number;
  receivedAt: number;
  /** Sender's own payload, kept for the timeline (trimmed to a size cap). */
  raw?: unknown;
}

/** An alert as stored: the latest state of one dedup key. */
export interface AlertRecord {
  id: number;
  dedupKey: string;
  origin: AlertOrigin;
  status: 'firing' | 'acknowledged' | 'resolved';
  summary: string;
  severity: AlertSeverity;
  service?: string;
  labels: Record<string, string>;
  firstSeenAt: number;
  lastSeenAt: number;
  resolvedAt?: number;
  incidentId?: number;
}

// ── incidents ─────────────────────────────────────────────────────────────

/** Every state in lifecycle order; the API's enum and the web UI's filters come from this list. */
export const INCIDENT_STATES = [
  'triggered',
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'closed',
  'declined',
  'merged',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** SEV1 (worst) to SEV4. */
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Milestone times (epoch ms); each may be corrected afterwards (the correction is on the timeline). */
export interface Milestones {
  impactStartedAt?: number;
  detectedAt?: number;
  acknowledgedAt?: number;
  mitigatedAt?: number;
  resolvedAt?: number;
  closedAt?: number;
}

export interface Roles {
  commander?: string;
  scribe?: string;
  communications?: string;
}

export interface BusinessImpact {
  customersAffected?: number;
  failedTransactions?: number;
  /** Value of the failed transactions, in `currency`. */
  value?: number;
  currency?: string;
  notes?: string;
}

export type TaskStatus = 'open' | 'done' | 'cancelled';

export interface Task {
  id: string;
  title: string;
  owner?: string;
  status: TaskStatus;
  /** During the incident (`task`) or after it (`follow-up` action item, with a type for the postmortem). */
  kind: 'task' | 'follow-up';
  actionType?: 'mitigate' | 'prevent' | 'process';
  /** Epoch ms. */
  dueAt?: number;
}

export interface Incident {
  id: number;
  title: string;
  state: IncidentState;
  severity: Severity;
  urgency: Urgency;
  /** The service the incident is routed by, and every service affected. */
  service?: string;
  services: string[];
  /** The escalation policy paging for it (routing picked it). */
  escalationPolicy?: string;
  createdAt: number;
  updatedAt: number;
  milestones: Milestones;
  roles: Roles;
  impact: BusinessImpact;
  tasks: Task[];
  /** Set when the incident was merged into another. */
  mergedInto?: number;
  /** Declared by hand (API, CLI, UI) rather than opened by an alert. */
  declaredBy?: string;
  /** Markdown, once a postmortem was written. */
  postmortem?: string;
  /**
   * Set when a person stored the postmortem (cleared when a draft replaces it):
   * regenerating the draft would throw their words away, so it needs a force.
   */
  postmortemEdit?: { at: number; by: string };
  /** Public updates shown on the status page. */
  publicUpdates: PublicUpdate[];
}

/**
 * A note for the status page. It carries its own title: the incident's title
 * is written for responders (alert summaries, hostnames) and never published.
 */
export interface PublicUpdate {
  at: number;
  title: string;
  body: string;
}

/**
 * Check failures and recoveries and SLO alert changes are `alert-firing` and
 * `alert-resolved` entries like any other alert: their `data.origin` (`check`,
 * `slo`) and text say where they came from, so they need no kinds of their own.
 */
export type TimelineKind =
  | 'alert-firing'
  | 'alert-resolved'
  | 'page-sent'
  | 'page-failed'
  | 'page-acknowledged'
  | 'escalated'
  | 'state'
  | 'milestone'
  | 'note'
  | 'merge'
  | 'role'
  | 'task'
  | 'public-update'
  | 'maintenance'
  /** A chaos run on an affected service: its faults, aborts and deviations. */
  | 'chaos';

export interface TimelineEntry {
  id: number;
  incidentId: number;
  at: number;
  kind: TimelineKind;
  /** Who did it: a user, `ballast`, or an integration. */
  actor: string;
  /** One line for people. */
  text: string;
  data?: Record<string, unknown>;
}
