import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkLimits, checkTargets, DEFAULT_LIMITS, isLoopbackAddress } from './safety.ts';
import type { ExecutorSpec, LoadPlan } from './types.ts';

function plan(urls: string[], extra: Partial<LoadPlan> = {}): LoadPlan {
  return {
    name: 't',
    executor: { executor: 'constant-arrival-rate', rate: 10, timeUnitMs: 1000, durationMs: 1000 },
    requests: urls.map((url, i) => ({
      name: `r${i}`,
      method: 'GET',
      url,
      headers: {},
      weight: 1,
      checks: [],
      tags: {},
    })),
    variables: [],
    thresholds: [],
    http: { maxConnections: 1, pipelining: 1, timeoutMs: 1000, insecureSkipVerify: false, keepAlive: true },
    limits: DEFAULT_LIMITS,
    allowHosts: [],
    tags: {},
    ...extra,
  };
}

const noDns = async (host: string): Promise<string[]> => {
  throw Object.assign(new Error(`unexpected lookup of ${host}`), { code: 'ENOTFOUND' });
};

describe('checkTargets', () => {
  it.each([
    ['an IPv4 loopback literal is allowed', 'http://127.0.0.1:8080/'],
    ['any address in 127.0.0.0/8 is allowed', 'http://127.1.2.3/'],
    ['the IPv6 loopback literal is allowed', 'http://[::1]:8080/x'],
    ['localhost is allowed without a lookup', 'https://LOCALHOST/path?q=${v}'],
  ])('%s', async (_name, url) => {
    expect(await checkTargets(plan([url]), noDns)).toEqual([]);
  });

  it('a non-loopback literal is refused with a hint on how to allow it', async () => {
    const errors = await checkTargets(plan(['http://10.1.2.3:80/']), noDns);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('10.1.2.3 is not loopback');
    expect(errors[0]).toContain('--allow-host 10.1.2.3');
  });

  it('a non-loopback host listed in allowHosts is allowed without a lookup', async () => {
    const p = plan(['http://staging.example.internal/x', 'http://10.1.2.3/'], {
      allowHosts: ['Staging.Example.Internal', '10.1.2.3'],
    });
    expect(await checkTargets(p, noDns)).toEqual([]);
  });

  it('a name that does not resolve is refused with the DNS code', async () => {
    const errors = await checkTargets(plan(['http://nowhere.test/']), noDns);
    expect(errors).toEqual([expect.stringContaining('nowhere.test cannot be resolved (ENOTFOUND)')]);
  });

  it('a name is allowed exactly when the system resolver maps every address to loopback', async () => {
    const name = hostname();
    const addresses = (await lookup(name, { all: true })).map((a) => a.address);
    const errors = await checkTargets(plan([`http://${name}:8080/`]));
    expect(errors.length === 0).toBe(addresses.every(isLoopbackAddress));
  });

  it('a name resolving to any non-loopback address is refused', async () => {
    const errors = await checkTargets(plan(['http://mixed.test/']), async () => ['127.0.0.1', '192.0.2.7']);
    expect(errors).toEqual([expect.stringContaining('resolves to 192.0.2.7, not loopback')]);
  });

  it('a host taken from a variable is refused', async () => {
    const errors = await checkTargets(plan(['http://${host}/x']), noDns);
    expect(errors).toEqual([expect.stringContaining('cannot read a host')]);
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.1', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['::2', false],
    ['localhost', false],
  ])('%s is loopback: %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});

describe('checkLimits', () => {
  const over = (executor: ExecutorSpec) => checkLimits(plan(['http://127.0.0.1/'], { executor }));
  it.each<[string, ExecutorSpec, string[]]>([
    [
      'a rate under the cap passes',
      { executor: 'constant-arrival-rate', rate: 5000, timeUnitMs: 1000, durationMs: 1000 },
      [],
    ],
    [
      'a rate per minute is converted before comparing',
      { executor: 'constant-arrival-rate', rate: 600_000, timeUnitMs: 60_000, durationMs: 1000 },
      ['10000 req/s'],
    ],
    [
      'a ramp peaking above the cap is refused',
      {
        executor: 'ramping-arrival-rate',
        startRate: 1,
        timeUnitMs: 1000,
        stages: [
          { durationMs: 1000, target: 6000 },
          { durationMs: 1000, target: 0 },
        ],
      },
      ['6000 req/s'],
    ],
    [
      'stages adding up past ten minutes are refused',
      {
        executor: 'ramping-vus',
        startVUs: 1,
        stages: [
          { durationMs: 400_000, target: 5 },
          { durationMs: 400_000, target: 5 },
        ],
      },
      ['duration 800s'],
    ],
    ['too many VUs are refused', { executor: 'constant-vus', vus: 1001, durationMs: 1000 }, ['1001 VUs']],
    [
      'an iterations run is capped by its maxDuration',
      { executor: 'iterations', vus: 1, iterations: 10, maxDurationMs: 3_600_000 },
      ['duration 3600s'],
    ],
  ])('%s', (_name, executor, fragments) => {
    const errors = over(executor);
    expect(errors).toHaveLength(fragments.length);
    for (const [i, f] of fragments.entries()) expect(errors[i]).toContain(f);
  });

  it('raised limits let a larger run through', () => {
    const p = plan(['http://127.0.0.1/'], {
      executor: { executor: 'constant-arrival-rate', rate: 9000, timeUnitMs: 1000, durationMs: 1_200_000 },
      limits: { maxRatePerSecond: 10_000, maxDurationMs: 1_200_000, maxVUs: 1000 },
    });
    expect(checkLimits(p)).toEqual([]);
  });
});
