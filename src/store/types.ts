import type { CheckDefinition, CheckResult, CheckStatus } from '../checks/types.ts';
import type { Incident, IncidentStore, MaintenanceWindow, TimelineEntry } from '../incidents/index.ts';
import type { CapacityStep } from '../load/capacity.ts';
import type { LoadSummary, SecondSample } from '../load/types.ts';
import type {
  AlertStatus,
  AlertTransition,
  ServiceDefinition,
  SliBucket,
  SloDefinition,
} from '../slo/model.ts';
import type { CreateChaosRunInput } from './chaos-runs.ts';

/** A stored spec document of any kind (`apiVersion`/`kind`/`metadata.name`). */
export interface StoredDocument {
  apiVersion: string;
  kind: string;
  name: string;
  /** The document as loaded from YAML (plain JSON). */
  body: unknown;
  /** sha256 of the canonical JSON of `body`; `apply` uses it to stay idempotent. */
  hash: string;
  updatedAt: number;
}

export type TokenRole = 'viewer' | 'responder' | 'admin';

export interface TokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: number;
}

export interface StoredAlertEvent extends AlertTransition {
  id: number;
}

export interface ApplyResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

export type LoadRunStatus = 'running' | 'finished' | 'aborted' | 'failed';

/** A stored load-test run (the summary only once it ended). */
export interface LoadRunRecord {
  id: string;
  name: string;
  service: string | null;
  status: LoadRunStatus;
  /** The LoadPlan as sent (JSON). */
  plan: Record<string, unknown>;
  summary: LoadSummary | null;
  startedAt: number;
  finishedAt: number | null;
}

/**
 * A run in a list: everything but the plan, and the summary without its bulky
 * parts (`series`, `spectrum`, `perRequest` are left out).
 */
export interface LoadRunListRecord extends Omit<LoadRunRecord, 'plan' | 'summary'> {
  summary: Omit<LoadSummary, 'series' | 'spectrum' | 'perRequest'> | null;
}

/** A stored chaos experiment run (`report` once it ended). */
export interface ChaosRunRecord {
  id: string;
  experiment: string;
  service: string;
  status: string;
  definition: Record<string, unknown>;
  plan: string[];
  guards: Record<string, unknown>;
  report: Record<string, unknown> | null;
  leases: { daemon: string; id: string }[];
  maintenanceId: number | null;
  incidents: number[];
  haltRequested: boolean;
  controller: string;
  startedAt: number;
  lastSeenAt: number;
  finishedAt: number | null;
}

/** One step of a capacity search, as `findCapacity` reports it (src/load/capacity.ts). */
export type { CapacityStep } from '../load/capacity.ts';

/** A measured capacity at SLO of one service. */
export interface CapacityRecord {
  service: string;
  measuredAt: number;
  ratePerSecond: number;
  slo: string | null;
  steps: CapacityStep[];
}

/**
 * The persistence boundary. Both drivers (PGlite, PostgreSQL) implement it
 * with the same Drizzle schema; the rest of Ballast never sees SQL.
 */
export interface Store extends IncidentStore {
  readonly driver: 'pglite' | 'postgres';

  /** Stores documents plus the models derived from them, in one transaction. Idempotent. */
  applyDocuments(input: {
    documents: Omit<StoredDocument, 'updatedAt' | 'hash'>[];
    services: ServiceDefinition[];
    slos: SloDefinition[];
  }): Promise<ApplyResult>;
  listDocuments(kind?: string): Promise<StoredDocument[]>;

  listServices(): Promise<ServiceDefinition[]>;
  getService(name: string): Promise<ServiceDefinition | undefined>;
  listSlos(): Promise<SloDefinition[]>;
  getSlo(name: string): Promise<SloDefinition | undefined>;

  /**
   * Adds counts to per-minute buckets (creating them as needed), atomically.
   * Buckets with the same minute in one call are summed first.
   * Throws RangeError for a minute not aligned to 60 s or a count that is not finite.
   */
  addBuckets(slo: string, buckets: SliBucket[]): Promise<void>;
  /** Buckets with `from <= minute < to`, ascending. */
  readBuckets(slo: string, from: number, to: number): Promise<SliBucket[]>;
  /** Deletes at most `limit` buckets (and as many samples) of `slo` older than `before`; resolves with the rows deleted. */
  pruneSliData(slo: string, before: number, limit: number): Promise<number>;
  /** Buckets of every SLO in `[from, to)`, for warming the evaluator at start-up. */
  readAllBuckets(from: number, to: number): Promise<Map<string, SliBucket[]>>;
  /** Raw threshold samples, kept only for SLIs whose budgeting method needs them. */
  addSamples(slo: string, samples: { timestamp: number; value: number }[]): Promise<void>;
  readSamples(slo: string, from: number, to: number): Promise<{ timestamp: number; value: number }[]>;

  /** Records a transition and updates the current state in one transaction; an older transition never overwrites a newer state. */
  recordAlertTransition(t: AlertTransition): Promise<StoredAlertEvent>;
  /** Current alert state per SLO and severity (restored at start-up). */
  listAlertStates(slo?: string): Promise<AlertStatus[]>;
  /**
   * Oldest first; with `limit`, the most recent `limit` events, still oldest
   * first. Every source unless `source` is given (`slo` also matches a check's name).
   */
  listAlertEvents(filter: {
    slo?: string;
    source?: 'slo' | 'check';
    since?: number;
    limit?: number;
  }): Promise<StoredAlertEvent[]>;

  /** Tokens are stored as sha256 hashes; the secret is only ever returned at creation. */
  createToken(name: string, role: TokenRole): Promise<{ record: TokenRecord; secret: string }>;
  /** Stores a token whose secret is given (BALLAST_ADMIN_TOKEN). Idempotent. */
  ensureToken(name: string, role: TokenRole, secret: string): Promise<TokenRecord>;
  findToken(secret: string): Promise<TokenRecord | undefined>;
  countTokens(): Promise<number>;
  /** Every token, oldest first (never a secret or a hash). */
  listTokens(): Promise<TokenRecord[]>;
  /** Deletes a token at once; refuses an unknown id and the last admin token. */
  revokeToken(id: string): Promise<{ revoked: TokenRecord } | { refused: 'not_found' | 'last_admin' }>;

  /** Stores a new run with status `running`. */
  createLoadRun(input: {
    id: string;
    name: string;
    service?: string;
    plan: Record<string, unknown>;
    startedAt: number;
  }): Promise<LoadRunRecord>;
  getLoadRun(id: string): Promise<LoadRunRecord | undefined>;
  createChaosRun(input: CreateChaosRunInput): Promise<ChaosRunRecord>;
  getChaosRun(id: string): Promise<ChaosRunRecord | undefined>;
  listChaosRuns(filter: { service?: string; status?: string; limit?: number }): Promise<ChaosRunRecord[]>;
  appendChaosJournal(
    id: string,
    batch: {
      from: number;
      entries: Record<string, unknown>[];
      leases?: { daemon: string; id: string }[];
      at: number;
    },
  ): Promise<void>;
  listChaosJournal(id: string): Promise<Record<string, unknown>[]>;
  setChaosRunIncidents(id: string, incidents: number[]): Promise<void>;
  finishChaosRun(
    id: string,
    end: { status: string; report?: Record<string, unknown>; finishedAt: number },
  ): Promise<ChaosRunRecord | undefined>;
  requestChaosHalt(id?: string): Promise<ChaosRunRecord[]>;
  silentChaosRuns(before: number): Promise<ChaosRunRecord[]>;
  /** Newest first (default limit 50). */
  listLoadRuns(filter: {
    service?: string;
    status?: LoadRunStatus;
    limit?: number;
  }): Promise<LoadRunListRecord[]>;
  /** Upserts per-second samples by (run, t): a resent second replaces the old one. */
  addLoadRunSeconds(id: string, samples: SecondSample[]): Promise<void>;
  /** The run's samples, ascending by `t`. */
  listLoadRunSeconds(id: string): Promise<SecondSample[]>;
  /** Ends a running run: sets status, finish time and (when given) the summary. Undefined when no such run is running. */
  finishLoadRun(
    id: string,
    end: { status: Exclude<LoadRunStatus, 'running'>; summary?: LoadSummary; finishedAt: number },
  ): Promise<LoadRunRecord | undefined>;

  /** Appends a capacity measurement (history is kept). */
  addServiceCapacity(record: CapacityRecord): Promise<void>;
  /** A service's measurements, newest first (default limit 50). */
  listServiceCapacity(service: string, limit?: number): Promise<CapacityRecord[]>;
  /** The latest measurement of every service that has one. */
  latestCapacities(): Promise<CapacityRecord[]>;

  // ── synthetic checks ────────────────────────────────────────────────

  /**
   * Upserts check definitions (additive, like `applyDocuments`), reporting each
   * as `Check/name` created, updated (definition hash changed) or unchanged.
   */
  applyChecks(checks: CheckDefinition[]): Promise<ApplyResult>;
  listChecks(): Promise<CheckDefinition[]>;
  getCheck(name: string): Promise<CheckDefinition | undefined>;
  /**
   * Appends a result and adds it to the check's daily counts (UTC day of
   * `startedAt`), in one transaction.
   */
  addCheckResult(result: CheckResult): Promise<StoredCheckResult>;
  /** A check's results, newest first (default limit 100). */
  listCheckResults(
    check: string,
    filter?: { since?: number; until?: number; limit?: number; status?: CheckStatus },
  ): Promise<StoredCheckResult[]>;
  getCheckResult(id: number): Promise<StoredCheckResult | undefined>;
  /** The newest result of every check that has one. */
  latestCheckResults(): Promise<StoredCheckResult[]>;
  /** Daily counts with `fromDay <= day < toDay` (UTC midnights, epoch ms), ascending; all checks when `check` is undefined. */
  listCheckDaily(filter: { check?: string; fromDay: number; toDay: number }): Promise<CheckDailyRecord[]>;
  /**
   * Deletes at most `limit` results that started before `before` (oldest
   * first), never a check's newest one; daily counts stay. Returns how many
   * went and the artifact files they named.
   */
  pruneCheckResults(before: number, limit: number): Promise<{ deleted: number; artifacts: string[] }>;
  /** Whether a stored result of `check` names `file` as its screenshot or trace. */
  checkHasArtifact(check: string, file: string): Promise<boolean>;
  /** Saves a check's threshold state (restored at start-up). */
  saveCheckHealth(record: CheckHealthRecord): Promise<void>;
  listCheckHealth(): Promise<CheckHealthRecord[]>;
  /**
   * The ping key of a heartbeat check (a random URL-safe secret), created on
   * first call; the same key on every later call.
   */
  heartbeatKey(check: string): Promise<string>;
  /** The check a ping key belongs to. */
  findHeartbeatByKey(key: string): Promise<string | undefined>;
  /** Records a ping (keeps the latest time and a count). */
  recordHeartbeat(check: string, at: number): Promise<void>;
  /** Latest ping per heartbeat check that was ever pinged. */
  listHeartbeats(): Promise<{ check: string; lastPingAt: number; pings: number }[]>;

  // ── incidents ───────────────────────────────────────────────────────
  // The intake, incidents and timeline methods are `IncidentStore`'s (the incident module's port).

  /** Oldest first. */
  listTimeline(incidentId: number): Promise<TimelineEntry[]>;
  /** Incidents with an id above `afterId`, in id order, at most `limit` (a scan in pages). */
  scanIncidents(afterId: number, limit: number): Promise<Incident[]>;

  /** Records one page (a notification to one person or channel about one incident). */
  addPage(page: Omit<PageRow, 'id'>): Promise<PageRow>;
  /** Oldest first. */
  listPages(filter: {
    incidentId?: number;
    user?: string;
    since?: number;
    until?: number;
    limit?: number;
  }): Promise<PageRow[]>;

  /** Maintenance windows: alerts for the service during one are recorded but page nobody. */
  addMaintenance(window: Omit<MaintenanceRow, 'id'>): Promise<MaintenanceRow>;
  /** Ends a window early (end = `at`); undefined when no such window. */
  endMaintenance(id: number, at: number): Promise<MaintenanceRow | undefined>;

  /** Integration keys (the secret in an intake URL or Events v2 `routing_key`). */
  createIntegration(input: Omit<IntegrationRecord, 'key' | 'createdAt'>): Promise<IntegrationRecord>;
  findIntegration(key: string): Promise<IntegrationRecord | undefined>;
  listIntegrations(): Promise<IntegrationRecord[]>;

  close(): Promise<void>;
}

/** One page sent (or tried) about an incident. */
export interface PageRow {
  id: number;
  incidentId: number;
  /** The user paged, or undefined for a channel target. */
  user?: string;
  /** webhook | email | slack */
  channel: string;
  /** Where it went, as shown (secrets masked). */
  target: string;
  at: number;
  ok: boolean;
  attempts: number;
  error?: string;
  /** Escalation step (0-based) and round (0-based) that sent it. */
  step: number;
  round: number;
  acknowledgedAt?: number;
}

/** A maintenance window of a service (who opened it: a user, or e.g. `chaos:EXPERIMENT` later). */
export type MaintenanceRow = MaintenanceWindow;

/** An intake integration: where alerts that come through its key are routed. */
export interface IntegrationRecord {
  /** Random, URL-safe; the only credential an intake request carries. */
  key: string;
  name: string;
  kind: 'alertmanager' | 'events-v2';
  /** Service alerts through this key belong to when they name none. */
  service?: string;
  /** Escalation policy for incidents opened through it, unless a routing rule says otherwise. */
  escalationPolicy?: string;
  createdAt: number;
}

/** A stored check result. */
export interface StoredCheckResult extends CheckResult {
  id: number;
}

/** Results of one check on one UTC day. */
export interface CheckDailyRecord {
  check: string;
  /** UTC midnight, epoch ms. */
  day: number;
  pass: number;
  degraded: number;
  fail: number;
}

/** A check's failure/recovery threshold state. */
export interface CheckHealthRecord {
  check: string;
  state: 'passing' | 'failing';
  consecutiveFailures: number;
  consecutivePasses: number;
  /** When the state last changed. */
  since: number;
  lastResultAt: number | null;
}
