/**
 * Edits people make to an incident (fields, roles, impact, tasks, public
 * updates, the postmortem), each as a pure function returning the changed
 * incident and the timeline entries that record it, for `IncidentService.change`.
 */
import { randomUUID } from 'node:crypto';
import type { NewTimelineEntry } from './lifecycle.ts';
import type { BusinessImpact, Incident, Roles, Severity, Task } from './types.ts';

export type Edit = { incident: Incident; entries: NewTimelineEntry[] } | { error: string };

export interface FieldPatch {
  title?: string;
  severity?: Severity;
  services?: string[];
  roles?: Partial<Record<keyof Roles, string | null>>;
  impact?: Partial<Record<keyof BusinessImpact, string | number | null>>;
}

/** Title, severity, affected services, roles and business impact; `null` clears a role or impact field. */
export function patchFields(incident: Incident, patch: FieldPatch, at: number, actor: string): Edit {
  let next: Incident = { ...incident };
  const entries: NewTimelineEntry[] = [];
  const note = (kind: NewTimelineEntry['kind'], text: string, data?: Record<string, unknown>) =>
    entries.push({ at, kind, actor, text, ...(data ? { data } : {}) });
  if (patch.title !== undefined && patch.title !== incident.title) {
    next.title = patch.title;
    note('note', `title changed to "${patch.title}"`, { from: incident.title });
  }
  if (patch.severity !== undefined && patch.severity !== incident.severity) {
    next.severity = patch.severity;
    note('note', `severity ${incident.severity} → ${patch.severity}`, {
      from: incident.severity,
      to: patch.severity,
    });
  }
  if (patch.services !== undefined) {
    next.services = [...new Set(patch.services)];
    note('note', `affected services: ${next.services.join(', ') || 'none'}`);
  }
  if (patch.roles) {
    const roles: Roles = { ...incident.roles };
    for (const [role, who] of Object.entries(patch.roles) as [keyof Roles, string | null][]) {
      if (who === null) delete roles[role];
      else roles[role] = who;
      note('role', who === null ? `${role} unassigned` : `${who} is ${role}`, { role, user: who });
    }
    next.roles = roles;
  }
  if (patch.impact) {
    const impact: Record<string, string | number> = {
      ...(incident.impact as Record<string, string | number>),
    };
    for (const [field, value] of Object.entries(patch.impact)) {
      if (value === null) delete impact[field];
      else impact[field] = value;
    }
    next = { ...next, impact: impact as BusinessImpact };
    note('note', `impact updated: ${Object.keys(patch.impact).join(', ')}`, { impact: patch.impact });
  }
  if (entries.length === 0) return { error: 'nothing to change' };
  return { incident: next, entries };
}

export interface TaskInput {
  title: string;
  owner?: string;
  kind?: Task['kind'];
  actionType?: Task['actionType'];
  dueAt?: number;
}

export function addTask(incident: Incident, input: TaskInput, at: number, actor: string): Edit {
  const task: Task = {
    id: randomUUID().slice(0, 8),
    title: input.title,
    status: 'open',
    kind: input.kind ?? 'task',
  };
  if (input.owner !== undefined) task.owner = input.owner;
  if (input.actionType !== undefined) task.actionType = input.actionType;
  if (input.dueAt !== undefined) task.dueAt = input.dueAt;
  const what =
    task.kind === 'follow-up' ? `follow-up${task.actionType ? ` (${task.actionType})` : ''}` : 'task';
  return {
    incident: { ...incident, tasks: [...incident.tasks, task] },
    entries: [
      {
        at,
        kind: 'task',
        actor,
        text: `${what} added: ${task.title}${task.owner ? ` (owner ${task.owner})` : ''}`,
        data: { task },
      },
    ],
  };
}

export function updateTask(
  incident: Incident,
  taskId: string,
  patch: Partial<Pick<Task, 'title' | 'owner' | 'status' | 'dueAt' | 'actionType'>>,
  at: number,
  actor: string,
): Edit {
  const task = incident.tasks.find((t) => t.id === taskId);
  if (!task) return { error: `incident ${incident.id} has no task ${taskId}` };
  const updated: Task = { ...task, ...patch };
  const text =
    patch.status && patch.status !== task.status
      ? `task ${patch.status}: ${task.title}`
      : `task updated: ${updated.title}`;
  return {
    incident: { ...incident, tasks: incident.tasks.map((t) => (t.id === taskId ? updated : t)) },
    entries: [{ at, kind: 'task', actor, text, data: { task: updated } }],
  };
}

/** A public update: shown on the status page while the incident is open. */
export function addPublicUpdate(incident: Incident, body: string, at: number, actor: string): Edit {
  return {
    incident: { ...incident, publicUpdates: [...incident.publicUpdates, { at, body }] },
    entries: [{ at, kind: 'public-update', actor, text: `public update: ${body}` }],
  };
}

/** Stores a postmortem (a generated draft or a person's edit). */
export function setPostmortem(
  incident: Incident,
  markdown: string,
  at: number,
  actor: string,
  generated: boolean,
): Edit {
  return {
    incident: { ...incident, postmortem: markdown },
    entries: [
      {
        at,
        kind: 'note',
        actor,
        text: generated ? 'postmortem draft generated from the evidence' : 'postmortem edited',
      },
    ],
  };
}
