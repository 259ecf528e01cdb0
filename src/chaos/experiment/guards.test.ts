import { describe, expect, it } from 'vitest';
import { decideGuards } from './guards.ts';

describe('decideGuards', () => {
  const budgetOk = { ok: true, kind: 'budget' as const, message: 'SLO a has 80% left' };
  const budgetLow = { ok: false, kind: 'budget' as const, message: 'SLO a has 2% left' };
  const freeze = { ok: false, kind: 'freeze' as const, message: 'freeze is active' };
  const check = { ok: false, kind: 'check' as const, message: 'check x failing' };
  const incident = { id: 7, title: 'checkout slow', severity: 'SEV2', state: 'triggered' };
  const cases = [
    {
      name: 'budget left, no freeze and no incident lets it start',
      gate: [budgetOk],
      incidents: [],
      override: false,
      pass: true,
      overridden: false,
    },
    {
      name: 'a budget below the policy refuses',
      gate: [budgetLow],
      incidents: [],
      override: false,
      pass: false,
      overridden: false,
    },
    {
      name: 'an active freeze refuses',
      gate: [budgetOk, freeze],
      incidents: [],
      override: false,
      pass: false,
      overridden: false,
    },
    {
      name: 'an open incident refuses',
      gate: [budgetOk],
      incidents: [incident],
      override: false,
      pass: false,
      overridden: false,
    },
    {
      name: 'a failing check is not a guard (steady state judges checks)',
      gate: [budgetOk, check],
      incidents: [],
      override: false,
      pass: true,
      overridden: false,
    },
    {
      name: 'the explicit override lets a refused run start and says so',
      gate: [budgetLow],
      incidents: [incident],
      override: true,
      pass: true,
      overridden: true,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const d = decideGuards({
        service: 'checkout',
        gateReasons: c.gate,
        openIncidents: c.incidents,
        override: c.override,
      });
      expect(d.pass).toBe(c.pass);
      expect(d.overridden).toBe(c.overridden);
      expect(d.reasons.map((r) => r.message)).not.toContain('check x failing');
    });

  it('names the open incident in its reason', () => {
    const d = decideGuards({
      service: 'checkout',
      gateReasons: [],
      openIncidents: [incident],
      override: false,
    });
    expect(d.reasons[0]?.message).toBe('incident #7 (SEV2, triggered) "checkout slow" is open for checkout');
  });
});
