/**
 * What `ballast chaos run FILE` and `ballast chaos halt` do; chaos.ts declares
 * the commands and loads this module only when one of them runs.
 */
import { writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDaemonFaults,
  createProbePort,
  type ExperimentDefinition,
  type ExperimentReport,
  FaultDaemonClient,
  formatPlan,
  type JournalEntry,
  loadExperimentFile,
  outcomeExitCode,
  planMethod,
  preflight,
  runExperiment,
} from '../../chaos/index.ts';
import { runLoad } from '../../load/index.ts';
import type { LoadPlan } from '../../load/types.ts';
import { ApiRequestError, BallastClient } from '../../server/client.ts';
import { ChaosHaltAnswerSchema, GuardDecisionSchema } from '../../server/schemas-chaos.ts';
import { formatDiagnostic } from '../../spec/index.ts';
import { ExitCode } from '../exit-codes.ts';
import { ServerLink } from './chaos-server.ts';

export interface RunFlags {
  server?: string;
  token?: string;
  specs?: string;
  experiment?: string;
  summaryJson?: string;
  dryRun?: boolean;
  overrideGuards?: boolean;
  quiet?: boolean;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${line}\n`);

export async function chaosRun(file: string, flags: RunFlags): Promise<number> {
  const loaded = await loadExperimentFile(file, {
    ...(flags.specs !== undefined ? { specsDir: flags.specs } : {}),
    ...(flags.experiment !== undefined ? { name: flags.experiment } : {}),
  });
  for (const d of loaded.diagnostics) warn(formatDiagnostic(d));
  const def = loaded.experiment;
  if (!def || loaded.diagnostics.some((d) => d.severity === 'error')) return ExitCode.BadInput;
  const missingLoad = def.method.find((s) => s.kind === 'load' && !loaded.loadTests.has(s.loadTest));
  if (missingLoad?.kind === 'load') {
    warn(
      `${file}: step ${missingLoad.name} names LoadTest ${missingLoad.loadTest}, which did not load (see --specs)`,
    );
    return ExitCode.BadInput;
  }
  const plan = planMethod(def.method);
  const planLines = formatPlan(plan);
  const client = flags.server
    ? new BallastClient(flags.server, flags.token ?? process.env.BALLAST_TOKEN)
    : undefined;
  if (flags.dryRun) return dryRun(def, planLines, client);
  const refusals = await preflight(def);
  if (refusals.length > 0) {
    for (const r of refusals) warn(`${file}: ${r}`);
    return ExitCode.BadInput;
  }
  if (!client && !flags.overrideGuards) {
    warn(
      'the guards (error budget, open incidents, freezes) live on the server: pass --server URL, or --override-guards to run without them',
    );
    return ExitCode.BadInput;
  }
  const link = client ? new ServerLink(client) : undefined;
  const expectedDurationMs = plan.totalMs + def.recoveryTimeoutMs;
  if (link) {
    try {
      const started = await link.start({
        def,
        plan: planLines,
        expectedDurationMs,
        override: flags.overrideGuards ?? false,
        controller: `ballast chaos run on ${hostname()} (pid ${process.pid})`,
      });
      for (const r of started.guards.reasons) say(`guard ${r.ok ? 'ok  ' : 'FAIL'} ${r.kind}: ${r.message}`);
      if (started.guards.overridden) say('guards overridden (--override-guards)');
      say(
        `run ${started.id} on ${flags.server}; maintenance window ${started.maintenanceId} opened for ${def.service}`,
      );
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 409) {
        warn(`refused: ${err.message}`);
        for (const d of err.body?.details ?? []) warn(`  ${d.path}: ${d.message}`);
        return ExitCode.Failed;
      }
      warn(err instanceof Error ? err.message : String(err));
      return ExitCode.BadInput;
    }
  }
  return execute(def, loaded, link, flags);
}

async function execute(
  def: ExperimentDefinition,
  loaded: Awaited<ReturnType<typeof loadExperimentFile>>,
  link: ServerLink | undefined,
  flags: RunFlags,
): Promise<number> {
  const faults = createDaemonFaults({
    holder: `ballast chaos run ${def.name} (pid ${process.pid})`,
    ttlMs: def.leaseTtlMs,
  });
  const halt = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    // A second Ctrl-C leaves at once: the daemons revert the faults when the leases lapse.
    if (interrupts > 1) process.exit(ExitCode.Invalid);
    warn('halting: reverting the faults (Ctrl-C again to leave now; leases lapse by themselves)');
    halt.abort('interrupted (Ctrl-C)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  link?.stream({
    leases: () => faults.leases(),
    halt: () => halt.abort('halt requested on the server'),
    onError: (m) => warn(`server: ${m}`),
  });
  const probes = createProbePort({
    checks: loaded.checks,
    artifactsDir: join(tmpdir(), 'ballast-chaos-artifacts'),
    ...(link ? { sloBurnRates: (slo: string) => link.burnRates(slo) } : {}),
  });
  const onEntry = (e: JournalEntry) => {
    link?.push(e);
    if (!flags.quiet) say(formatEntry(e));
  };
  let result: { report: ExperimentReport; journal: JournalEntry[] };
  try {
    result = await runExperiment(
      def,
      {
        faults,
        probes,
        load: loadPort(loaded.loadTests, loaded.slos, loaded.baseDir),
        rollbacks: { run: httpRollback },
        ...(link ? { budgets: () => link.budgets(def.service) } : {}),
        onEntry,
      },
      { signal: halt.signal },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const leases = faults.leases();
  await faults.close();
  await link?.finish(result.report, leases).catch((err: unknown) => warn(`server: ${String(err)}`));
  printReport(result.report);
  if (flags.summaryJson) await writeFile(flags.summaryJson, `${JSON.stringify(result, null, 2)}\n`);
  return outcomeExitCode(result.report.outcome);
}

async function dryRun(
  def: ExperimentDefinition,
  planLines: string[],
  client: BallastClient | undefined,
): Promise<number> {
  say(`experiment ${def.name} on service ${def.service} (dry run: nothing is applied)`);
  say(`steady state: ${def.steadyState.map((p) => `${p.name} (${p.kind})`).join(', ')}`);
  if (def.abort.length) say(`abort when: ${def.abort.map((p) => p.name).join(', ')} fail`);
  say(`leases: ${def.leaseTtlMs / 1000}s TTL; probes every ${def.probeIntervalMs / 1000}s`);
  for (const line of planLines) say(line);
  for (const r of def.rollbacks) say(`rollback ${r.name}: ${r.request.method} ${r.request.url}`);
  if (!client) {
    say('guards: not checked (no --server)');
    return ExitCode.Ok;
  }
  try {
    const guards = await client.request(
      'GET',
      `/chaos/guards/${encodeURIComponent(def.service)}`,
      GuardDecisionSchema,
    );
    for (const r of guards.reasons) say(`guard ${r.ok ? 'ok  ' : 'FAIL'} ${r.kind}: ${r.message}`);
    return guards.pass ? ExitCode.Ok : ExitCode.Failed;
  } catch (err) {
    warn(err instanceof Error ? err.message : String(err));
    return ExitCode.BadInput;
  }
}

export async function chaosHalt(
  run: string | undefined,
  flags: { server?: string; token?: string; daemon?: string[] },
): Promise<number> {
  if (run !== undefined && !flags.server) {
    warn('halting one run needs --server URL (the server knows its leases)');
    return ExitCode.BadInput;
  }
  if (!flags.server && !flags.daemon?.length) {
    warn('give --server URL (halts its runs and their leases) and/or --daemon URL (halts a fault daemon)');
    return ExitCode.BadInput;
  }
  let failed = false;
  if (flags.server) {
    try {
      const client = new BallastClient(flags.server, flags.token ?? process.env.BALLAST_TOKEN);
      const path = run !== undefined ? `/chaos/runs/${encodeURIComponent(run)}/halt` : '/chaos/halt';
      const a = await client.request('POST', path, ChaosHaltAnswerSchema, {});
      say(`halted ${a.runs.length} run(s) on ${flags.server}; released ${a.leasesReleased} lease(s)`);
      for (const e of a.errors) warn(`  ${e}`);
      failed ||= a.errors.length > 0;
    } catch (err) {
      warn(err instanceof Error ? err.message : String(err));
      failed = true;
    }
  }
  for (const daemon of flags.daemon ?? []) {
    try {
      say(`${daemon}: ${JSON.stringify(await new FaultDaemonClient(daemon).halt())}`);
    } catch (err) {
      warn(`${daemon}: ${err instanceof Error ? err.message : String(err)}`);
      failed = true;
    }
  }
  return failed ? ExitCode.Failed : ExitCode.Ok;
}

function loadPort(
  plans: Map<string, LoadPlan>,
  slos: Awaited<ReturnType<typeof loadExperimentFile>>['slos'],
  baseDir: string,
) {
  return {
    async start(name: string, signal: AbortSignal) {
      const plan = plans.get(name);
      if (!plan) throw new Error(`LoadTest ${name} is not loaded`);
      const stop = new AbortController();
      const both = AbortSignal.any([signal, stop.signal]);
      const running = runLoad(plan, { signal: both, slos, baseDir });
      running.catch(() => {});
      return {
        async stop() {
          stop.abort();
          const s = await running;
          return `${s.requests.total} requests, ${s.requests.failed} failed, p99 ${s.latency_ms.p99} ms at ${s.rate.achieved.toFixed(1)}/s`;
        },
      };
    },
  };
}

async function httpRollback(rb: ExperimentDefinition['rollbacks'][number]): Promise<string> {
  const res = await fetch(rb.request.url, {
    method: rb.request.method,
    headers: rb.request.headers,
    ...(rb.request.body !== undefined ? { body: rb.request.body } : {}),
    signal: AbortSignal.timeout(rb.request.timeoutMs),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${rb.request.method} ${rb.request.url}: HTTP ${res.status}`);
  return `${rb.request.method} ${rb.request.url}: HTTP ${res.status}`;
}

/** One journal entry as a terminal line. */
export function formatEntry(e: JournalEntry): string {
  const at = new Date(e.t).toISOString().slice(11, 23);
  switch (e.type) {
    case 'phase':
      return `${at} ── ${e.phase}`;
    case 'probe':
      return `${at}    probe ${e.ok ? 'ok  ' : 'FAIL'} ${e.probe}: ${e.detail}`;
    case 'action':
      return `${at}    ${e.action} ${e.ok ? '' : 'FAILED '}${e.step}: ${e.detail}`;
    case 'deviation':
      return `${at}  ! deviation ${e.probe}: ${e.detail}`;
    case 'abort':
      return `${at}  ! abort: ${e.reason}`;
    case 'note':
      return `${at}    ${e.message}`;
  }
}

function printReport(r: ExperimentReport): void {
  say('');
  say(r.headline);
  const yn = (b: boolean | null) => (b === null ? 'not judged' : b ? 'held' : 'deviated');
  say(
    `  steady state before: ${yn(r.hypothesis.before)}, during: ${yn(r.hypothesis.during)}, after: ${yn(r.hypothesis.after)}`,
  );
  if (r.faultWindow)
    say(
      `  faults held ${((r.faultWindow.end - r.faultWindow.start) / 1000).toFixed(1)}s; reverts ok ${r.reverts.ok}, failed ${r.reverts.failed}`,
    );
  if (r.recoveryMs !== null) say(`  recovery: ${(r.recoveryMs / 1000).toFixed(1)}s`);
  for (const p of r.probes)
    say(
      `  ${p.probe} during the faults: ${p.during.failures}/${p.during.samples} failed, min ${p.during.min ?? '-'}, max ${p.during.max ?? '-'}`,
    );
  for (const b of r.budget)
    say(
      `  budget ${b.slo}: ${b.consumed === null ? 'no data' : `${(b.consumed * 100).toFixed(3)}% of the budget spent`}`,
    );
  for (const e of r.errors) say(`  error: ${e}`);
}
