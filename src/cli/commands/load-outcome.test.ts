import { describe, expect, it } from 'vitest';
import type { LoadSummary } from '../../load/types.ts';
import { ExitCode } from '../exit-codes.ts';
import { capacitySettings, parseErrorRate } from './load-capacity.ts';
import { formatLiveLine } from './load-live.ts';
import { exitCodeFor, worstExitCode } from './load-outcome.ts';

const lat = { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.5 };

function summary(o: Partial<LoadSummary>): LoadSummary {
  return {
    name: 't',
    startedAt: new Date(0).toISOString(),
    durationMs: 1000,
    executor: 'constant-arrival-rate',
    requests: { total: 10, ok: 10, failed: 0 },
    errors: {},
    rate: { target: 10, achieved: 10 },
    latency_ms: lat,
    service_time_ms: lat,
    dropped: 0,
    valid: true,
    invalid_reasons: [],
    thresholds: [],
    aborted: false,
    perRequest: {},
    series: [],
    spectrum: [],
    ...o,
  };
}

const failed = [{ expr: 'p(99) < 1ms', ok: false }];
const passed = [{ expr: 'p(99) < 1s', ok: true }];

describe('exitCodeFor', () => {
  it.each([
    ['a valid run whose thresholds pass exits 0', summary({ thresholds: passed }), false, ExitCode.Ok],
    ['a failed threshold exits 1', summary({ thresholds: failed }), false, ExitCode.Failed],
    [
      'a threshold that aborted the run (abortOnFail) is a failed threshold: 1',
      summary({
        thresholds: [{ ...failed[0], abortedRun: true } as LoadSummary['thresholds'][0]],
        aborted: true,
      }),
      false,
      ExitCode.Failed,
    ],
    [
      'a run that is not valid exits 3',
      summary({ valid: false, invalid_reasons: ['lag'] }),
      false,
      ExitCode.Invalid,
    ],
    [
      'not valid wins over a failed threshold: its numbers cannot be judged',
      summary({ valid: false, thresholds: failed }),
      false,
      ExitCode.Invalid,
    ],
    [
      'a run interrupted with Ctrl-C exits 3',
      summary({ aborted: true, thresholds: passed }),
      true,
      ExitCode.Invalid,
    ],
    [
      'an interrupted run whose threshold already failed exits 1',
      summary({ thresholds: failed }),
      true,
      ExitCode.Failed,
    ],
  ])('%s', (_name, s, interrupted, code) => {
    expect(exitCodeFor(s, interrupted)).toBe(code);
  });
});

describe('worstExitCode', () => {
  it.each([
    ['no runs is a pass', [], ExitCode.Ok],
    ['a failure outranks a pass', [ExitCode.Ok, ExitCode.Failed], ExitCode.Failed],
    ['not valid outranks a failure', [ExitCode.Failed, ExitCode.Invalid, ExitCode.Ok], ExitCode.Invalid],
    ['bad input outranks everything', [ExitCode.Invalid, ExitCode.BadInput], ExitCode.BadInput],
  ])('%s', (_name, codes, expected) => {
    expect(worstExitCode(codes as ExitCode[])).toBe(expected);
  });
});

describe('parseErrorRate', () => {
  it.each([
    ['a percentage', '0.1%', 0.001],
    ['a ratio', '0.05', 0.05],
    ['zero', '0%', 0],
  ])('reads %s', (_name, text, value) => {
    expect(parseErrorRate(text)).toBeCloseTo(value as number, 12);
  });
  it.each([['100%'], ['-1%'], ['abc'], ['1.5']])('rejects %s', (text) => {
    expect(parseErrorRate(text)).toBeUndefined();
  });
});

describe('capacitySettings', () => {
  it.each([
    ['no SLO and no bound', {}, /--slo NAME/],
    ['a malformed latency', { latency: 'fast' }, /--latency/],
    ['an unknown mode', { latency: '300ms', mode: 'binary' }, /--mode/],
    ['a ceiling below the start rate', { latency: '300ms', startRate: '50', ceiling: '10' }, /--ceiling/],
    ['a step factor of one', { latency: '300ms', stepFactor: '1' }, /--step-factor/],
  ])('names the flag on %s', (_name, flags, message) => {
    const errors: string[] = [];
    expect(capacitySettings(flags, errors)).toBeUndefined();
    expect(errors.join('\n')).toMatch(message);
  });

  it('reads bounds, rates and the mode', () => {
    const errors: string[] = [];
    const s = capacitySettings(
      {
        latency: '300ms',
        errorRate: '0.5%',
        startRate: '20',
        ceiling: '800',
        stepDuration: '5s',
        mode: 'step',
      },
      errors,
    );
    expect(errors).toEqual([]);
    expect(s).toEqual({
      latencyMs: 300,
      errorRate: 0.005,
      startRate: 20,
      ceiling: 800,
      stepDurationMs: 5000,
      mode: 'step',
    });
  });
});

describe('formatLiveLine', () => {
  it('says the run is draining once the planned time is over, instead of a zero rate', () => {
    const live = {
      elapsedMs: 4_000,
      targetRate: 0,
      achievedRate: 0,
      p50: 0,
      p99: 0,
      errors: 2,
      inFlight: 3,
      dropped: 0,
    };
    const line = formatLiveLine(live, 3_000);
    expect(line).toContain('draining');
    expect(line).toContain('in-flight 3');
    expect(line).not.toContain('req/s');
  });

  it('shows elapsed over planned, target vs achieved, p50/p99, errors, in-flight and dropped', () => {
    const line = formatLiveLine(
      {
        elapsedMs: 12_000,
        targetRate: 500,
        achievedRate: 498,
        p50: 1.2,
        p99: 40,
        errors: 3,
        inFlight: 7,
        dropped: 1,
      },
      30_000,
    );
    for (const part of [
      '12s/30s',
      '498/500 req/s',
      'p50 1.2 ms',
      'p99 40.0 ms',
      'errors 3',
      'in-flight 7',
      'dropped 1',
    ])
      expect(line).toContain(part);
  });
});
