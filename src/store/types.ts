import type { CapacityStep } from '../load/capacity.ts';
import type { LoadSummary, SecondSample } from '../load/types.ts';
import type {
  AlertStatus,
  AlertTransition,
  ServiceDefinition,
  SliBucket,
  SloDefinition,
} from '../slo/model.ts';

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
export interface Store {
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
  /** Buckets of every SLO in `[from, to)`, for warming the evaluator at start-up. */
  readAllBuckets(from: number, to: number): Promise<Map<string, SliBucket[]>>;
  /** Raw threshold samples, kept only for SLIs whose budgeting method needs them. */
  addSamples(slo: string, samples: { timestamp: number; value: number }[]): Promise<void>;
  readSamples(slo: string, from: number, to: number): Promise<{ timestamp: number; value: number }[]>;

  /** Records a transition and updates the current state in one transaction; an older transition never overwrites a newer state. */
  recordAlertTransition(t: AlertTransition): Promise<StoredAlertEvent>;
  /** Current alert state per SLO and severity (restored at start-up). */
  listAlertStates(slo?: string): Promise<AlertStatus[]>;
  /** Oldest first; with `limit`, the most recent `limit` events, still oldest first. */
  listAlertEvents(filter: { slo?: string; since?: number; limit?: number }): Promise<StoredAlertEvent[]>;

  /** Tokens are stored as sha256 hashes; the secret is only ever returned at creation. */
  createToken(name: string, role: TokenRole): Promise<{ record: TokenRecord; secret: string }>;
  /** Stores a token whose secret is given (BALLAST_ADMIN_TOKEN). Idempotent. */
  ensureToken(name: string, role: TokenRole, secret: string): Promise<TokenRecord>;
  findToken(secret: string): Promise<TokenRecord | undefined>;
  countTokens(): Promise<number>;

  /** Stores a new run with status `running`. */
  createLoadRun(input: {
    id: string;
    name: string;
    service?: string;
    plan: Record<string, unknown>;
    startedAt: number;
  }): Promise<LoadRunRecord>;
  getLoadRun(id: string): Promise<LoadRunRecord | undefined>;
  /** Newest first (default limit 50). */
  listLoadRuns(filter: { service?: string; limit?: number }): Promise<LoadRunListRecord[]>;
  /** Upserts per-second samples by (run, t): a resent second replaces the old one. */
  addLoadRunSeconds(id: string, samples: SecondSample[]): Promise<void>;
  /** The run's samples, ascending by `t`. */
  listLoadRunSeconds(id: string): Promise<SecondSample[]>;
  /** Ends a run: sets status, finish time and (when given) the summary. Undefined when no such run. */
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

  close(): Promise<void>;
}
