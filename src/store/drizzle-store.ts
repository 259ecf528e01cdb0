import type { LoadSummary, SecondSample } from '../load/types.ts';
import type {
  AlertStatus,
  AlertTransition,
  ServiceDefinition,
  SliBucket,
  SloDefinition,
} from '../slo/model.ts';
import * as alerts from './alerts.ts';
import * as buckets from './buckets.ts';
import type { Db } from './db.ts';
import * as documents from './documents.ts';
import * as loadRuns from './load-runs.ts';
import * as tokens from './tokens.ts';
import type {
  ApplyResult,
  CapacityRecord,
  LoadRunListRecord,
  LoadRunRecord,
  LoadRunStatus,
  Store,
  StoredAlertEvent,
  StoredDocument,
  TokenRecord,
  TokenRole,
} from './types.ts';

/**
 * The `Store` over a Drizzle database, the same code for both drivers. Each
 * method is a thin call into the module that owns that table group.
 *
 * PGlite is one connection; it queues statements and transactions itself
 * (a statement issued while a transaction runs waits for it), so no extra
 * locking is needed here. PostgreSQL gets a connection pool.
 */
export class DrizzleStore implements Store {
  readonly driver: 'pglite' | 'postgres';
  readonly #db: Db;
  readonly #closeClient: () => Promise<void>;
  readonly #now: () => number;
  #closing: Promise<void> | undefined;

  constructor(driver: 'pglite' | 'postgres', db: Db, closeClient: () => Promise<void>, now = Date.now) {
    this.driver = driver;
    this.#db = db;
    this.#closeClient = closeClient;
    this.#now = now;
  }

  /** The database, failing clearly after `close()`. */
  get #open(): Db {
    if (this.#closing) throw new Error('the store is closed');
    return this.#db;
  }

  applyDocuments(input: documents.ApplyInput): Promise<ApplyResult> {
    return documents.applyDocuments(this.#open, input, this.#now());
  }
  listDocuments(kind?: string): Promise<StoredDocument[]> {
    return documents.listDocuments(this.#open, kind);
  }
  listServices(): Promise<ServiceDefinition[]> {
    return documents.listServices(this.#open);
  }
  getService(name: string): Promise<ServiceDefinition | undefined> {
    return documents.getService(this.#open, name);
  }
  listSlos(): Promise<SloDefinition[]> {
    return documents.listSlos(this.#open);
  }
  getSlo(name: string): Promise<SloDefinition | undefined> {
    return documents.getSlo(this.#open, name);
  }

  addBuckets(slo: string, list: SliBucket[]): Promise<void> {
    return buckets.addBuckets(this.#open, slo, list);
  }
  readBuckets(slo: string, from: number, to: number): Promise<SliBucket[]> {
    return buckets.readBuckets(this.#open, slo, from, to);
  }
  readAllBuckets(from: number, to: number): Promise<Map<string, SliBucket[]>> {
    return buckets.readAllBuckets(this.#open, from, to);
  }
  addSamples(slo: string, samples: buckets.Sample[]): Promise<void> {
    return buckets.addSamples(this.#open, slo, samples);
  }
  readSamples(slo: string, from: number, to: number): Promise<buckets.Sample[]> {
    return buckets.readSamples(this.#open, slo, from, to);
  }

  recordAlertTransition(t: AlertTransition): Promise<StoredAlertEvent> {
    return alerts.recordAlertTransition(this.#open, t);
  }
  listAlertEvents(filter: { slo?: string; since?: number; limit?: number }): Promise<StoredAlertEvent[]> {
    return alerts.listAlertEvents(this.#open, filter);
  }
  /** Current alert state per SLO and severity (not yet part of the `Store` interface). */
  listAlertStates(slo?: string): Promise<AlertStatus[]> {
    return alerts.listAlertStates(this.#open, slo);
  }

  createToken(name: string, role: TokenRole): Promise<{ record: TokenRecord; secret: string }> {
    return tokens.createToken(this.#open, name, role, this.#now());
  }
  ensureToken(name: string, role: TokenRole, secret: string): Promise<TokenRecord> {
    return tokens.ensureToken(this.#open, name, role, secret, this.#now());
  }
  findToken(secret: string): Promise<TokenRecord | undefined> {
    return tokens.findToken(this.#open, secret);
  }
  countTokens(): Promise<number> {
    return tokens.countTokens(this.#open);
  }

  createLoadRun(input: loadRuns.CreateLoadRunInput): Promise<LoadRunRecord> {
    return loadRuns.createLoadRun(this.#open, input);
  }
  getLoadRun(id: string): Promise<LoadRunRecord | undefined> {
    return loadRuns.getLoadRun(this.#open, id);
  }
  listLoadRuns(filter: { service?: string; limit?: number }): Promise<LoadRunListRecord[]> {
    return loadRuns.listLoadRuns(this.#open, filter);
  }
  addLoadRunSeconds(id: string, samples: SecondSample[]): Promise<void> {
    return loadRuns.addLoadRunSeconds(this.#open, id, samples);
  }
  listLoadRunSeconds(id: string): Promise<SecondSample[]> {
    return loadRuns.listLoadRunSeconds(this.#open, id);
  }
  finishLoadRun(
    id: string,
    end: { status: Exclude<LoadRunStatus, 'running'>; summary?: LoadSummary; finishedAt: number },
  ): Promise<LoadRunRecord | undefined> {
    return loadRuns.finishLoadRun(this.#open, id, end);
  }
  addServiceCapacity(record: CapacityRecord): Promise<void> {
    return loadRuns.addServiceCapacity(this.#open, record);
  }
  listServiceCapacity(service: string, limit?: number): Promise<CapacityRecord[]> {
    return loadRuns.listServiceCapacity(this.#open, service, limit);
  }
  latestCapacities(): Promise<CapacityRecord[]> {
    return loadRuns.latestCapacities(this.#open);
  }

  /** Closes the database; calling it again returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#closeClient();
    return this.#closing;
  }
}
