/**
 * What the public may see of an incident: the status page shows an open
 * incident only once someone posted a public update, under the title that
 * update gave. The incident's own title, timeline and fields are written for
 * responders (alert summaries, hostnames, names) and never leave the server.
 */
import { ACTIVE_STATES } from './lifecycle.ts';
import type { Incident, IncidentState, Severity } from './types.ts';

export interface PublicIncident {
  /** The title of the latest public update. */
  title: string;
  state: IncidentState;
  severity: Severity;
  /** When the latest public update was posted. */
  updatedAt: number;
  /** Newest first. */
  updates: { at: number; body: string }[];
}

/** The public face of an incident, or undefined while it is not public (no update yet) or not open. */
export function publicIncident(incident: Incident): PublicIncident | undefined {
  const latest = incident.publicUpdates.at(-1);
  if (!latest || !ACTIVE_STATES.includes(incident.state)) return undefined;
  return {
    title: latest.title,
    state: incident.state,
    severity: incident.severity,
    updatedAt: latest.at,
    updates: [...incident.publicUpdates].reverse().map((u) => ({ at: u.at, body: u.body })),
  };
}
