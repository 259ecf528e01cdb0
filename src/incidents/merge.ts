/**
 * Merging one incident into another: the duplicate ends as `merged`, the
 * target takes over its affected services and (by the caller) its alerts, and
 * both timelines say so. Pure: the caller loads both incidents and moves the
 * alerts in the same transaction.
 */
import { ACTIVE_STATES, move, type NewTimelineEntry } from './lifecycle.ts';
import type { Incident, IncidentState } from './types.ts';

/** Why a merge was refused, in the terms of an HTTP answer (400 bad target, 404 none, 409 state). */
export interface MergeError {
  status: 400 | 404 | 409;
  message: string;
  /** For a source that cannot move: where it may move instead. */
  allowed?: IncidentState[];
}

export interface MergePlan {
  source: Incident;
  target: Incident;
  sourceEntries: NewTimelineEntry[];
  targetEntries: NewTimelineEntry[];
}

/**
 * Plans merging `source` into `target` (undefined: no such incident) at `at`
 * by `actor`, with `alerts` the number of alerts moving over. The target must
 * be another incident that is still open (triggered … monitoring): a resolved
 * or ended incident would swallow live alerts nobody watches, and a merged one
 * only points elsewhere. The source must be able to move to `merged`.
 */
export function planMerge(
  source: Incident,
  targetId: number,
  target: Incident | undefined,
  at: number,
  actor: string,
  alerts: number,
): MergePlan | { error: MergeError } {
  if (targetId === source.id)
    return { error: { status: 400, message: `incident ${source.id} cannot be merged into itself` } };
  if (!target) return { error: { status: 404, message: `no incident ${targetId} to merge into` } };
  if (!ACTIVE_STATES.includes(target.state)) {
    const hint =
      target.state === 'merged' && target.mergedInto !== undefined
        ? `: merge into #${target.mergedInto} instead`
        : target.state === 'resolved'
          ? ': reopen it first, or merge into an open incident'
          : '';
    return {
      error: { status: 409, message: `incident ${target.id} is ${target.state}, not open${hint}` },
    };
  }
  const moved = move(source, 'merged', at, actor, { mergedInto: target.id });
  if ('error' in moved) return { error: { status: 409, ...moved.error } };
  const services = [
    ...new Set([...target.services, ...source.services, ...(source.service ? [source.service] : [])]),
  ];
  const added = services.filter((s) => !target.services.includes(s));
  const text = `#${source.id} merged into this incident${alerts > 0 ? ` with ${alerts} alert${alerts === 1 ? '' : 's'}` : ''}${added.length > 0 ? `; now affects ${added.join(', ')} too` : ''}`;
  return {
    source: moved.incident,
    target: { ...target, services, updatedAt: at },
    sourceEntries: moved.entries,
    targetEntries: [
      {
        at,
        kind: 'merge',
        actor,
        text,
        data: {
          merged: source.id,
          title: source.title,
          alerts,
          ...(added.length > 0 ? { services: added } : {}),
        },
      },
    ],
  };
}
