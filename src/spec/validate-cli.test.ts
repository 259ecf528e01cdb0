import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Runs the real CLI with the Node running vitest (24), as a user would. */
function ballast(...args: string[]) {
  const run = spawnSync(process.execPath, ['bin/ballast.js', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'ballast-validate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('ballast validate', () => {
  it('the examples validate clean: exit 0 and a summary line', () => {
    const run = ballast('validate', 'examples');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^0 errors, 0 warnings in \d+ files$/),
    ]);
  });

  it('the bad fixtures print every diagnostic and exit 1', () => {
    const run = ballast('validate', 'test/fixtures/specs-bad');
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('12 errors, 2 warnings in 3 files');
    expect(lines).toContain(
      'test/fixtures/specs-bad/slo-errors.yaml:18:15: error: spec.objectives[0].target: target must be in (0, 1), got 1.5',
    );
  });

  it('warnings alone exit 0', () => {
    const specDir = mkdtempSync(join(scratch, 'warn-'));
    writeFileSync(
      join(specDir, 'slo.yml'),
      'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: s\n---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: s-monthly\nspec:\n  service: s\n  indicator:\n    spec:\n      ratioMetric:\n        good: {}\n        total: {}\n  timeWindow:\n    - duration: 1m\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.5\n',
    );
    const run = ballast('validate', specDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('slo.yml:18:17: warning: duration "1m" means 1 minute(s)');
    expect(run.stdout.trim().split('\n').at(-1)).toBe('0 errors, 2 warnings in 1 file');
  });

  it('--json prints diagnostics and counts', () => {
    const run = ballast('validate', 'test/fixtures/specs-bad', '--json');
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as {
      diagnostics: { file: string; line: number }[];
      errors: number;
      warnings: number;
    };
    expect(out.errors).toBe(12);
    expect(out.warnings).toBe(2);
    expect(out.diagnostics).toHaveLength(14);
    expect(out.diagnostics[0]).toMatchObject({
      file: 'test/fixtures/specs-bad/malformed.yaml',
      line: 5,
      column: 3,
      severity: 'error',
    });
  });

  it.each([
    ['a missing directory is a usage error', ['validate', join(scratch, 'nope')]],
    ['a file instead of a directory is a usage error', ['validate', 'package.json']],
    ['no directory at all is a usage error', ['validate']],
  ])('%s', (_name, args) => {
    const run = ballast(...args);
    expect(run.code).toBe(2);
    expect(run.stderr.length).toBeGreaterThan(0);
  });
});
