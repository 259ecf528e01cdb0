import type { Command } from 'commander';
import { z } from 'zod';
import { BallastClient, defaultServerUrl } from '../../server/client.ts';
import {
  AlertEventSchema,
  SloDetailSchema,
  type SloSummary,
  SloSummarySchema,
} from '../../server/schemas.ts';
import { runApiAction } from './apply.ts';
import { registerSloRules } from './slo-rules.ts';

interface ReadFlags {
  server: string;
  token?: string;
  json?: boolean;
}

const pct = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined ? '-' : `${(v * 100).toFixed(digits)}%`;
const num = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(2));

/** Left-aligned text table with a header row. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The `slo list` table rows. */
export function sloListRows(slos: SloSummary[]): string[][] {
  return slos.map((s) => [
    s.name,
    s.service,
    pct(s.objective),
    s.window,
    pct(s.status.sli),
    pct(s.status.budget.remainingRatio, 1),
    s.fastestBurn ? `${s.fastestBurn.rate.toFixed(2)} (${s.fastestBurn.window})` : '-',
    s.alertState,
  ]);
}

function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  const h = ms / 3_600_000;
  return h >= 48 ? `${(h / 24).toFixed(1)}d` : `${h.toFixed(1)}h`;
}

function client(flags: ReadFlags): BallastClient {
  return new BallastClient(flags.server, flags.token ?? process.env.BALLAST_TOKEN);
}

const run = (action: () => Promise<void>) => runApiAction(action);

async function list(flags: ReadFlags): Promise<void> {
  const slos = await client(flags).request('GET', '/slos', z.array(SloSummarySchema));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(slos, null, 2)}\n`);
    return;
  }
  const header = ['SLO', 'SERVICE', 'OBJECTIVE', 'WINDOW', 'SLI', 'BUDGET LEFT', 'FASTEST BURN', 'ALERT'];
  process.stdout.write(`${table(header, sloListRows(slos))}\n`);
}

async function status(name: string, flags: ReadFlags): Promise<void> {
  const api = client(flags);
  const path = `/slos/${encodeURIComponent(name)}`;
  const [detail, alerts] = await Promise.all([
    api.request('GET', path, SloDetailSchema),
    api.request('GET', `${path}/alerts?limit=10`, z.array(AlertEventSchema)),
  ]);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...detail, alertEvents: alerts }, null, 2)}\n`);
    return;
  }
  const s = detail.summary;
  const st = s.status;
  const lines = [
    `${s.displayName ?? s.name} (${s.name})`,
    `  service:        ${s.service}`,
    `  objective:      ${pct(s.objective)} over ${s.window}, ${s.budgetingMethod}, source ${s.source}`,
    `  SLI:            ${pct(st.sli)} (${st.events.good} good of ${st.events.total})`,
    `  budget left:    ${pct(st.budget.remainingRatio, 1)}` +
      (st.budget.remainingEvents === null
        ? ''
        : ` (${num(st.budget.remainingEvents)} of ${num(st.budget.totalEvents)})`),
    `  exhaustion in:  ${formatDuration(st.exhaustionInMs)}`,
    `  alert:          ${s.alertState}`,
    '',
    table(
      ['WINDOW', 'BURN RATE'],
      Object.entries(st.burnRates).map(([w, r]) => [w, num(r)]),
    ),
    '',
    table(
      ['SEVERITY', 'STATE', 'SINCE', 'REASON'],
      st.alerts.map((a) => [a.severity, a.state, new Date(a.since).toISOString(), a.reason ?? '']),
    ),
  ];
  if (alerts.length > 0) {
    lines.push('', 'recent alert changes:');
    for (const a of alerts)
      lines.push(`  ${new Date(a.at).toISOString()}  ${a.severity}: ${a.from} -> ${a.to}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function readOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'Ballast server (BALLAST_SERVER)', defaultServerUrl())
    .option('--token <token>', 'token, when reads are not public (BALLAST_TOKEN)')
    .option('--json', 'print JSON for scripts');
}

/** `ballast slo list|status|rules`. */
export function registerSlo(program: Command): void {
  const slo = program.command('slo').description('SLO status, budgets and burn rates; Prometheus rules');
  readOptions(
    slo.command('list').description('Every SLO with SLI, budget left, fastest burn and alert state'),
  ).action((flags: ReadFlags) => run(() => list(flags)));
  readOptions(
    slo
      .command('status')
      .description("One SLO in detail: every window's burn rate and the alerts")
      .argument('<name>', 'SLO name'),
  ).action((name: string, flags: ReadFlags) => run(() => status(name, flags)));
  registerSloRules(slo);
}
