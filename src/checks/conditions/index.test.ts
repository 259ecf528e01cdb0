import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../slo/random.ts';
import type { ConditionContext } from '../types.ts';
import { evaluateCondition, parseCondition } from './index.ts';

const LEFTS = [
  '[STATUS]',
  '[RESPONSE_TIME]',
  '[BODY]',
  '[BODY].a',
  '[BODY].a[0]',
  '[BODY]["b-c"]',
  '[HEADER].content-type',
  '[CONNECTED]',
  '[IP]',
  '[CERTIFICATE_EXPIRATION]',
  '[DNS_RCODE]',
  'len([BODY].a)',
  'len([BODY])',
  'has([BODY].a)',
  '200',
  'ok',
];
const OPERATORS = ['==', '!=', '<', '<=', '>', '>='];
const RIGHTS = [
  '200',
  '1.5',
  '-3',
  '300ms',
  '7d',
  'true',
  'false',
  'null',
  'NOERROR',
  '"a b"',
  'pat(*o?*)',
  'any(200, 204, ok)',
  '[STATUS]',
  '[BODY].a',
  'len([BODY].a)',
];
const BODIES = [undefined, '', 'ok', '{"a":[1,2],"b-c":"x"}', '{"a":"oops"}', '[1]', '{"a":{"k":null}}'];

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const maybe = <T>(random: Random, value: T): T | undefined => (random() < 0.7 ? value : undefined);

function randomContext(random: Random): ConditionContext {
  return {
    status: maybe(random, pick(random, [200, 204, 404, 503])),
    responseTimeMs: random() * 2000,
    body: pick(random, BODIES),
    headers: maybe(random, { 'content-type': pick(random, ['application/json', 'text/plain', '']) }),
    connected: maybe(random, random() < 0.5),
    ip: maybe(random, '127.0.0.1'),
    certificateExpirationMs: maybe(random, (random() - 0.2) * 90 * 86_400_000),
    dnsRcode: maybe(random, pick(random, ['NOERROR', 'NXDOMAIN'])),
  };
}

/** Random spacing, including none, so the tokenizer sees both forms. */
const gap = (random: Random): string => pick(random, ['', ' ', '  ', '\t']);

describe('conditions, for any combination of operands and operators', () => {
  it('evaluate the same way every time, and show the operator', () => {
    const random = seededRandom(20_240_601);
    let evaluated = 0;
    for (let i = 0; i < 2000; i++) {
      const operator = pick(random, OPERATORS);
      const source = `${gap(random)}${pick(random, LEFTS)}${gap(random)}${operator}${gap(random)}${pick(random, RIGHTS)}${gap(random)}`;
      const result = parseCondition(source);
      if ('error' in result) {
        expect(result.error.message).toContain(`at column ${result.error.column}`);
        continue;
      }
      evaluated++;
      const ctx = randomContext(random);
      const first = evaluateCondition(result.condition, ctx);
      const again = evaluateCondition(result.condition, ctx);
      const onCopy = evaluateCondition(result.condition, structuredClone(ctx));
      const reparsed = parseCondition(source);
      expect(again).toEqual(first);
      expect(onCopy).toEqual(first);
      expect('condition' in reparsed && evaluateCondition(reparsed.condition, ctx)).toEqual(first);
      expect(first.condition).toBe(source);
      expect(first.shown).toContain(` ${operator} `);
    }
    // The generator must mostly produce valid conditions, or the loop above proves little.
    expect(evaluated).toBeGreaterThan(600);
  });

  it('the bare has(X) form shows the implied == true', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 50; i++) {
      const result = parseCondition('has([BODY].a)');
      if ('error' in result) throw new Error(result.error.message);
      const outcome = evaluateCondition(result.condition, randomContext(random));
      expect(outcome.shown).toMatch(/^has\(\[BODY\]\.a\) \((true|false)\) == true$/);
      expect(outcome.ok).toBe(outcome.shown.includes('(true)'));
    }
  });
});

describe('parseCondition, on arbitrary text', () => {
  const PIECES = [
    '[',
    ']',
    '(',
    ')',
    '"',
    ',',
    '.',
    '=',
    '!',
    '<',
    '>',
    '*',
    '?',
    ' ',
    '\\',
    '0',
    '7',
    'a',
    'ms',
  ];
  const WORDS = [
    '[STATUS]',
    '[BODY]',
    '[HEADER]',
    'len(',
    'has(',
    'pat(',
    'any(',
    'foo(',
    '==',
    '<=',
    'true',
    '5s',
  ];

  it('never throws, and every error names a column inside the text or just after it', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 12);
      let source = '';
      for (let j = 0; j < length; j++) source += random() < 0.3 ? pick(random, WORDS) : pick(random, PIECES);
      const result = parseCondition(source);
      if ('error' in result) {
        expect(result.error.column).toBeGreaterThanOrEqual(1);
        expect(result.error.column).toBeLessThanOrEqual(source.length + 1);
        expect(result.error.message).toContain(`at column ${result.error.column}`);
      } else {
        const outcome = evaluateCondition(result.condition, randomContext(random));
        expect(outcome.shown).toContain(` ${result.condition.operator} `);
      }
    }
  });
});
