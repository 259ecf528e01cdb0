import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  HttpFaultProxyConfigSchema,
  HttpFaultProxyInfoSchema,
  HttpFaultProxyStatsSchema,
  HttpFaultRuleInputSchema,
  HttpFaultRuleSchema,
} from './schema.ts';

describe('schemas', () => {
  it.each([
    ['the rule input', HttpFaultRuleInputSchema],
    ['the stored rule', HttpFaultRuleSchema],
    ['the proxy config', HttpFaultProxyConfigSchema],
    ['the proxy stats', HttpFaultProxyStatsSchema],
    ['the proxy info', HttpFaultProxyInfoSchema],
  ])(
    '%s converts to an OpenAPI 3.0 JSON Schema both ways, so routes can use it as it is',
    (_name, schema) => {
      for (const io of ['input', 'output'] as const) {
        const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io }) as { type?: string };
        expect(json.type).toBe('object');
      }
    },
  );

  it('the JSON Schema of a rule rejects unknown keys, as the zod schema does', () => {
    const json = z.toJSONSchema(HttpFaultRuleInputSchema, { target: 'openapi-3.0', io: 'input' }) as {
      additionalProperties?: boolean;
      properties?: Record<string, unknown>;
    };
    expect(json.additionalProperties).toBe(false);
    expect(Object.keys(json.properties ?? {}).sort()).toEqual([
      'abort',
      'delay',
      'id',
      'match',
      'percentage',
      'reset',
      'responseDelay',
    ]);
  });

  it('a stored rule requires its id, match and percentage', () => {
    expect(HttpFaultRuleSchema.safeParse({ abort: { status: 503 } }).success).toBe(false);
    expect(
      HttpFaultRuleSchema.safeParse({ id: 'r', match: {}, percentage: 5, abort: { status: 503 } }).success,
    ).toBe(true);
  });
});
