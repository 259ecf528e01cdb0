import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { onCallAt, scheduleCalendar, shifts, userCalendar } from '../../oncall/index.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import { readDirectory } from '../oncall-directory.ts';
import { OnCallNowSchema, OnCallShiftsQuerySchema, OnCallShiftsSchema } from '../schemas.ts';

const DAY_MS = 86_400_000;
/** iCal feeds cover this far back and ahead (work grows with the range: keep it bounded). */
const FEED_BACK_MS = 14 * DAY_MS;
const FEED_AHEAD_MS = 90 * DAY_MS;
/** A calendar asks for a month grid at a time (six weeks); a longer range is refused, not truncated. */
const MAX_SHIFT_RANGE_MS = 62 * DAY_MS;

/** Who is on call now and next, and iCal feeds per schedule and per user. */
export function oncallRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/oncall',
    {
      schema: {
        tags: ['oncall'],
        summary: 'Every schedule: who is on call now and the next shifts (7 days)',
        response: { 200: jsonSchema(OnCallNowSchema) },
      },
    },
    async () => {
      const { schedules } = await readDirectory(ctx.store);
      const now = ctx.now();
      return [...schedules.values()].map((s) => {
        const current = onCallAt(s, now);
        return {
          schedule: s.name,
          now: current
            ? {
                user: current.user,
                start: current.start,
                end: current.end,
                source: current.source.kind === 'override' ? 'override' : current.source.layer,
              }
            : null,
          next: shifts(s, now, now + 7 * DAY_MS)
            .filter((p) => p.start > now)
            .slice(0, 10)
            .map((p) => ({ user: p.user, start: p.start, end: p.end })),
        };
      });
    },
  );

  app.get<{ Querystring: Record<string, string> }>(
    '/oncall/shifts',
    {
      schema: {
        tags: ['oncall'],
        summary:
          'The shifts of every schedule (or one) overlapping [from, to), at most 62 days, for calendars',
        querystring: jsonSchema(OnCallShiftsQuerySchema, 'input'),
        response: { 200: jsonSchema(OnCallShiftsSchema), ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      const { access_token: _t, ...query } = req.query;
      const q = parseOr400(OnCallShiftsQuerySchema, query, 'query');
      if (q.to <= q.from || q.to - q.from > MAX_SHIFT_RANGE_MS)
        throw new HttpError(
          400,
          'bad_request',
          'the range must end after it starts and span at most 62 days',
          [{ path: 'to', message: 'ask for a month at a time' }],
        );
      const { schedules } = await readDirectory(ctx.store);
      if (q.schedule !== undefined && !schedules.has(q.schedule))
        throw new HttpError(404, 'not_found', `no schedule named "${q.schedule}"`);
      return [...schedules.values()]
        .filter((s) => q.schedule === undefined || s.name === q.schedule)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => ({
          schedule: s.name,
          timeZone: s.timeZone,
          shifts: shifts(s, q.from, q.to).map((p) => ({
            user: p.user,
            start: p.start,
            end: p.end,
            source: p.source.kind === 'override' ? 'override' : p.source.layer,
          })),
        }));
    },
  );

  const ics = { 200: { type: 'string', description: 'text/calendar' }, ...errorResponses(404) };
  app.get<{ Params: { name: string } }>(
    '/schedules/:name/ical',
    {
      schema: {
        tags: ['oncall'],
        summary:
          'iCal feed of a schedule (two weeks back, 90 days ahead); calendar apps may pass ?access_token=',
        params: jsonSchema(z.object({ name: z.string() })),
        response: ics,
      },
    },
    async (req, reply) => {
      const { schedules, users } = await readDirectory(ctx.store);
      const s = schedules.get(req.params.name);
      if (!s) throw new HttpError(404, 'not_found', `no schedule named "${req.params.name}"`);
      const now = ctx.now();
      reply.type('text/calendar; charset=utf-8');
      return scheduleCalendar(s, now - FEED_BACK_MS, now + FEED_AHEAD_MS, [...users.values()]);
    },
  );
  app.get<{ Params: { name: string } }>(
    '/users/:name/ical',
    {
      schema: {
        tags: ['oncall'],
        summary: "iCal feed of a user's on-call shifts across every schedule",
        params: jsonSchema(z.object({ name: z.string() })),
        response: ics,
      },
    },
    async (req, reply) => {
      const { schedules, users } = await readDirectory(ctx.store);
      const u = users.get(req.params.name);
      if (!u) throw new HttpError(404, 'not_found', `no user named "${req.params.name}"`);
      const now = ctx.now();
      reply.type('text/calendar; charset=utf-8');
      return userCalendar(u, [...schedules.values()], now - FEED_BACK_MS, now + FEED_AHEAD_MS);
    },
  );
}
