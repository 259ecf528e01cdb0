/**
 * The on-call directory paging reads: users, teams, schedules and escalation
 * policies mapped from the applied spec documents (the same mapping `ballast
 * validate` runs; stored documents already passed it, so problems here are
 * not expected and are skipped).
 */

import type { RoutingRule } from '../incidents/index.ts';
import {
  type EscalationPolicy,
  escalationPolicyFromDocument,
  type Schedule,
  scheduleFromDocument,
  type Team,
  teamFromDocument,
  type User,
  userFromDocument,
} from '../oncall/index.ts';
import type { LoadedDocument } from '../spec/index.ts';
import type { Store, StoredDocument } from '../store/types.ts';

/** The people, teams, schedules and policies paging reads (from the applied specs). */
export interface OnCallDirectory {
  users: ReadonlyMap<string, User>;
  teams: ReadonlyMap<string, Team>;
  schedules: ReadonlyMap<string, Schedule>;
  policies: ReadonlyMap<string, EscalationPolicy>;
}

/** A stored document as the mapping functions take it (positions are not kept in the store). */
function asLoaded(d: StoredDocument): LoadedDocument {
  return {
    apiVersion: d.apiVersion,
    kind: d.kind,
    name: d.name,
    body: d.body,
    file: `stored:${d.kind}/${d.name}`,
    line: 1,
    locate: () => ({ line: 1, column: 1 }),
  };
}

export async function readDirectory(store: Store): Promise<OnCallDirectory> {
  const [userDocs, teamDocs, scheduleDocs, policyDocs] = await Promise.all([
    store.listDocuments('User'),
    store.listDocuments('Team'),
    store.listDocuments('Schedule'),
    store.listDocuments('EscalationPolicy'),
  ]);
  const users = new Map<string, User>();
  for (const d of userDocs) {
    const u = userFromDocument(asLoaded(d)).value;
    if (u) users.set(u.name, u);
  }
  const teams = new Map<string, Team>();
  for (const d of teamDocs) {
    const t = teamFromDocument(asLoaded(d)).value;
    if (t) teams.set(t.name, t);
  }
  const schedules = new Map<string, Schedule>();
  for (const d of scheduleDocs) {
    const s = scheduleFromDocument(asLoaded(d)).value;
    if (s) schedules.set(s.name, s);
  }
  const policies = new Map<string, EscalationPolicy>();
  for (const d of policyDocs) {
    const p = escalationPolicyFromDocument(asLoaded(d)).value;
    if (p) policies.set(p.name, p);
  }
  return { users, teams, schedules, policies };
}

/** The routing rules the escalation policies' `routes` declare: policies by name, routes in their order. */
export async function policyRoutingRules(store: Store): Promise<RoutingRule[]> {
  const { policies } = await readDirectory(store);
  const rules: RoutingRule[] = [];
  for (const p of [...policies.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    (p.routes ?? []).forEach((r, i) => {
      const match: RoutingRule['match'] = {};
      if (r.service !== undefined) match.service = r.service;
      if (r.labels !== undefined) match.labels = r.labels;
      if (r.origin !== undefined) match.origin = r.origin;
      const to: RoutingRule['route'] = { escalationPolicy: p.name };
      if (r.urgency !== undefined) to.urgency = r.urgency;
      if (r.severity !== undefined) to.severity = r.severity;
      rules.push({ name: `${p.name}#${i + 1}`, match, route: to });
    });
  }
  return rules;
}
