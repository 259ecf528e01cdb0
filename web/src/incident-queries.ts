/**
 * react-query hooks for incidents and on call: the list (by filters), one
 * incident with its alerts and timeline, who is on call, the writes a
 * responder makes, and the live feed: `incident` events are merged into the
 * cached list and detail as they arrive; polling covers a lost stream.
 */
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ApiError, OnCallNowBody, OnCallShiftsBody } from '../../src/server/schemas.ts';
import { authHeaders, getJson, HttpError, isAuthError } from './api.ts';
import {
  applyIncidentEvent,
  type Incident,
  type IncidentDetail,
  type IncidentFilters,
  type IncidentPatch,
  type IncidentState,
  incidentsPath,
  mergeIntoList,
  type Severity,
  type Task,
  type TimelineEntry,
} from './incident-data.ts';
import { followEvents, type SseEvent } from './sse.ts';

/** How often incident pages poll: events bring changes sooner. */
export const INCIDENTS_REFRESH_MS = 10_000;
/** How many incidents the list shows. */
export const LIST_LIMIT = 100;

/** One schedule in `GET /api/v1/oncall` (`source` is the layer name or `override`). */
export type OnCallNow = OnCallNowBody[number];

/** One schedule's shifts in `GET /api/v1/oncall/shifts`. */
export type ScheduleShifts = OnCallShiftsBody[number];

const enc = encodeURIComponent;
const common = {
  refetchInterval: INCIDENTS_REFRESH_MS,
  retry: (count: number, err: unknown) => !isAuthError(err) && count < 2,
};

/** Query keys, shared by the hooks and the live-event merge. */
export const incidentKeys = {
  /** Prefix of every list query (any filters). */
  lists: ['incidents'] as const,
  list: (filters: IncidentFilters) => ['incidents', filters, LIST_LIMIT] as const,
  detail: (id: number) => ['incident', id] as const,
  oncall: ['oncall'] as const,
  shifts: (from: number, to: number) => ['oncall-shifts', from, to] as const,
};

export function useIncidents(filters: IncidentFilters) {
  return useQuery({
    queryKey: incidentKeys.list(filters),
    queryFn: ({ signal }) => getJson<Incident[]>(incidentsPath(filters, LIST_LIMIT), signal),
    ...common,
    // Keep the old rows while another filter loads instead of flashing empty.
    placeholderData: (prev) => prev,
  });
}

export function useIncident(id: number) {
  return useQuery({
    queryKey: incidentKeys.detail(id),
    queryFn: ({ signal }) => getJson<IncidentDetail>(`/api/v1/incidents/${id}`, signal),
    ...common,
  });
}

export function useOnCall() {
  return useQuery({
    queryKey: incidentKeys.oncall,
    queryFn: ({ signal }) => getJson<OnCallNow[]>('/api/v1/oncall', signal),
    ...common,
    // Shifts change by the hour; a minute is plenty.
    refetchInterval: 60_000,
  });
}

/** Every schedule's shifts in [from, to) (a calendar month grid). */
export function useOnCallShifts(from: number, to: number) {
  return useQuery({
    queryKey: incidentKeys.shifts(from, to),
    queryFn: ({ signal }) => getJson<ScheduleShifts[]>(`/api/v1/oncall/shifts?from=${from}&to=${to}`, signal),
    ...common,
    refetchInterval: 60_000,
    // Keep the old month on screen while the next one loads.
    placeholderData: (prev) => prev,
  });
}

/** Sends a write and returns the JSON answer, throwing `HttpError` (with the server's body) on a non-2xx answer. */
export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  // The server rejects an empty body sent as JSON, so only a body gets a content type.
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) {
    let error: ApiError | undefined;
    try {
      error = (await res.json()) as ApiError;
    } catch {
      // Not JSON: the status line is all there is.
    }
    throw new HttpError(res.status, error?.message ?? `${res.status} ${res.statusText}`, error);
  }
  return (await res.json()) as T;
}

/** Puts a changed incident into every cached list and its detail. */
function cacheIncident(
  client: QueryClient,
  incident: Incident,
  entries: readonly TimelineEntry[] = [],
): void {
  for (const [key] of client.getQueriesData<Incident[]>({ queryKey: incidentKeys.lists })) {
    const filters = key[1] as IncidentFilters | undefined;
    const limit = Number(key[2]);
    if (!filters || !Number.isFinite(limit)) continue;
    client.setQueryData<Incident[]>(key, (old) => (old ? mergeIntoList(old, incident, filters, limit) : old));
  }
  client.setQueryData<IncidentDetail>(incidentKeys.detail(incident.id), (old) =>
    old ? applyIncidentEvent(old, { incident, entries }) : old,
  );
}

/** After a write: show the answer at once, then refetch what it does not carry (allowed moves, timeline). */
function useIncidentWrite<TInput, TResult>(
  id: number,
  send: (input: TInput) => Promise<TResult>,
  answer: (result: TResult) => Incident | undefined = () => undefined,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSuccess: (result) => {
      const incident = answer(result);
      if (incident) cacheIncident(client, incident);
      void client.invalidateQueries({ queryKey: incidentKeys.detail(id) });
      void client.invalidateQueries({ queryKey: incidentKeys.lists });
    },
  });
}

const asIncident = (i: Incident) => i;
const base = (id: number) => `/api/v1/incidents/${id}`;

/** `POST /incidents/{id}/transition`: acknowledge, resolve, … (409 lists the allowed moves). */
export function useTransition(id: number) {
  return useIncidentWrite(
    id,
    (to: IncidentState) => sendJson<Incident>('POST', `${base(id)}/transition`, { to }),
    asIncident,
  );
}

/** `POST /incidents/{id}/notes`. */
export function useAddNote(id: number) {
  return useIncidentWrite(id, (text: string) =>
    sendJson<TimelineEntry>('POST', `${base(id)}/notes`, { text }),
  );
}

/** `PATCH /incidents/{id}`: title, severity, services, roles, impact. */
export function usePatchIncident(id: number) {
  return useIncidentWrite(
    id,
    (patch: IncidentPatch) => sendJson<Incident>('PATCH', base(id), patch),
    asIncident,
  );
}

/** What the task form sends. */
export interface NewTask {
  title: string;
  owner?: string;
  kind: Task['kind'];
  actionType?: NonNullable<Task['actionType']>;
  dueAt?: number;
}

/** `POST /incidents/{id}/tasks`. */
export function useAddTask(id: number) {
  return useIncidentWrite(
    id,
    (task: NewTask) => sendJson<Incident>('POST', `${base(id)}/tasks`, task),
    asIncident,
  );
}

/**
 * `PATCH /incidents/{id}/tasks/{taskId}` (done, reopened, cancelled). The
 * checkbox shows the new status at once (set in the click itself: a
 * controlled checkbox would otherwise snap back until the write starts); a
 * refusal puts back what the server has.
 */
export function useUpdateTask(id: number) {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: ({ task, status }: { task: string; status: Task['status'] }) =>
      sendJson<Incident>('PATCH', `${base(id)}/tasks/${enc(task)}`, { status }),
    onSuccess: (incident) => cacheIncident(client, incident),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: incidentKeys.detail(id) });
      void client.invalidateQueries({ queryKey: incidentKeys.lists });
    },
  });
  const mutate = (change: { task: string; status: Task['status'] }) => {
    // A refetch already in flight (an earlier write, an event from the stream) would land with the
    // old task and flip the box back under the user's click: drop it, keeping what is shown.
    void client.cancelQueries({ queryKey: incidentKeys.detail(id) }, { revert: false });
    client.setQueryData<IncidentDetail>(incidentKeys.detail(id), (old) =>
      old
        ? {
            ...old,
            incident: {
              ...old.incident,
              tasks: old.incident.tasks.map((t) =>
                t.id === change.task ? { ...t, status: change.status } : t,
              ),
            },
          }
        : old,
    );
    mutation.mutate(change);
  };
  return { ...mutation, mutate };
}

/** `POST /incidents/{id}/updates`: a public update for the status page, under its own title. */
export function usePublicUpdate(id: number) {
  return useIncidentWrite(
    id,
    (u: { title?: string; body: string }) => sendJson<Incident>('POST', `${base(id)}/updates`, u),
    asIncident,
  );
}

/** `POST /incidents/{id}/escalate`: page the next escalation step now. */
export function useEscalate(id: number) {
  return useIncidentWrite(id, () => sendJson<{ step: number }>('POST', `${base(id)}/escalate`));
}

/**
 * `POST /incidents/{id}/postmortem`: write the draft from the evidence. The
 * server refuses (409) to replace a postmortem someone edited unless `force`.
 */
export function useGeneratePostmortem(id: number) {
  return useIncidentWrite(
    id,
    (opts: { force?: boolean } = {}) =>
      sendJson<Incident>('POST', `${base(id)}/postmortem`, opts.force ? { force: true } : {}),
    asIncident,
  );
}

/** `PUT /incidents/{id}/postmortem`: store the edited Markdown. */
export function useSavePostmortem(id: number) {
  return useIncidentWrite(
    id,
    (markdown: string) => sendJson<Incident>('PUT', `${base(id)}/postmortem`, { markdown }),
    asIncident,
  );
}

/** What the declare form sends. */
export interface Declaration {
  title: string;
  severity: Severity;
  service?: string;
  summary?: string;
}

/** `POST /incidents`: declare one by hand; the answer is the new incident. */
export function useDeclareIncident() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (d: Declaration) => sendJson<Incident>('POST', '/api/v1/incidents', d),
    onSuccess: (incident) => {
      cacheIncident(client, incident);
      void client.invalidateQueries({ queryKey: incidentKeys.lists });
    },
  });
}

function applyEvent(client: QueryClient, e: SseEvent, refetch: (id: number) => void): void {
  if (e.event !== 'incident') return;
  const { incident, entries } = JSON.parse(e.data) as { incident: Incident; entries: TimelineEntry[] };
  cacheIncident(client, incident, entries);
  // The event does not carry the allowed moves or newly linked alerts.
  refetch(incident.id);
}

/** Follows the event stream while an incident page is open and merges changes into its queries. */
export function useIncidentsLive(): void {
  const client = useQueryClient();
  useEffect(() => {
    const abort = new AbortController();
    const pending = new Set<number>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A change often comes as a burst (state, milestone, page): refetch once per burst.
    const refetch = (id: number) => {
      pending.add(id);
      timer ??= setTimeout(() => {
        timer = undefined;
        for (const p of pending) void client.invalidateQueries({ queryKey: incidentKeys.detail(p) });
        pending.clear();
      }, 500);
    };
    void followEvents(
      abort.signal,
      (e) => applyEvent(client, e, refetch),
      () => {},
    );
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [client]);
}
