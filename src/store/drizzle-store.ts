import type { CheckDefinition, CheckResult, CheckStatus } from '../checks/types.ts';
import type {
  AlertRecord,
  GroupingCandidate,
  Incident,
  IncidentRepo,
  IncidentState,
  IncomingAlert,
  IngestedAlert,
  PendingAlertEvent,
  Severity,
  TimelineEntry,
} from '../incidents/index.ts';
import type { LoadSummary, SecondSample } from '../load/types.ts';
import type {
  AlertSource,
  AlertStatus,
  AlertTransition,
  ServiceDefinition,
  SliBucket,
  SloDefinition,
} from '../slo/model.ts';
import * as alerts from './alerts.ts';
import * as buckets from './buckets.ts';
import * as chaosRuns from './chaos-runs.ts';
import { checkHasArtifact, pruneCheckResults } from './check-retention.ts';
import * as checks from './checks.ts';
import type { Db } from './db.ts';
import * as documents from './documents.ts';
import * as intake from './incident-alerts.ts';
import * as incidents from './incidents.ts';
import * as loadRuns from './load-runs.ts';
import * as paging from './paging.ts';
import * as tokens from './tokens.ts';
import type {
  ApplyResult,
  CapacityRecord,
  ChaosRunRecord,
  CheckDailyRecord,
  CheckHealthRecord,
  IntegrationRecord,
  LoadRunListRecord,
  LoadRunRecord,
  LoadRunStatus,
  MaintenanceRow,
  PageRow,
  Store,
  StoredAlertEvent,
  StoredCheckResult,
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
  pruneSliData(slo: string, before: number, limit: number): Promise<number> {
    return buckets.pruneSliData(this.#open, slo, before, limit);
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
  listAlertEvents(filter: {
    slo?: string;
    source?: AlertSource;
    since?: number;
    limit?: number;
  }): Promise<StoredAlertEvent[]> {
    return alerts.listAlertEvents(this.#open, filter);
  }
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
  listTokens(): Promise<TokenRecord[]> {
    return tokens.listTokens(this.#open);
  }
  revokeToken(id: string): Promise<tokens.RevokeOutcome> {
    return tokens.revokeToken(this.#open, id);
  }

  createLoadRun(input: loadRuns.CreateLoadRunInput): Promise<LoadRunRecord> {
    return loadRuns.createLoadRun(this.#open, input);
  }
  getLoadRun(id: string): Promise<LoadRunRecord | undefined> {
    return loadRuns.getLoadRun(this.#open, id);
  }
  createChaosRun(input: chaosRuns.CreateChaosRunInput): Promise<ChaosRunRecord> {
    return chaosRuns.createChaosRun(this.#open, input);
  }
  getChaosRun(id: string): Promise<ChaosRunRecord | undefined> {
    return chaosRuns.getChaosRun(this.#open, id);
  }
  listChaosRuns(filter: { service?: string; status?: string; limit?: number }): Promise<ChaosRunRecord[]> {
    return chaosRuns.listChaosRuns(this.#open, filter);
  }
  appendChaosJournal(
    id: string,
    batch: {
      from: number;
      entries: Record<string, unknown>[];
      leases?: { daemon: string; id: string }[];
      at: number;
    },
  ): Promise<void> {
    return chaosRuns.appendChaosJournal(this.#open, id, batch);
  }
  listChaosJournal(id: string): Promise<Record<string, unknown>[]> {
    return chaosRuns.listChaosJournal(this.#open, id);
  }
  setChaosRunIncidents(id: string, incidents: number[]): Promise<void> {
    return chaosRuns.setChaosRunIncidents(this.#open, id, incidents);
  }
  finishChaosRun(
    id: string,
    end: { status: string; report?: Record<string, unknown>; finishedAt: number },
  ): Promise<ChaosRunRecord | undefined> {
    return chaosRuns.finishChaosRun(this.#open, id, end);
  }
  requestChaosHalt(id?: string): Promise<ChaosRunRecord[]> {
    return chaosRuns.requestChaosHalt(this.#open, id);
  }
  silentChaosRuns(before: number): Promise<ChaosRunRecord[]> {
    return chaosRuns.silentChaosRuns(this.#open, before);
  }
  listLoadRuns(filter: {
    service?: string;
    status?: LoadRunStatus;
    limit?: number;
  }): Promise<LoadRunListRecord[]> {
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

  applyChecks(list: CheckDefinition[]): Promise<ApplyResult> {
    return checks.applyChecks(this.#open, list, this.#now());
  }
  listChecks(): Promise<CheckDefinition[]> {
    return checks.listChecks(this.#open);
  }
  getCheck(name: string): Promise<CheckDefinition | undefined> {
    return checks.getCheck(this.#open, name);
  }
  addCheckResult(result: CheckResult): Promise<StoredCheckResult> {
    return checks.addCheckResult(this.#open, result);
  }
  listCheckResults(
    check: string,
    filter?: { since?: number; until?: number; limit?: number; status?: CheckStatus },
  ): Promise<StoredCheckResult[]> {
    return checks.listCheckResults(this.#open, check, filter);
  }
  getCheckResult(id: number): Promise<StoredCheckResult | undefined> {
    return checks.getCheckResult(this.#open, id);
  }
  latestCheckResults(): Promise<StoredCheckResult[]> {
    return checks.latestCheckResults(this.#open);
  }
  listCheckDaily(filter: { check?: string; fromDay: number; toDay: number }): Promise<CheckDailyRecord[]> {
    return checks.listCheckDaily(this.#open, filter);
  }
  pruneCheckResults(before: number, limit: number): Promise<{ deleted: number; artifacts: string[] }> {
    return pruneCheckResults(this.#open, before, limit);
  }
  checkHasArtifact(check: string, file: string): Promise<boolean> {
    return checkHasArtifact(this.#open, check, file);
  }
  saveCheckHealth(record: CheckHealthRecord): Promise<void> {
    return checks.saveCheckHealth(this.#open, record);
  }
  listCheckHealth(): Promise<CheckHealthRecord[]> {
    return checks.listCheckHealth(this.#open);
  }
  heartbeatKey(check: string): Promise<string> {
    return checks.heartbeatKey(this.#open, check);
  }
  findHeartbeatByKey(key: string): Promise<string | undefined> {
    return checks.findHeartbeatByKey(this.#open, key);
  }
  recordHeartbeat(check: string, at: number): Promise<void> {
    return checks.recordHeartbeat(this.#open, check, at);
  }
  listHeartbeats(): Promise<{ check: string; lastPingAt: number; pings: number }[]> {
    return checks.listHeartbeats(this.#open);
  }

  ingestAlert(alert: IncomingAlert, eventKey: string): Promise<IngestedAlert> {
    return intake.ingestAlert(this.#open, alert, eventKey);
  }
  pendingAlertEvents(filter: { dedupKey?: string; limit?: number }): Promise<PendingAlertEvent[]> {
    return intake.pendingAlertEvents(this.#open, filter);
  }
  claimAlertEvent(eventId: number, at: number): Promise<boolean> {
    return intake.claimAlertEvent(this.#open, eventId, at);
  }
  incidentTransaction<T>(work: (tx: IncidentRepo) => Promise<T>): Promise<T> {
    return incidents.incidentTransaction(this.#open, work, this.driver === 'postgres');
  }
  getAlert(dedupKey: string): Promise<AlertRecord | undefined> {
    return intake.getAlert(this.#open, dedupKey);
  }
  listAlerts(filter: {
    incidentId?: number;
    status?: AlertRecord['status'];
    limit?: number;
  }): Promise<AlertRecord[]> {
    return intake.listAlerts(this.#open, filter);
  }
  hasUnresolvedAlerts(incidentId: number): Promise<boolean> {
    return intake.hasUnresolvedAlerts(this.#open, incidentId);
  }
  groupingAlerts(
    incidentIds: readonly number[],
    perIncident: number,
  ): Promise<Map<number, GroupingCandidate['alerts']>> {
    return intake.groupingAlerts(this.#open, incidentIds, perIncident);
  }
  linkAlert(alertId: number, incidentId: number): Promise<void> {
    return intake.linkAlert(this.#open, alertId, incidentId);
  }
  relinkAlerts(from: number, to: number): Promise<number> {
    return intake.relinkAlerts(this.#open, from, to);
  }
  createIncident(input: Omit<Incident, 'id'>): Promise<Incident> {
    return incidents.createIncident(this.#open, input);
  }
  getIncident(id: number): Promise<Incident | undefined> {
    return incidents.getIncident(this.#open, id);
  }
  updateIncident(incident: Incident, expectedUpdatedAt?: number): Promise<Incident | undefined> {
    return incidents.updateIncident(this.#open, incident, expectedUpdatedAt);
  }
  listIncidents(filter: {
    states?: IncidentState[];
    severity?: Severity;
    service?: string;
    since?: number;
    until?: number;
    limit?: number;
  }): Promise<Incident[]> {
    return incidents.listIncidents(this.#open, filter);
  }
  scanIncidents(afterId: number, limit: number): Promise<Incident[]> {
    return incidents.scanIncidents(this.#open, afterId, limit);
  }
  addTimelineEntry(entry: Omit<TimelineEntry, 'id'>): Promise<TimelineEntry> {
    return incidents.addTimelineEntry(this.#open, entry);
  }
  listTimeline(incidentId: number): Promise<TimelineEntry[]> {
    return incidents.listTimeline(this.#open, incidentId);
  }
  addPage(page: Omit<PageRow, 'id'>): Promise<PageRow> {
    return paging.addPage(this.#open, page);
  }
  acknowledgePages(incidentId: number, at: number, user?: string): Promise<number> {
    return paging.acknowledgePages(this.#open, incidentId, at, user);
  }
  listPages(filter: {
    incidentId?: number;
    user?: string;
    since?: number;
    until?: number;
    limit?: number;
  }): Promise<PageRow[]> {
    return paging.listPages(this.#open, filter);
  }
  addMaintenance(window: Omit<MaintenanceRow, 'id'>): Promise<MaintenanceRow> {
    return paging.addMaintenance(this.#open, window);
  }
  listMaintenance(filter: { service?: string; from?: number; to?: number }): Promise<MaintenanceRow[]> {
    return paging.listMaintenance(this.#open, filter);
  }
  endMaintenance(id: number, at: number): Promise<MaintenanceRow | undefined> {
    return paging.endMaintenance(this.#open, id, at);
  }
  createIntegration(input: Omit<IntegrationRecord, 'key' | 'createdAt'>): Promise<IntegrationRecord> {
    return incidents.createIntegration(this.#open, input, this.#now());
  }
  findIntegration(key: string): Promise<IntegrationRecord | undefined> {
    return incidents.findIntegration(this.#open, key);
  }
  listIntegrations(): Promise<IntegrationRecord[]> {
    return incidents.listIntegrations(this.#open);
  }

  /** Closes the database; calling it again returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#closeClient();
    return this.#closing;
  }
}
