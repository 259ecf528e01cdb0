/**
 * What the incident service needs from storage, as narrow interfaces the
 * store implements: the module never sees SQL, and tests could hand it any
 * implementation. Every change to incidents runs inside `incidentTransaction`,
 * so an incident, its alerts, its timeline and the applied marker of the
 * event that caused the change are written together or not at all.
 */

import type { GroupingCandidate } from './grouping.ts';
import type {
  AlertRecord,
  Incident,
  IncidentState,
  IncomingAlert,
  Severity,
  TimelineEntry,
} from './types.ts';

export interface IncidentFilter {
  states?: IncidentState[];
  severity?: Severity;
  service?: string;
  since?: number;
  until?: number;
  limit?: number;
}

/** A maintenance window of a service, `[start, end)`. */
export interface MaintenanceWindow {
  id: number;
  service: string;
  start: number;
  end: number;
  reason?: string;
  createdBy: string;
}

/** Reads and writes of incidents, usable inside one transaction. */
export interface IncidentRepo {
  getIncident(id: number): Promise<Incident | undefined>;
  /** Newest first (default limit 100). */
  listIncidents(filter: IncidentFilter): Promise<Incident[]>;
  createIncident(input: Omit<Incident, 'id'>): Promise<Incident>;
  /**
   * Replaces an incident's fields. With `expectedUpdatedAt`, only when the stored
   * `updatedAt` still equals it (optimistic concurrency): undefined otherwise, or when no such incident.
   */
  updateIncident(incident: Incident, expectedUpdatedAt?: number): Promise<Incident | undefined>;
  addTimelineEntry(entry: Omit<TimelineEntry, 'id'>): Promise<TimelineEntry>;
  getAlert(dedupKey: string): Promise<AlertRecord | undefined>;
  /** Newest first (default limit 100). */
  listAlerts(filter: {
    incidentId?: number;
    status?: AlertRecord['status'];
    limit?: number;
  }): Promise<AlertRecord[]>;
  /** Whether any alert of the incident is still firing or acknowledged (a count, not a load of every alert). */
  hasUnresolvedAlerts(incidentId: number): Promise<boolean>;
  /**
   * What grouping reads of each incident's alerts (its newest `perIncident`,
   * only the fields grouping uses), in one query for all of them.
   */
  groupingAlerts(
    incidentIds: readonly number[],
    perIncident: number,
  ): Promise<Map<number, GroupingCandidate['alerts']>>;
  linkAlert(alertId: number, incidentId: number): Promise<void>;
  /** Moves every alert of incident `from` to incident `to`; returns how many moved. */
  relinkAlerts(from: number, to: number): Promise<number>;
  /** Marks the pages of an incident (to `user`, or all) acknowledged at `at`, when not already; returns how many. */
  acknowledgePages(incidentId: number, at: number, user?: string): Promise<number>;
  /** Windows of a service (all when undefined) that overlap [from, to), by start. */
  listMaintenance(filter: { service?: string; from?: number; to?: number }): Promise<MaintenanceWindow[]>;
  /**
   * Marks an intake event applied at `at`; false when it already was (another
   * replica, or a replay, got there first), and then the caller must not apply it.
   */
  claimAlertEvent(eventId: number, at: number): Promise<boolean>;
}

/** An intake event stored but not applied yet (a crash or a failure came between). */
export interface PendingAlertEvent {
  id: number;
  eventKey: string;
  alert: IncomingAlert;
}

/** What storing an incoming event did. */
export interface IngestedAlert {
  record: AlertRecord;
  /** The same event was stored before (a replay): nothing changed. */
  duplicate: boolean;
  event: {
    id: number;
    /** It reached its incident already. */
    applied: boolean;
    /**
     * A new event only: whether an older event of its dedup key still waits to
     * be applied (after a crash or a failed apply), which must go first.
     */
    earlierPending?: boolean;
  };
}

/** What `IncidentService` is built on. */
export interface IncidentStore extends IncidentRepo {
  /**
   * Stores one incoming alert event and applies it to its dedup key's alert
   * record, in one transaction, before the intake answers 2xx. A replay (the
   * same `eventKey`: a hash of the sender's event) changes nothing and says so;
   * `event.applied` tells whether the event reached its incident yet.
   */
  ingestAlert(alert: IncomingAlert, eventKey: string): Promise<IngestedAlert>;
  /** Events stored but not applied, oldest first; of one dedup key when given. */
  pendingAlertEvents(filter: { dedupKey?: string; limit?: number }): Promise<PendingAlertEvent[]>;
  /** Runs `work` in one transaction (rolled back when it throws). */
  incidentTransaction<T>(work: (tx: IncidentRepo) => Promise<T>): Promise<T>;
}
