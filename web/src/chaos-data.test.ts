import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/chaos/experiment/journal.ts';
import {
  anyRunning,
  currentPhase,
  faultWindow,
  formatBudgetShare,
  formatOffset,
  guardsOf,
  haltSummary,
  hypothesisBadge,
  journalRows,
  mergeJournal,
  probeColumns,
  reconcileJournal,
  reportOf,
  runDurationMs,
  runMarks,
  statusBadge,
  upsertRun,
} from './chaos-data.ts';

const T = 1_700_000_000_000;
const phase = (t: number, p: 'before' | 'method' | 'recovery' | 'done'): JournalEntry => ({
  t: T + t,
  type: 'phase',
  phase: p,
});
const probe = (t: number, name: string, value: number | null, ok = true): JournalEntry => ({
  t: T + t,
  type: 'probe',
  phase: 'method',
  probe: name,
  ok,
  value,
  detail: `${name} read ${value}`,
});
const action = (
  t: number,
  kind: 'apply' | 'revert' | 'load-start',
  step: string,
  ok = true,
): JournalEntry => ({ t: T + t, type: 'action', action: kind, step, ok, detail: `${kind} ${step}` });

describe('statusBadge', () => {
  it.each([
    { name: 'a running run is running', status: 'running', halt: false, label: 'running', tone: 'running' },
    {
      name: 'a running run asked to halt is halting',
      status: 'running',
      halt: true,
      label: 'halting',
      tone: 'ticket',
    },
    { name: 'a held hypothesis is green', status: 'held', halt: false, label: 'held', tone: 'ok' },
    { name: 'a deviation is red', status: 'deviated', halt: false, label: 'deviated', tone: 'page' },
    { name: 'a failed run is red', status: 'failed', halt: false, label: 'failed', tone: 'page' },
    { name: 'a lost controller is red', status: 'lost', halt: false, label: 'lost', tone: 'page' },
    { name: 'an abort is amber', status: 'aborted', halt: true, label: 'aborted', tone: 'ticket' },
    {
      name: 'a failed precondition is amber and reads with a space',
      status: 'precondition_failed',
      halt: false,
      label: 'precondition failed',
      tone: 'ticket',
    },
    {
      name: 'a refusal is grey: nothing ran',
      status: 'refused',
      halt: false,
      label: 'refused',
      tone: 'nodata',
    },
    {
      name: 'an unknown status is grey and readable',
      status: 'some_new',
      halt: false,
      label: 'some new',
      tone: 'nodata',
    },
  ])('$name', ({ status, halt, label, tone }) => {
    expect(statusBadge({ status, haltRequested: halt })).toEqual({ label, tone });
  });
});

describe('hypothesisBadge', () => {
  it.each([
    { name: 'true means the steady state held', v: true, label: 'held' },
    { name: 'false means it deviated', v: false, label: 'deviated' },
    { name: 'null means the run never judged it', v: null, label: 'not judged' },
    { name: 'a missing part is not judged either', v: undefined, label: 'not judged' },
  ])('$name', ({ v, label }) => {
    expect(hypothesisBadge(v).label).toBe(label);
  });
});

describe('runs list helpers', () => {
  const run = (id: string, startedAt: number, status = 'held') => ({ id, startedAt, status });

  it.each([
    {
      name: 'a new run goes first when it is the newest',
      list: [run('a', 2), run('b', 1)],
      add: run('c', 3),
      limit: 10,
      ids: ['c', 'a', 'b'],
    },
    {
      name: 'a changed run replaces its old copy in place',
      list: [run('a', 2), run('b', 1)],
      add: run('b', 1, 'aborted'),
      limit: 10,
      ids: ['a', 'b'],
    },
    {
      name: 'the oldest run falls off past the limit',
      list: [run('a', 2), run('b', 1)],
      add: run('c', 3),
      limit: 2,
      ids: ['c', 'a'],
    },
  ])('$name', ({ list, add, limit, ids }) => {
    const merged = upsertRun(list, add, limit);
    expect(merged.map((r) => r.id)).toEqual(ids);
    expect(merged.find((r) => r.id === add.id)).toEqual(add);
  });

  it.each([
    { name: 'one running run shows the Halt all button', statuses: ['held', 'running'], want: true },
    { name: 'only finished runs hide it', statuses: ['held', 'aborted', 'lost'], want: false },
    { name: 'no runs hide it', statuses: [], want: false },
  ])('$name', ({ statuses, want }) => {
    expect(anyRunning(statuses.map((status) => ({ status })))).toBe(want);
  });

  it.each([
    { name: 'a finished run took until it finished', finishedAt: 5_000, now: 99_000, want: 4_000 },
    { name: 'a running run has taken until now', finishedAt: null, now: 9_000, want: 8_000 },
    { name: 'a clock behind the start never gives a negative time', finishedAt: null, now: 0, want: 0 },
  ])('$name', ({ finishedAt, now, want }) => {
    expect(runDurationMs({ startedAt: 1_000, finishedAt }, now)).toBe(want);
  });
});

describe('mergeJournal', () => {
  const a = phase(0, 'before');
  const b = probe(10, 'api', 12);
  const c = action(20, 'apply', 'pg');
  const d = probe(30, 'api', 900, false);

  it.each([
    {
      name: 'a batch at the end is appended',
      journal: [a],
      from: 1,
      batch: [b, c],
      want: [a, b, c],
      gap: false,
    },
    {
      name: 'the first batch fills an empty journal',
      journal: [],
      from: 0,
      batch: [a, b],
      want: [a, b],
      gap: false,
    },
    {
      name: 'a batch overlapping the end adds only the new entries',
      journal: [a, b],
      from: 1,
      batch: [b, c, d],
      want: [a, b, c, d],
      gap: false,
    },
    {
      name: 'a resent batch changes nothing',
      journal: [a, b],
      from: 0,
      batch: [a, b],
      want: [a, b],
      gap: false,
    },
    {
      name: 'a resent entry keeps the first copy, as the server does',
      journal: [a, b],
      from: 1,
      batch: [d],
      want: [a, b],
      gap: false,
    },
    {
      name: 'a batch past the end leaves the journal and reports the gap',
      journal: [a],
      from: 3,
      batch: [d],
      want: [a],
      gap: true,
    },
  ])('$name', ({ journal, from, batch, want, gap }) => {
    const merged = mergeJournal(journal, from, batch);
    expect(merged.journal).toEqual(want);
    expect(merged.gap).toBe(gap);
  });

  it('returns the same array when nothing is new, so the page does not redraw', () => {
    const journal = [a, b];
    expect(mergeJournal(journal, 0, [a]).journal).toBe(journal);
  });

  it.each([
    { name: 'a fetch that has everything wins', fetched: [a, b, c], cached: [a, b], want: [a, b, c] },
    {
      name: 'entries the stream brought after the fetch left are kept',
      fetched: [a],
      cached: [a, b, c],
      want: [a, b, c],
    },
  ])('$name', ({ fetched, cached, want }) => {
    expect(reconcileJournal(fetched, cached)).toEqual(want);
  });
});

describe('currentPhase', () => {
  it.each([
    { name: 'no phase yet is null', journal: [], want: null },
    {
      name: 'the last phase entered counts',
      journal: [phase(0, 'before'), probe(1, 'api', 1), phase(2, 'method')],
      want: 'method',
    },
    {
      name: 'probes after a phase do not change it',
      journal: [phase(0, 'recovery'), probe(1, 'api', 1)],
      want: 'recovery',
    },
  ])('$name', ({ journal, want }) => {
    expect(currentPhase(journal)).toBe(want);
  });
});

describe('journalRows', () => {
  it('gives each entry the phase in effect, its subject and verdict, and highlights trouble', () => {
    const rows = journalRows([
      { t: T, type: 'note', message: 'starting' },
      phase(1, 'method'),
      action(2, 'apply', 'pg'),
      probe(3, 'api', 840, false),
      { t: T + 4, type: 'deviation', phase: 'method', probe: 'api', detail: 'p99 above 500 ms' },
      { t: T + 5, type: 'abort', reason: 'halted' },
      action(6, 'revert', 'pg', false),
    ]);
    expect(rows.map((r) => [r.seq, r.phase, r.type, r.subject, r.ok, r.tone])).toEqual([
      [0, null, 'note', '', null, ''],
      [1, 'method', 'phase', '', null, ''],
      [2, 'method', 'apply', 'pg', true, ''],
      [3, 'method', 'probe', 'api', false, 'fail'],
      [4, 'method', 'deviation', 'api', null, 'deviation'],
      [5, 'method', 'abort', '', null, 'abort'],
      [6, 'method', 'revert', 'pg', false, 'fail'],
    ]);
    expect(rows[0]?.detail).toBe('starting');
    expect(rows[3]?.value).toBe(840);
    expect(rows[5]?.detail).toBe('halted');
  });

  it('shows what an unknown entry type carries instead of dropping it', () => {
    const odd = { t: T, type: 'heartbeat', beat: 3 } as unknown as JournalEntry;
    expect(journalRows([odd])[0]).toMatchObject({ type: 'heartbeat', detail: '{"beat":3}' });
  });
});

describe('formatOffset', () => {
  it.each([
    { name: 'the start is +0.0s', ms: 0, want: '+0.0s' },
    { name: 'seconds keep a tenth', ms: 12_345, want: '+12.3s' },
    { name: 'minutes show minutes and padded seconds', ms: 125_000, want: '+2m05s' },
    { name: 'an entry before the start is negative', ms: -1_500, want: '−1.5s' },
  ])('$name', ({ ms, want }) => {
    expect(formatOffset(ms)).toBe(want);
  });
});

describe('probeColumns', () => {
  it('makes one series per probe on the union of reading times, null where a probe was not read', () => {
    const cols = probeColumns([
      probe(0, 'api', 10),
      probe(5, 'burn', 0.5),
      action(7, 'apply', 'pg'),
      probe(10, 'api', 800, false),
      probe(15, 'burn', null),
      probe(20, 'api', 12),
    ]);
    expect(cols.times).toEqual([T, T + 5, T + 10, T + 20]);
    expect(cols.series).toEqual([
      { probe: 'api', values: [10, null, 800, 12] },
      { probe: 'burn', values: [null, 0.5, null, null] },
    ]);
  });

  it('draws nothing from a journal without numbers', () => {
    expect(probeColumns([phase(0, 'before'), probe(1, 'up', null)])).toEqual({ times: [], series: [] });
  });
});

describe('faultWindow', () => {
  it.each([
    { name: 'no fault applied means no window', journal: [probe(0, 'api', 1)], want: null },
    {
      name: 'a held fault gives an open window',
      journal: [action(10, 'load-start', 'load'), action(20, 'apply', 'pg')],
      want: { start: T + 20, end: null },
    },
    {
      name: 'a failed apply does not open the window',
      journal: [action(10, 'apply', 'pg', false), action(20, 'apply', 'dns')],
      want: { start: T + 20, end: null },
    },
    {
      name: 'the window stays open while one applied fault is still held',
      journal: [action(10, 'apply', 'pg'), action(20, 'apply', 'dns'), action(30, 'revert', 'dns')],
      want: { start: T + 10, end: null },
    },
    {
      name: 'the window ends at the last revert once every applied fault was reverted',
      journal: [
        action(10, 'apply', 'pg'),
        action(20, 'apply', 'dns'),
        action(30, 'revert', 'dns'),
        action(40, 'revert', 'pg', false),
      ],
      want: { start: T + 10, end: T + 40 },
    },
  ])('$name', ({ journal, want }) => {
    expect(faultWindow(journal)).toEqual(want);
  });

  it('prefers the report’s window once there is one', () => {
    const report = { faultWindow: { start: 1, end: 2 } };
    expect(faultWindow([action(10, 'apply', 'pg')], report)).toEqual({ start: 1, end: 2 });
  });
});

describe('runMarks', () => {
  it('marks applies, reverts, deviations and aborts, and nothing else', () => {
    expect(
      runMarks([
        action(0, 'load-start', 'load'),
        action(1, 'apply', 'pg'),
        probe(2, 'api', 3),
        { t: T + 3, type: 'deviation', phase: 'method', probe: 'api', detail: 'slow' },
        { t: T + 4, type: 'abort', reason: 'halted' },
        action(5, 'revert', 'pg'),
      ]),
    ).toEqual([
      { at: T + 1, label: 'apply pg', kind: 'apply' },
      { at: T + 3, label: 'deviation api', kind: 'deviation' },
      { at: T + 4, label: 'abort', kind: 'abort' },
      { at: T + 5, label: 'revert pg', kind: 'revert' },
    ]);
  });
});

describe('guardsOf', () => {
  it.each([
    { name: 'nothing stored is no decision', raw: null, want: null },
    { name: 'an object without reasons is no decision', raw: { pass: true }, want: null },
    {
      name: 'a decision reads as stored',
      raw: {
        service: 'pay',
        pass: false,
        overridden: true,
        reasons: [{ ok: false, kind: 'freeze', message: 'peak season' }],
      },
      want: {
        service: 'pay',
        pass: false,
        overridden: true,
        reasons: [{ ok: false, kind: 'freeze', message: 'peak season' }],
      },
    },
  ])('$name', ({ raw, want }) => {
    expect(guardsOf(raw)).toEqual(want);
  });
});

describe('reportOf', () => {
  it('reads a whole report as the runner writes it', () => {
    const report = reportOf({
      experiment: 'pg-latency',
      service: 'pay',
      outcome: 'held',
      headline: 'pg-latency: the steady state held',
      startedAt: T,
      endedAt: T + 60_000,
      hypothesis: { before: true, during: true, after: true },
      faultWindow: { start: T + 5_000, end: T + 35_000 },
      recoveryMs: 4_200,
      probes: [{ probe: 'api', during: { min: 10, max: 90, last: 12, failures: 0, samples: 30 } }],
      budget: [{ slo: 'pay-availability', before: 0.9, after: 0.88, consumed: 0.02 }],
      reverts: { ok: 1, failed: 0 },
      errors: [],
    });
    expect(report).toMatchObject({
      outcome: 'held',
      recoveryMs: 4_200,
      faultWindow: { start: T + 5_000, end: T + 35_000 },
      reverts: { ok: 1, failed: 0 },
      abortReason: null,
    });
    expect(report?.probes).toHaveLength(1);
    expect(report?.budget[0]?.consumed).toBe(0.02);
  });

  it('reads a bare report (outcome and headline only) with every other part empty or not judged', () => {
    expect(reportOf({ outcome: 'aborted', headline: 'halted' })).toEqual({
      outcome: 'aborted',
      headline: 'halted',
      hypothesis: { before: null, during: null, after: null },
      faultWindow: null,
      recoveryMs: null,
      abortReason: null,
      probes: [],
      budget: [],
      reverts: null,
      errors: [],
    });
  });

  it('gives no report for a run without one', () => {
    expect(reportOf(null)).toBeNull();
  });
});

describe('haltSummary', () => {
  it.each([
    {
      name: 'nothing running says so',
      answer: { runs: [], leasesReleased: 0, errors: [] },
      want: 'Nothing was running.',
    },
    {
      name: 'one run with one lease reads in the singular',
      answer: { runs: ['a'], leasesReleased: 1, errors: [] },
      want: 'Halt requested for 1 run; 1 lease released.',
    },
    {
      name: 'failed releases are counted',
      answer: { runs: ['a', 'b'], leasesReleased: 0, errors: ['x: refused', 'y: refused'] },
      want: 'Halt requested for 2 runs; 0 leases released, 2 releases failed.',
    },
  ])('$name', ({ answer, want }) => {
    expect(haltSummary(answer)).toBe(want);
  });
});

describe('formatBudgetShare', () => {
  it.each([
    { name: 'no data is a dash', v: null, want: '—' },
    { name: 'nothing spent is 0%', v: 0, want: '0%' },
    { name: 'a small spend keeps two significant digits', v: 0.00012, want: '0.012%' },
    { name: 'a large spend keeps one decimal', v: 0.256, want: '25.6%' },
  ])('$name', ({ v, want }) => {
    expect(formatBudgetShare(v)).toBe(want);
  });
});
