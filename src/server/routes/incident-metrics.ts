import type { FastifyInstance } from 'fastify';
import { type Incident, incidentMetrics, type PageRecord } from '../../incidents/index.ts';
import { isValidTimeZone, shifts } from '../../oncall/index.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import { readDirectory } from '../oncall-directory.ts';
import { IncidentMetricsQuerySchema } from '../schemas.ts';

const DAY_MS = 86_400_000;
/** Incidents are read in pages of this many (every incident is looked at once, none held twice). */
const SCAN_PAGE = 1_000;
const DEFAULT_SHIFT_ROWS = 500;

/**
 * MTTA, MTTD, MTTR, counts by severity and pages per on-call shift over any
 * period. Nothing caps the period: incidents are scanned in pages and only
 * those that count (detected in the period, or paged in it) are kept, and the
 * per-shift rows come a page at a time (`shiftOffset`, `shiftLimit`), the
 * totals always covering all of them.
 */
export function metricsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: Record<string, string> }>(
    '/incidents/metrics',
    {
      schema: {
        tags: ['incidents'],
        summary:
          'MTTA, MTTD, MTTR (recover and resolve), counts by severity and pages per on-call shift over a period, of a service or team',
        querystring: jsonSchema(IncidentMetricsQuerySchema, 'input'),
        response: errorResponses(400, 404),
      },
    },
    async (req) => {
      const { access_token: _t, ...query } = req.query;
      const q = parseOr400(IncidentMetricsQuerySchema, query, 'query');
      const to = q.to ?? ctx.now();
      const from = q.from ?? to - 30 * DAY_MS;
      if (to <= from)
        throw new HttpError(400, 'bad_request', 'the period must end after it starts', [
          { path: 'to', message: `${to} is not after from (${from})` },
        ]);
      if (q.timeZone !== undefined && !isValidTimeZone(q.timeZone))
        throw new HttpError(400, 'bad_request', `unknown time zone "${q.timeZone}"`, [
          { path: 'timeZone', message: 'an IANA zone such as Europe/Berlin or UTC' },
        ]);
      const [pageRows, services, directory] = await Promise.all([
        ctx.store.listPages({ since: from, until: to }),
        ctx.store.listServices(),
        readDirectory(ctx.store),
      ]);
      const servicesOfTeam: Record<string, string[]> = {};
      for (const s of services) {
        const team = s.labels.team;
        if (team) servicesOfTeam[team] = [...(servicesOfTeam[team] ?? []), s.name];
      }
      const team = q.team === undefined ? undefined : directory.teams.get(q.team);
      if (q.team !== undefined && !team && !servicesOfTeam[q.team])
        throw new HttpError(
          404,
          'not_found',
          `no team named "${q.team}" (no Team document, no service labelled team: ${q.team})`,
        );
      const paged = new Set(pageRows.map((p) => p.incidentId));
      const incidents = await incidentsThatCount(ctx, from, to, paged);
      const pages: PageRecord[] = pageRows
        .filter((p) => p.user !== undefined)
        .map((p) => ({
          incidentId: p.incidentId,
          user: p.user as string,
          at: p.at,
          channel: p.channel,
          ...(p.acknowledgedAt !== undefined ? { acknowledgedAt: p.acknowledgedAt } : {}),
        }));
      const onCallShifts = [...directory.schedules.values()].flatMap((s) => shifts(s, from, to));
      // Rows of a team are its members' shifts; of a service, the shifts of the schedules its incidents paged.
      const shiftSchedules =
        q.service === undefined ? undefined : schedulesPaging(incidents, q.service, directory.policies);
      return incidentMetrics(incidents, pages, onCallShifts, {
        userTimeZones: Object.fromEntries(
          [...directory.users.values()].filter((u) => u.timeZone).map((u) => [u.name, u.timeZone as string]),
        ),
        scheduleTimeZones: Object.fromEntries(
          [...directory.schedules.values()].map((s) => [s.name, s.timeZone]),
        ),
        from,
        to,
        timeZone: q.timeZone ?? 'UTC',
        servicesOfTeam,
        ...(q.service ? { service: q.service } : {}),
        ...(q.team ? { team: q.team } : {}),
        ...(q.team !== undefined ? { shiftUsers: new Set(team?.members ?? []) } : {}),
        ...(shiftSchedules ? { shiftSchedules } : {}),
        shiftPage: { offset: q.shiftOffset ?? 0, limit: q.shiftLimit ?? DEFAULT_SHIFT_ROWS },
      });
    },
  );
}

/** Every incident detected in [from, to) or paged then, scanning all of them page by page. */
async function incidentsThatCount(
  ctx: ServerContext,
  from: number,
  to: number,
  paged: ReadonlySet<number>,
): Promise<Incident[]> {
  const kept: Incident[] = [];
  for (let after = 0; ; ) {
    const batch = await ctx.store.scanIncidents(after, SCAN_PAGE);
    for (const i of batch) {
      const at = i.milestones.detectedAt ?? i.createdAt;
      if ((at >= from && at < to) || paged.has(i.id)) kept.push(i);
    }
    const last = batch.at(-1);
    if (!last || batch.length < SCAN_PAGE) return kept;
    after = last.id;
  }
}

/** The schedules the escalation policies of a service's incidents page. */
function schedulesPaging(
  incidents: readonly Incident[],
  service: string,
  policies: ReadonlyMap<string, { steps: { targets: { kind: string; name?: string }[] }[] }>,
): Set<string> {
  const out = new Set<string>();
  for (const i of incidents) {
    if (i.service !== service && !i.services.includes(service)) continue;
    const policy = i.escalationPolicy ? policies.get(i.escalationPolicy) : undefined;
    for (const step of policy?.steps ?? [])
      for (const t of step.targets) if (t.kind === 'schedule' && t.name) out.add(t.name);
  }
  return out;
}
