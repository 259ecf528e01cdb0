/**
 * Edits people make to an incident (fields, roles, impact, tasks, public
 * updates, the postmortem), each as a pure function returning the changed
 * incident and the timeline entries that record it, for `IncidentService.change`.
 */
import { randomUUID } from 'node:crypto';
import type { NewTimelineEntry } from './lifecycle.ts';
import type { BusinessImpact, Incident, Roles, Severity, Task } from './types.ts';

/** A change, or why not (`status` 409 when the refusal is about the incident's state, else 400). */
export type Edit = { incident: Incident; entries: NewTimelineEntry[] } | { error: string; status?: 409 };

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

/**
 * A public update, shown on the status page while the incident is open. The
 * status page shows the latest update's title, never the incident's own
 * (written for responders); the first update must give one, later ones keep
 * it unless they give another.
 */
export function addPublicUpdate(
  incident: Incident,
  update: { title?: string; body: string },
  at: number,
  actor: string,
): Edit {
  const title = update.title?.trim() || incident.publicUpdates.at(-1)?.title;
  if (!title)
    return { error: 'the first public update needs a title: what the status page calls this incident' };
  return {
    incident: { ...incident, publicUpdates: [...incident.publicUpdates, { at, title, body: update.body }] },
    entries: [
      {
        at,
        kind: 'public-update',
        actor,
        text: `public update "${title}": ${update.body}`,
        data: { title },
      },
    ],
  };
}

/**
 * Stores a postmortem: a person's edit (remembered, with who and when), or a
 * generated draft. A draft never silently replaces an edit: without `force`
 * it is refused (409), and with it the edit is dropped and the entry says so.
 */
export function setPostmortem(
  incident: Incident,
  markdown: string,
  at: number,
  actor: string,
  source: { generated: false } | { generated: true; force?: boolean },
): Edit {
  if (!source.generated) {
    return {
      incident: { ...incident, postmortem: markdown, postmortemEdit: { at, by: actor } },
      entries: [{ at, kind: 'note', actor, text: 'postmortem edited' }],
    };
  }
  const edit = incident.postmortemEdit;
  if (edit && !source.force)
    return {
      status: 409,
      error: `the postmortem was edited by ${edit.by} at ${new Date(edit.at).toISOString()}: a new draft would replace the edit; regenerate with force to do that anyway`,
    };
  const { postmortemEdit: _dropped, ...rest } = incident;
  return {
    incident: { ...rest, postmortem: markdown },
    entries: [
      {
        at,
        kind: 'note',
        actor,
        text: edit
          ? `postmortem draft regenerated from the evidence, replacing the edit by ${edit.by}`
          : 'postmortem draft generated from the evidence',
      },
    ],
  };
}
