/**
 * Who-is-on-call benchmark: N varied schedules (default 1,000: 2–3 layers,
 * hourly/daily/weekly rotations, restrictions, overrides, eight time zones),
 * then `shifts(s, now, now + 365 d)` for every schedule (twice: the first pass
 * also fills the per-zone offset memo) and `onCallAt` at M random instants of
 * that year (default 100,000). Prints a table.
 *
 *   npx node bench/oncall/who-is-on-call.ts [--schedules N] [--lookups M]
 */
import { gaps, onCallAt, shifts } from '../../src/oncall/schedule.ts';
import type { Layer, Restriction, Schedule, ShiftLength } from '../../src/oncall/types.ts';
import { seededRandom } from '../../src/slo/testing.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`--${name} needs a positive whole number`);
    process.exit(2);
  }
  return value;
}

const DAY = 86_400_000;
const count = flag('schedules', 1_000);
const lookups = flag('lookups', 100_000);
const rand = seededRandom(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Sydney',
  'UTC',
] as const;
const SHIFTS: ShiftLength[] = [
  { unit: 'hours', count: 8 },
  { unit: 'hours', count: 12 },
  { unit: 'days', count: 1 },
  { unit: 'days', count: 3 },
  { unit: 'weeks', count: 1 },
  { unit: 'weeks', count: 2 },
];
const RESTRICTIONS: Restriction[][] = [
  [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
  [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '18:00', end: '09:00' }],
  [{ days: ['sat', 'sun'], start: '00:00', end: '00:00' }],
  [
    { days: ['mon', 'wed', 'fri'], start: '08:00', end: '12:00' },
    { days: ['tue', 'thu'], start: '13:30', end: '02:30' },
  ],
];

const now = Date.UTC(2026, 0, 1);
const yearEnd = now + 365 * DAY;
const pad = (n: number) => String(n).padStart(2, '0');

function makeLayer(i: number, upper: boolean): Layer {
  const people = 2 + Math.floor(rand() * 7);
  const startDay = new Date(now - Math.floor(rand() * 400) * DAY);
  return {
    name: `layer-${i}`,
    start: `${startDay.getUTCFullYear()}-${pad(startDay.getUTCMonth() + 1)}-${pad(startDay.getUTCDate())}T${pad(Math.floor(rand() * 24))}:${pick(['00', '30'])}`,
    shift: pick(SHIFTS),
    participants: Array.from({ length: people }, (_, p) => `user-${Math.floor(rand() * 500)}-${p}`),
    // The base layer always covers; upper layers are restricted most of the time.
    restrictions: upper && rand() < 0.8 ? pick(RESTRICTIONS) : [],
  };
}

function makeSchedule(i: number): Schedule {
  const layerCount = rand() < 0.5 ? 2 : 3;
  const overrides = Array.from({ length: Math.floor(rand() * 6) }, () => {
    const start = now + Math.floor(rand() * 360 * 24) * 3_600_000;
    return {
      user: `user-${Math.floor(rand() * 500)}`,
      start,
      end: start + (1 + Math.floor(rand() * 72)) * 3_600_000,
    };
  });
  return {
    name: `schedule-${i}`,
    timeZone: pick(ZONES),
    layers: Array.from({ length: layerCount }, (_, l) => makeLayer(l, l > 0)),
    overrides,
  };
}

const schedules = Array.from({ length: count }, (_, i) => makeSchedule(i));

function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

const yearOf = () => schedules.reduce((n, s) => n + shifts(s, now, yearEnd).length, 0);
const first = timed(yearOf);
const second = timed(yearOf);
const gapRun = timed(() => schedules.reduce((n, s) => n + gaps(s, now, now + 28 * DAY).length, 0));

const instants = Array.from({ length: lookups }, () => ({
  schedule: pick(schedules),
  t: now + Math.floor(rand() * (yearEnd - now)),
}));
const perCall = new Float64Array(lookups);
const lookupRun = timed(() => {
  let found = 0;
  for (let i = 0; i < lookups; i++) {
    const { schedule, t } = instants[i] as { schedule: Schedule; t: number };
    const start = performance.now();
    if (onCallAt(schedule, t)) found++;
    perCall[i] = performance.now() - start;
  }
  return found;
});
perCall.sort();
const quantile = (q: number) => (perCall[Math.min(lookups - 1, Math.floor(q * lookups))] as number) * 1000;

const rows: [string, string, string][] = [
  [
    'schedules',
    count.toLocaleString('en'),
    `${schedules.reduce((n, s) => n + s.layers.length, 0).toLocaleString('en')} layers, ${schedules.reduce((n, s) => n + s.overrides.length, 0).toLocaleString('en')} overrides`,
  ],
  [
    'shifts over a year, first pass',
    `${first.wallMs.toFixed(0)} ms wall, ${first.cpuMs.toFixed(0)} ms CPU`,
    `${first.value.toLocaleString('en')} pieces, ${(first.wallMs / count).toFixed(2)} ms per schedule`,
  ],
  [
    'shifts over a year, second pass',
    `${second.wallMs.toFixed(0)} ms wall, ${second.cpuMs.toFixed(0)} ms CPU`,
    `${(second.wallMs / count).toFixed(2)} ms per schedule`,
  ],
  [
    'gaps over 28 days (bundle check)',
    `${gapRun.wallMs.toFixed(0)} ms wall`,
    `${gapRun.value.toLocaleString('en')} gaps`,
  ],
  [
    `onCallAt × ${lookups.toLocaleString('en')}`,
    `${lookupRun.wallMs.toFixed(0)} ms wall, ${lookupRun.cpuMs.toFixed(0)} ms CPU`,
    `${lookupRun.value.toLocaleString('en')} with someone on call`,
  ],
  [
    'onCallAt per call',
    `${((lookupRun.wallMs / lookups) * 1000).toFixed(1)} µs mean`,
    `p50 ${quantile(0.5).toFixed(1)} µs, p99 ${quantile(0.99).toFixed(1)} µs, max ${quantile(1).toFixed(0)} µs`,
  ],
];
const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0), 8));
const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
console.log(`Node ${process.version}, ${new Date().toISOString()}`);
console.log(line(['measure', 'time', 'detail']));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
