import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSloRules } from './slo-rules.ts';
// examples/ holds capability kinds; the CLI registers them at start (src/cli/main.ts), so does this test.
import '../../capabilities.ts';

const run = promisify(execFile);

const PROMETHEUS_SLO = `apiVersion: openslo/v1
kind: Service
metadata:
  name: rides-dispatch
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: rides-dispatch-availability
spec:
  service: rides-dispatch
  indicator:
    metadata:
      name: rides-dispatch-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(dispatch_requests_total{code=~"5.."}[{{.window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(dispatch_requests_total[{{.window}}]))
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.995
`;

/** Runs `ballast slo rules ARGS` in-process and collects what it writes. */
async function sloRules(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = new Command('ballast').exitOverride();
    registerSloRules(program.command('slo'));
    await program.parseAsync(['slo', 'rules', ...args], { from: 'user' });
    return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
    process.exitCode = saved;
  }
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-slo-rules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ballast slo rules', () => {
  it('writes rules that pass promtool check rules to the output file', async () => {
    const specs = join(dir, 'ok');
    await run('mkdir', ['-p', specs]);
    await writeFile(join(specs, 'slo.yaml'), PROMETHEUS_SLO);
    const output = join(dir, 'rules.yaml');
    const result = await sloRules([specs, '-o', output, '--severity-label', 'priority']);
    expect(result.stderr).toContain('wrote rules for 1 SLO');
    expect(result.code).toBe(0);
    const yaml = await readFile(output, 'utf8');
    expect(yaml).toContain('priority: page');
    expect(yaml).toContain('slo:sli_error:ratio_rate5m');
    const { stdout } = await run('promtool', ['check', 'rules', output]);
    expect(stdout).toContain('SUCCESS');
  });

  it('prints the rules to stdout without -o', async () => {
    const result = await sloRules([join(dir, 'ok')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('RidesDispatchAvailabilityPageBurnRate');
  });

  it('exits 1 with file:line diagnostics on spec errors and writes no rules', async () => {
    const specs = join(dir, 'broken');
    await run('mkdir', ['-p', specs]);
    await writeFile(join(specs, 'slo.yaml'), PROMETHEUS_SLO.replace('target: 0.995', 'target: 1.5'));
    const result = await sloRules([specs]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/slo\.yaml:\d+:\d+: error/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 when DIR is not a directory', async () => {
    const result = await sloRules([join(dir, 'missing')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a directory');
  });

  it('exits 2 on a severity label that is not a Prometheus label name', async () => {
    const result = await sloRules([join(dir, 'ok'), '--severity-label', 'bad-label']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a Prometheus label name');
  });

  it('reports the SLOs it skipped because they are not Prometheus-backed', async () => {
    const result = await sloRules([join(import.meta.dirname, '..', '..', '..', 'examples')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/skipped SLO [\w-]+: its SLI comes from events/);
  });
});
