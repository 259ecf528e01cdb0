import { beforeAll, describe, expect, it } from 'vitest';
import { forEachDriver } from '../../test/helpers/databases.ts';
import type { Incident } from '../incidents/index.ts';
import type { DrizzleStore } from './index.ts';
import { windowOverlaps } from './paging.ts';
import type { MaintenanceRow, PageRow } from './types.ts';

const T0 = Date.UTC(2025, 5, 1);
const MINUTE = 60_000;

function incident(title: string): Omit<Incident, 'id'> {
  return {
    title,
    state: 'triggered',
    severity: 'SEV2',
    urgency: 'high',
    services: [],
    createdAt: T0,
    updatedAt: T0,
    milestones: {},
    roles: {},
    impact: {},
    tasks: [],
    publicUpdates: [],
  };
}

/** A successful first-try page to a channel (no user), unless told otherwise. */
function page(incidentId: number, overrides: Partial<Omit<PageRow, 'id'>> = {}): Omit<PageRow, 'id'> {
  return {
    incidentId,
    channel: 'webhook',
    target: 'https://hooks.example/***',
    at: T0,
    ok: true,
    attempts: 1,
    step: 0,
    round: 0,
    ...overrides,
  };
}

/** A window of `service` from minute `from` to minute `to` after T0. */
function window(service: string, from: number, to: number, reason?: string): Omit<MaintenanceRow, 'id'> {
  return {
    service,
    start: T0 + from * MINUTE,
    end: T0 + to * MINUTE,
    createdBy: 'ada',
    ...(reason === undefined ? {} : { reason }),
  };
}

describe('windowOverlaps', () => {
  const w = { start: 100, end: 200 };
  it.each<{
    name: string;
    window: { start: number; end: number };
    from?: number;
    to?: number;
    overlaps: boolean;
  }>([
    { name: 'any window matches when neither bound is given', window: w, overlaps: true },
    {
      name: 'an empty window matches when neither bound is given',
      window: { start: 5, end: 5 },
      overlaps: true,
    },
    { name: 'a range inside the window overlaps', window: w, from: 120, to: 180, overlaps: true },
    { name: 'a range around the window overlaps', window: w, from: 0, to: 300, overlaps: true },
    { name: 'a range equal to the window overlaps', window: w, from: 100, to: 200, overlaps: true },
    {
      name: 'a range ending where the window starts does not overlap',
      window: w,
      from: 0,
      to: 100,
      overlaps: false,
    },
    {
      name: 'a range starting where the window ends does not overlap',
      window: w,
      from: 200,
      to: 300,
      overlaps: false,
    },
    { name: 'a range ending 1 ms into the window overlaps', window: w, from: 0, to: 101, overlaps: true },
    {
      name: 'a range starting 1 ms before the window ends overlaps',
      window: w,
      from: 199,
      to: 300,
      overlaps: true,
    },
    { name: 'the first instant of the window is in it', window: w, from: 100, to: 101, overlaps: true },
    { name: 'the end instant of the window is not in it', window: w, from: 200, to: 201, overlaps: false },
    { name: 'only `from` before the end overlaps', window: w, from: 199, overlaps: true },
    { name: 'only `from` at the end does not overlap', window: w, from: 200, overlaps: false },
    { name: 'only `to` after the start overlaps', window: w, to: 101, overlaps: true },
    { name: 'only `to` at the start does not overlap', window: w, to: 100, overlaps: false },
    {
      name: 'an empty window overlaps no range, even one around it',
      window: { start: 150, end: 150 },
      from: 0,
      to: 300,
      overlaps: false,
    },
  ])('$name', ({ window: win, from, to, overlaps }) => {
    const range = { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
    expect(windowOverlaps(win, range)).toBe(overlaps);
  });
});

forEachDriver('store: paging', (h) => {
  let store: DrizzleStore;
  beforeAll(async () => {
    store = await h.open(await h.freshDatabase());
  });

  describe('pages', () => {
    it('records a page with every field and reads it back whole', async () => {
      const { id } = await store.createIncident(incident('full page'));
      const input = page(id, {
        user: 'ada',
        channel: 'email',
        target: 'a***@example.com',
        at: T0 + 1500,
        ok: false,
        attempts: 3,
        error: 'connect ECONNREFUSED 127.0.0.1:25',
        step: 2,
        round: 1,
        acknowledgedAt: T0 + 9000,
      });
      const added = await store.addPage(input);
      expect(added).toStrictEqual({ id: added.id, ...input });
      expect(await store.listPages({ incidentId: id })).toStrictEqual([added]);
    });

    it('reads a channel page back without user, error or acknowledge time', async () => {
      const { id } = await store.createIncident(incident('minimal page'));
      const added = await store.addPage(page(id));
      expect(added).toStrictEqual({ id: added.id, ...page(id) });
      const [read] = await store.listPages({ incidentId: id });
      expect(read).toStrictEqual(added);
      for (const field of ['user', 'error', 'acknowledgedAt']) expect(read).not.toHaveProperty(field);
    });

    it('refuses a page for an incident that does not exist, or at a time that is not integer ms', async () => {
      const { id } = await store.createIncident(incident('refused pages'));
      await expect(store.addPage(page(id + 1_000_000))).rejects.toThrow();
      await expect(store.addPage(page(id, { at: T0 + 0.5 }))).rejects.toThrow(RangeError);
      expect(await store.listPages({ incidentId: id })).toEqual([]);
    });

    it('lists pages oldest first, by incident, user, time range and limit', async () => {
      const own = await h.open(await h.freshDatabase());
      const a = await own.createIncident(incident('a'));
      const b = await own.createIncident(incident('b'));
      const specs: { incidentId: number; user?: string; minute: number }[] = [
        { incidentId: a.id, user: 'ada', minute: 3 },
        { incidentId: a.id, minute: 1 },
        { incidentId: b.id, user: 'ada', minute: 2 },
        { incidentId: a.id, user: 'grace', minute: 1 },
        { incidentId: b.id, user: 'grace', minute: 5 },
        { incidentId: a.id, user: 'ada', minute: 4 },
      ];
      const added: PageRow[] = [];
      for (const s of specs) {
        added.push(
          await own.addPage(
            page(s.incidentId, {
              at: T0 + s.minute * MINUTE,
              ...(s.user === undefined ? {} : { user: s.user }),
            }),
          ),
        );
      }
      // Oldest first; pages at one instant in the order recorded.
      const all = [...added].sort((x, y) => x.at - y.at || x.id - y.id);
      const since = T0 + 2 * MINUTE;
      const until = T0 + 4 * MINUTE;

      expect(await own.listPages({})).toStrictEqual(all);
      expect(await own.listPages({ incidentId: a.id })).toStrictEqual(
        all.filter((p) => p.incidentId === a.id),
      );
      expect(await own.listPages({ user: 'ada' })).toStrictEqual(all.filter((p) => p.user === 'ada'));
      expect(await own.listPages({ since, until })).toStrictEqual(
        all.filter((p) => p.at >= since && p.at < until),
      );
      expect(await own.listPages({ incidentId: a.id, user: 'ada', since })).toStrictEqual(
        all.filter((p) => p.incidentId === a.id && p.user === 'ada' && p.at >= since),
      );
      // A limit keeps the most recent pages, still oldest first.
      expect(await own.listPages({ limit: 2 })).toStrictEqual(all.slice(-2));
      expect(await own.listPages({ incidentId: a.id, limit: 3 })).toStrictEqual(
        all.filter((p) => p.incidentId === a.id).slice(-3),
      );
      expect(await own.listPages({ limit: 0 })).toEqual([]);
      expect(await own.listPages({ user: 'nobody' })).toEqual([]);
      for (const incidentId of [b.id + 1_000_000, 0, -1, 1.5, 2 ** 31]) {
        expect(await own.listPages({ incidentId })).toEqual([]);
      }
    });

    it('acknowledges one user’s pages, then the rest, keeping the first time and counting each page once', async () => {
      const target = await store.createIncident(incident('acknowledge'));
      const other = await store.createIncident(incident('acknowledge elsewhere'));
      await store.addPage(page(target.id, { user: 'ada', at: T0 }));
      await store.addPage(page(target.id, { user: 'ada', at: T0 + MINUTE, round: 1 }));
      await store.addPage(page(target.id, { user: 'grace', at: T0 + MINUTE, step: 1 }));
      await store.addPage(page(target.id, { at: T0 + MINUTE }));
      await store.addPage(page(other.id, { user: 'ada' }));
      const ackAda = T0 + 2 * MINUTE;
      const ackAll = T0 + 3 * MINUTE;

      expect(await store.acknowledgePages(target.id, ackAda, 'ada')).toBe(2);
      expect(await store.acknowledgePages(target.id, ackAda + 1, 'ada')).toBe(0);
      expect(await store.acknowledgePages(target.id, ackAda, 'nobody')).toBe(0);
      let listed = await store.listPages({ incidentId: target.id });
      expect(listed.map((p) => [p.user, p.acknowledgedAt])).toEqual([
        ['ada', ackAda],
        ['ada', ackAda],
        ['grace', undefined],
        [undefined, undefined],
      ]);

      // Without a user: every page not yet acknowledged (the channel page too); Ada's keep their time.
      expect(await store.acknowledgePages(target.id, ackAll)).toBe(2);
      expect(await store.acknowledgePages(target.id, ackAll + 1)).toBe(0);
      listed = await store.listPages({ incidentId: target.id });
      expect(listed.map((p) => p.acknowledgedAt)).toEqual([ackAda, ackAda, ackAll, ackAll]);
      // Another incident's pages are not touched.
      const [elsewhere] = await store.listPages({ incidentId: other.id });
      expect(elsewhere).not.toHaveProperty('acknowledgedAt');
    });

    it('acknowledges nothing for an incident that does not exist, and refuses a time that is not integer ms', async () => {
      const { id } = await store.createIncident(incident('acknowledge missing'));
      await store.addPage(page(id, { user: 'ada' }));
      for (const incidentId of [id + 1_000_000, 0, -1, 1.5, 2 ** 31]) {
        expect(await store.acknowledgePages(incidentId, T0)).toBe(0);
      }
      await expect(store.acknowledgePages(id, Number.NaN)).rejects.toThrow(RangeError);
      const [unchanged] = await store.listPages({ incidentId: id });
      expect(unchanged).not.toHaveProperty('acknowledgedAt');
    });
  });

  describe('maintenance windows', () => {
    it('stores windows with and without a reason and reads them back whole', async () => {
      const own = await h.open(await h.freshDatabase());
      const withReason = window('checkout', 0, 60, 'database upgrade');
      const without = { ...window('search', 10, 20), createdBy: 'chaos:kill-pods' };
      const a = await own.addMaintenance(withReason);
      const b = await own.addMaintenance(without);
      expect(a).toStrictEqual({ id: a.id, ...withReason });
      expect(b).toStrictEqual({ id: b.id, ...without });
      expect(b).not.toHaveProperty('reason');
      expect(await own.listMaintenance({})).toStrictEqual([a, b]);
    });

    it('refuses a window that ends before it starts or whose times are not integer ms, and accepts an empty one', async () => {
      const own = await h.open(await h.freshDatabase());
      await expect(own.addMaintenance(window('checkout', 10, 9))).rejects.toThrow(RangeError);
      await expect(own.addMaintenance({ ...window('checkout', 0, 10), start: T0 + 0.5 })).rejects.toThrow(
        RangeError,
      );
      await expect(
        own.addMaintenance({ ...window('checkout', 0, 10), end: Number.POSITIVE_INFINITY }),
      ).rejects.toThrow(RangeError);
      expect(await own.listMaintenance({})).toEqual([]);
      const empty = await own.addMaintenance(window('checkout', 5, 5));
      expect(await own.listMaintenance({})).toStrictEqual([empty]);
    });

    it('lists windows by start, of one service, overlapping a range exactly as windowOverlaps says', async () => {
      const own = await h.open(await h.freshDatabase());
      const specs: [string, number, number][] = [
        ['checkout', 30, 40],
        ['checkout', 0, 10],
        ['search', 5, 15],
        ['checkout', 10, 20], // touches the window before it
        ['search', 5, 25], // same start as another: the order added
        ['checkout', 25, 25], // empty
      ];
      const added: MaintenanceRow[] = [];
      for (const [service, from, to] of specs)
        added.push(await own.addMaintenance(window(service, from, to)));
      const all = [...added].sort((x, y) => x.start - y.start || x.id - y.id);
      expect(await own.listMaintenance({})).toStrictEqual(all);
      expect(await own.listMaintenance({ service: 'checkout' })).toStrictEqual(
        all.filter((w) => w.service === 'checkout'),
      );
      expect(await own.listMaintenance({ service: 'nowhere' })).toEqual([]);

      // Every range over a grid of edges (window bounds and 1 ms either side), with either bound left out.
      const edges = [...new Set(added.flatMap((w) => [w.start, w.end]))].flatMap((t) => [t - 1, t, t + 1]);
      const bounds = [undefined, ...edges];
      let checked = 0;
      for (const from of bounds) {
        for (const to of bounds) {
          if (from !== undefined && to !== undefined && to <= from) continue;
          const range = { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
          for (const service of [undefined, 'search']) {
            const expected = all.filter(
              (w) => (service === undefined || w.service === service) && windowOverlaps(w, range),
            );
            const filter = service === undefined ? range : { ...range, service };
            expect(await own.listMaintenance(filter), JSON.stringify(filter)).toStrictEqual(expected);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    });

    it('does not count touching windows as overlapping', async () => {
      const own = await h.open(await h.freshDatabase());
      const first = await own.addMaintenance(window('checkout', 0, 10));
      const second = await own.addMaintenance(window('checkout', 10, 20));
      expect(await own.listMaintenance({ from: first.start, to: first.end })).toStrictEqual([first]);
      expect(await own.listMaintenance({ from: second.start, to: second.end })).toStrictEqual([second]);
      // At the instant one ends and the other starts, only the second is in force.
      expect(await own.listMaintenance({ from: first.end, to: first.end + 1 })).toStrictEqual([second]);
    });

    it('ends a window early, never later, and empties one ended before it began', async () => {
      const own = await h.open(await h.freshDatabase());
      const running = await own.addMaintenance(window('checkout', 0, 60, 'upgrade'));
      const early = T0 + 15 * MINUTE;
      expect(await own.endMaintenance(running.id, early)).toStrictEqual({ ...running, end: early });
      // Ending again later keeps the earlier end; ending earlier still moves it.
      expect(await own.endMaintenance(running.id, early + MINUTE)).toStrictEqual({ ...running, end: early });
      expect(await own.endMaintenance(running.id, early - 1)).toStrictEqual({ ...running, end: early - 1 });
      expect(await own.listMaintenance({ from: early - 1 })).toEqual([]);
      expect(await own.listMaintenance({ from: early - 2 })).toStrictEqual([{ ...running, end: early - 1 }]);

      // A window scheduled for later and called off now ends at its start: it covers nothing.
      const planned = await own.addMaintenance(window('search', 120, 180));
      const cancelled = await own.endMaintenance(planned.id, T0);
      expect(cancelled).toStrictEqual({ ...planned, end: planned.start });
      expect(await own.listMaintenance({ service: 'search', from: T0, to: T0 + 240 * MINUTE })).toEqual([]);
      expect(await own.listMaintenance({ service: 'search' })).toStrictEqual([cancelled]);
    });

    it('ends no window for an id that does not exist, and refuses a time that is not integer ms', async () => {
      const own = await h.open(await h.freshDatabase());
      const kept = await own.addMaintenance(window('checkout', 0, 60));
      for (const id of [kept.id + 1_000_000, 0, -1, 1.5, 2 ** 31, Number.NaN]) {
        expect(await own.endMaintenance(id, T0)).toBeUndefined();
      }
      await expect(own.endMaintenance(kept.id, T0 + 0.5)).rejects.toThrow(RangeError);
      expect(await own.listMaintenance({})).toStrictEqual([kept]);
    });
  });
});
