/**
 * Checks the fault bodies of a method with the fault modules' own validators
 * (toxics, HTTP fault rules, host faults), so `ballast validate` and
 * `ballast chaos run` point at the bad field with its line, before any daemon
 * is asked. Whether the named proxy exists is the daemon's answer (preflight).
 */
import { validateFaultSpec } from '../host/index.ts';
import { validateHttpFaultRule } from '../http/index.ts';
import { parseNewToxic } from '../proxy/index.ts';
import type { Step } from './model.ts';

export interface BodyProblem {
  /** Path inside the step, e.g. `['toxic', 'attributes', 'latency']`. */
  path: (string | number)[];
  message: string;
}

const split = (p: string): (string | number)[] =>
  p === '' || p.startsWith('(')
    ? []
    : p
        .replace(/\[(\d+)\]/g, '.$1')
        .split('.')
        .filter(Boolean)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** Every problem of one fault step's body; empty when the fault modules accept it. */
export function faultBodyProblems(step: Extract<Step, { kind: 'fault' }>): BodyProblem[] {
  const b = step.body;
  if (step.fault === 'toxic') {
    const out: BodyProblem[] = [];
    if (typeof b.proxy !== 'string' || b.proxy === '')
      out.push({
        path: ['toxic', 'proxy'],
        message: 'a toxic needs proxy: the name of a proxy on the daemon',
      });
    const { proxy: _p, ...toxic } = b;
    const r = parseNewToxic({ name: step.name, ...toxic });
    if (!r.ok) out.push({ path: ['toxic'], message: r.error.message });
    return out;
  }
  if (step.fault === 'http') {
    const out: BodyProblem[] = [];
    if (typeof b.proxy !== 'string' || b.proxy === '')
      out.push({
        path: ['http', 'proxy'],
        message: 'an http fault needs proxy: the name of an HTTP fault proxy on the daemon',
      });
    const extra = Object.keys(b).filter((k) => k !== 'proxy' && k !== 'rule');
    for (const k of extra)
      out.push({ path: ['http', k], message: `unknown field "${k}" (an http fault has proxy and rule)` });
    const r = validateHttpFaultRule(b.rule);
    if (!r.ok)
      for (const i of r.issues) out.push({ path: ['http', 'rule', ...split(i.path)], message: i.message });
    return out;
  }
  const r = validateFaultSpec(b);
  return r.ok ? [] : r.issues.map((i) => ({ path: ['host', ...split(i.path)], message: i.message }));
}
