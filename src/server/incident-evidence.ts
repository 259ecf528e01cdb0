/**
 * What a postmortem draft is written from: the incident, its timeline,
 * alerts and pages, the results of the affected services' checks during the
 * incident, and for each of their SLOs the error budget left when the impact
 * started and when it was resolved (from the same history the SLO charts use).
 */
import type { CheckResult } from '../checks/index.ts';
import type { Incident, PageRecord, PostmortemEvidence, SloImpact } from '../incidents/index.ts';
import type { ServerContext } from './context.ts';
import { readHistory } from './history.ts';

const MINUTE_MS = 60_000;

/** The incident's window: impact start (or creation) to resolution (or now). */
export function incidentWindow(incident: Incident, now: number): { from: number; to: number } {
  const m = incident.milestones;
  const from = m.impactStartedAt ?? m.detectedAt ?? incident.createdAt;
  return { from, to: Math.max(from + MINUTE_MS, m.resolvedAt ?? m.closedAt ?? now) };
}

export async function gatherEvidence(ctx: ServerContext, incident: Incident): Promise<PostmortemEvidence> {
  const { from, to } = incidentWindow(incident, ctx.now());
  const [timeline, alerts, pageRows] = await Promise.all([
    ctx.store.listTimeline(incident.id),
    ctx.store.listAlerts({ incidentId: incident.id, limit: 1000 }),
    ctx.store.listPages({ incidentId: incident.id, limit: 10_000 }),
  ]);
  const services = new Set(incident.services);
  const checkResults: CheckResult[] = [];
  for (const c of ctx.checks.checks.filter((c) => services.has(c.service))) {
    // Failures and recoveries tell the story; the passing runs in between do not.
    const results = await ctx.store.listCheckResults(c.name, { since: from, until: to, limit: 1000 });
    checkResults.push(...results.filter((r, i) => r.status !== 'pass' || results[i + 1]?.status !== 'pass'));
  }
  checkResults.sort((a, b) => a.startedAt - b.startedAt);
  const slos: SloImpact[] = [];
  for (const def of ctx.runtime.definitions.filter((d) => services.has(d.service))) {
    const at = async (t: number) => {
      try {
        const points = await readHistory(ctx, def, {
          from: String(t - MINUTE_MS),
          to: String(t),
          step: '1m',
        });
        return points.at(-1)?.budgetRemaining ?? null;
      } catch {
        return null; // a Prometheus that cannot answer leaves the figure blank, not the draft
      }
    };
    const impact: SloImpact = {
      slo: def.name,
      objective: def.objective,
      budgetAtStart: await at(from),
      budgetAtEnd: await at(to),
    };
    if (def.displayName !== undefined) impact.displayName = def.displayName;
    slos.push(impact);
  }
  const pages: PageRecord[] = pageRows
    .filter((p) => p.user !== undefined)
    .map((p) => ({
      incidentId: p.incidentId,
      user: p.user as string,
      at: p.at,
      channel: p.channel,
      ...(p.acknowledgedAt !== undefined ? { acknowledgedAt: p.acknowledgedAt } : {}),
    }));
  return { incident, timeline, alerts, checkResults, pages, slos };
}
