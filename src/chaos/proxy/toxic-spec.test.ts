import { describe, expect, it } from 'vitest';
import { parseNewToxic, parseToxicUpdate } from './toxic-spec.ts';
import type { Toxic } from './types.ts';

describe('parseNewToxic', () => {
  const accepted: Array<[string, unknown, Partial<Toxic>]> = [
    [
      'a latency toxic gets Toxiproxy defaults for name, stream, toxicity and jitter',
      { type: 'latency', attributes: { latency: 200 } },
      {
        name: 'latency_downstream',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 200, jitter: 0 },
      } as Partial<Toxic>,
    ],
    [
      'an upstream toxic is named after its stream',
      { type: 'timeout', stream: 'upstream' },
      { name: 'timeout_upstream', attributes: { timeout: 0 } } as Partial<Toxic>,
    ],
    [
      'a given name and toxicity are kept',
      { name: 'slow', type: 'bandwidth', toxicity: 0.25, attributes: { rate: 10 } },
      { name: 'slow', toxicity: 0.25, attributes: { rate: 10 } } as Partial<Toxic>,
    ],
    [
      'a slicer with all attributes is accepted',
      { type: 'slicer', attributes: { average_size: 10, size_variation: 5, delay: 1000 } },
      { attributes: { average_size: 10, size_variation: 5, delay: 1000 } } as Partial<Toxic>,
    ],
    [
      'a loss toxic defaults its probability to 1',
      { type: 'loss', attributes: { mode: 'stall' } },
      { attributes: { mode: 'stall', probability: 1 } } as Partial<Toxic>,
    ],
    [
      'fields outside Toxiproxy\u2019s are ignored',
      { type: 'limit_data', attributes: { bytes: 5 }, lease: 'abc', extra: true },
      { type: 'limit_data', attributes: { bytes: 5 } } as Partial<Toxic>,
    ],
  ];
  it.each(accepted)('%s', (_name, body, expected) => {
    const r = parseNewToxic(body);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject(expected);
  });

  const refused: Array<[string, unknown, number, RegExp]> = [
    ['an unknown type is a bad toxic type', { type: 'latncy' }, 400, /invalid toxic type: "latncy"/],
    ['a missing type is a bad toxic type', { attributes: {} }, 400, /invalid toxic type/],
    [
      'a stream other than up or down is refused',
      { type: 'latency', stream: 'both' },
      400,
      /stream was invalid/,
    ],
    [
      'negative latency is refused',
      { type: 'latency', attributes: { latency: -5 } },
      400,
      /from 0 to 3600000/,
    ],
    [
      'latency past an hour is refused',
      { type: 'latency', attributes: { latency: 3_600_001 } },
      400,
      /3600000/,
    ],
    [
      'a non-numeric latency is refused',
      { type: 'latency', attributes: { latency: '200' } },
      400,
      /whole number/,
    ],
    [
      'a fractional byte count is refused',
      { type: 'limit_data', attributes: { bytes: 1.5 } },
      400,
      /whole number/,
    ],
    ['toxicity 2 is refused', { type: 'latency', toxicity: 2 }, 400, /toxicity must be a number from 0 to 1/],
    ['a negative toxicity is refused', { type: 'latency', toxicity: -0.1 }, 400, /toxicity/],
    [
      'a misspelt attribute is refused',
      { type: 'latency', attributes: { latecy: 5 } },
      400,
      /no attribute "latecy"/,
    ],
    [
      'bandwidth without a rate is refused',
      { type: 'bandwidth' },
      400,
      /missing required field: attributes.rate/,
    ],
    ['bandwidth rate 0 is refused', { type: 'bandwidth', attributes: { rate: 0 } }, 400, /from 1/],
    [
      'a slicer variation as large as its size is refused',
      { type: 'slicer', attributes: { average_size: 4, size_variation: 4 } },
      400,
      /less than average_size/,
    ],
    [
      'a loss mode other than drop or stall is refused',
      { type: 'loss', attributes: { mode: 'x' } },
      400,
      /"drop"/,
    ],
    ['attributes that are not an object are refused', { type: 'latency', attributes: [1] }, 400, /object/],
    ['a body that is not an object is refused', [1, 2], 400, /expected a JSON object/],
  ];
  it.each(refused)('%s', (_name, body, status, message) => {
    const r = parseNewToxic(body);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.status).toBe(status);
      expect(r.error.message).toMatch(message);
    }
  });
});

describe('parseToxicUpdate', () => {
  const current: Toxic = {
    name: 'lat',
    type: 'latency',
    stream: 'downstream',
    toxicity: 0.5,
    attributes: { latency: 100, jitter: 10 },
    lease: 'L1',
  };

  it('merges the given attributes over the current ones and keeps the toxicity', () => {
    const r = parseToxicUpdate(current, { attributes: { jitter: 0 } });
    expect(r).toEqual({ ok: true, value: { ...current, attributes: { latency: 100, jitter: 0 } } });
  });

  it('changes toxicity when given and ignores name, type and stream', () => {
    const r = parseToxicUpdate(current, { toxicity: 1, name: 'other', type: 'timeout', stream: 'upstream' });
    expect(r).toEqual({ ok: true, value: { ...current, toxicity: 1 } });
  });

  it('refuses an update that makes an attribute absurd', () => {
    const r = parseToxicUpdate(current, { attributes: { latency: -1 } });
    expect(r.ok).toBe(false);
  });
});
