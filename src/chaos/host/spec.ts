/**
 * The shapes of host fault specs (camelCase, unknown keys rejected) and their
 * validation. The schemas carry no transforms so they convert to JSON Schema as
 * they are; `validateFaultSpec` fills the defaults. Every issue names its field.
 */
import { isIP } from 'node:net';
import { constants } from 'node:os';
import { z } from 'zod';
import { parseDuration } from '../../spec/index.ts';
import type { HostFaultIssue } from './errors.ts';

/** The longest delay netem may add: ten minutes; longer stalls are better modelled as loss. */
export const MAX_DELAY_MS = 600_000;
/** At most this many stress workers per fault, whatever the core count. */
export const MAX_CPU_WORKERS = 256;

/** Linux interface names: at most 15 characters (IFNAMSIZ), and safe to quote inside an nft script. */
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}$/;
const NETNS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** tc's units in bits per second; tc's `bps` means bytes per second, so byte units are refused. */
const RATE = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/i;
const RATE_FACTOR: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };

const pct = () =>
  z
    .number({ error: 'must be a number (a percentage)' })
    .min(0, 'must not be negative')
    .max(100, 'must be at most 100 (a percentage)');
const ms = (max = MAX_DELAY_MS) =>
  z
    .number({ error: 'must be a number of milliseconds' })
    .min(0, 'must not be negative')
    .max(max, `must be at most ${max} ms`);
const whole = (min: number, max: number) =>
  z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** `10.0.0.0/8`, `192.0.2.7` (one host), `2001:db8::/32`, `::1`. */
export function parseCidr(text: string): { family: 4 | 6; address: string; prefix: number } | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  const family = isIP(address);
  if ((family !== 4 && family !== 6) || extra !== undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefixText === undefined) return { family, address, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { family, address, prefix: Number(prefixText) };
}

/** A rate such as `8mbit`, `512kbit`, `1.5gbit`, or a number of bits per second. */
export function parseRate(rate: string | number): number | undefined {
  if (typeof rate === 'number') return Number.isFinite(rate) && rate > 0 ? Math.round(rate) : undefined;
  const m = RATE.exec(rate.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (RATE_FACTOR[(m[2] as string).toLowerCase()] as number));
}

/** Which traffic a network fault touches; without it the whole interface's egress. */
export const DestinationSchema = z
  .strictObject({
    cidr: z
      .string({ error: 'must be an IP address or CIDR such as 10.0.0.0/8' })
      .refine(
        (c) => parseCidr(c) !== undefined,
        'must be an IP address or CIDR such as 10.0.0.0/8 or ::1/128',
      )
      .optional(),
    port: whole(1, 65_535).optional(),
    protocol: z.enum(['tcp', 'udp'], { error: 'must be "tcp" or "udp"' }).optional(),
  })
  .refine((d) => d.cidr !== undefined || d.port !== undefined || d.protocol !== undefined, {
    error: 'give at least one of cidr, port or protocol (or leave destination out for all traffic)',
  });

const common = {
  /** A hint for the controller (a lease); the manager does not time faults. */
  duration: z
    .string({ error: 'must be a duration such as 30s or 5m' })
    .refine((d) => (parseDuration(d) ?? 0) > 0, 'must be a duration such as 30s or 5m, greater than zero')
    .optional(),
};

const network = {
  ...common,
  interface: z
    .string({ error: 'must be an interface name such as eth0 or lo' })
    .regex(IFNAME, 'must be an interface name (letters, digits, _.@-; at most 15 characters)'),
  netns: z
    .string({ error: 'must be a network namespace name' })
    .regex(NETNS, 'must be a network namespace name (letters, digits, _.-)')
    .optional(),
  destination: DestinationSchema.optional(),
  /** Replace a root qdisc Ballast did not create (it is not restored on revert: the kernel default is). */
  replace: z.boolean({ error: 'must be true or false' }).optional(),
};

/** Delay, jitter, loss, duplication, corruption, reordering (Linux netem). */
export const NetemSpecSchema = z
  .strictObject({
    kind: z.literal('netem'),
    ...network,
    delayMs: ms().optional(),
    jitterMs: ms().optional(),
    correlationPct: pct().optional(),
    lossPct: pct().optional(),
    duplicatePct: pct().optional(),
    corruptPct: pct().optional(),
    reorderPct: pct().optional(),
    limitPackets: whole(1, 1_000_000).optional(),
  })
  .superRefine((s, ctx) => {
    const at = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const effects = [s.delayMs, s.lossPct, s.duplicatePct, s.corruptPct, s.reorderPct];
    if (!effects.some((v) => v !== undefined && v > 0)) {
      at('delayMs', 'give at least one of delayMs, lossPct, duplicatePct, corruptPct, reorderPct above 0');
    }
    const delayed = s.delayMs !== undefined && s.delayMs > 0;
    if (s.jitterMs !== undefined && !delayed) at('jitterMs', 'needs delayMs above 0');
    if (s.correlationPct !== undefined && s.jitterMs === undefined) at('correlationPct', 'needs jitterMs');
    if (s.reorderPct !== undefined && s.reorderPct > 0 && !delayed) {
      at('reorderPct', 'needs delayMs above 0 (netem reorders by sending some packets without the delay)');
    }
  });

/** A token bucket (Linux tbf): the rate, the burst it allows, and how much it queues. */
export const BandwidthSpecSchema = z
  .strictObject({
    kind: z.literal('bandwidth'),
    ...network,
    rate: z
      .union([z.string(), z.number()], { error: 'must be a rate such as 8mbit or a number of bit/s' })
      .refine(
        (r) => (parseRate(r) ?? 0) >= 1000,
        'must be a rate of at least 1kbit, in bit, kbit, mbit or gbit (bits per second; tc\'s "bps" means bytes, so it is not accepted)',
      ),
    burstBytes: whole(1, 1 << 30).optional(),
    latencyMs: ms(60_000).optional(),
    limitBytes: whole(1, 1 << 30).optional(),
  })
  .refine((s) => s.latencyMs === undefined || s.limitBytes === undefined, {
    path: ['limitBytes'],
    error: 'give latencyMs or limitBytes, not both (they are two ways to size the same queue)',
  });

const processTarget = {
  ...common,
  pid: whole(1, 2 ** 22).optional(),
  /** A substring of the command line (arguments joined by spaces). */
  cmdline: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
  /** A regular expression tested against the command line (arguments joined by spaces). */
  cmdlineRegex: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .refine((r) => compiles(r), 'is not a valid regular expression')
    .optional(),
  /** Blast radius: more matching processes than this is an error (default 1). */
  maxTargets: whole(1, 1000).optional(),
};

function oneTarget(s: { pid?: number; cmdline?: string; cmdlineRegex?: string }, ctx: z.RefinementCtx): void {
  const given = (['pid', 'cmdline', 'cmdlineRegex'] as const).filter((k) => s[k] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: [given[1] ?? 'pid'],
      message: `give exactly one of pid, cmdline or cmdlineRegex${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
    });
  }
}

/** Sends a signal (default SIGKILL) to the target processes once; revert has nothing to undo. */
export const KillSpecSchema = z
  .strictObject({
    kind: z.literal('kill'),
    ...processTarget,
    signal: z
      .string({ error: 'must be a signal name such as SIGKILL' })
      .refine(
        (s) => s in constants.signals && s !== 'SIGSTOP' && s !== 'SIGCONT',
        'must be a signal name such as SIGKILL or SIGTERM (use kind "pause" for SIGSTOP)',
      )
      .optional(),
  })
  .superRefine(oneTarget);

/** Stops the target processes (SIGSTOP); revert continues them (SIGCONT). */
export const PauseSpecSchema = z
  .strictObject({ kind: z.literal('pause'), ...processTarget })
  .superRefine(oneTarget);

/** Busy workers (child processes) each holding `loadPct` of one core. */
export const CpuSpecSchema = z.strictObject({
  kind: z.literal('cpu'),
  ...common,
  workers: whole(1, MAX_CPU_WORKERS).optional(),
  loadPct: z
    .number({ error: 'must be a number (a percentage of one core)' })
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100 (a percentage of one core)')
    .optional(),
});

/** A child process that allocates and touches `mb` MiB and holds them. */
export const MemorySpecSchema = z.strictObject({
  kind: z.literal('memory'),
  ...common,
  mb: whole(1, 1 << 22),
});

const SCHEMAS = {
  netem: NetemSpecSchema,
  bandwidth: BandwidthSpecSchema,
  kill: KillSpecSchema,
  pause: PauseSpecSchema,
  cpu: CpuSpecSchema,
  memory: MemorySpecSchema,
};

/** The fault kinds, in the order the docs list them. */
export const FAULT_KINDS = Object.keys(SCHEMAS) as FaultKind[];
export type FaultKind = keyof typeof SCHEMAS;

export type DestinationSpec = z.output<typeof DestinationSchema>;
export type NetemSpec = z.output<typeof NetemSpecSchema> & { replace: boolean };
export type BandwidthSpec = z.output<typeof BandwidthSpecSchema> & { replace: boolean };
export type KillSpec = z.output<typeof KillSpecSchema> & { signal: NodeJS.Signals; maxTargets: number };
export type PauseSpec = z.output<typeof PauseSpecSchema> & { maxTargets: number };
export type CpuSpec = z.output<typeof CpuSpecSchema> & { workers: number; loadPct: number };
export type MemorySpec = z.output<typeof MemorySpecSchema>;
/** A validated fault spec with its defaults filled. */
export type FaultSpec = NetemSpec | BandwidthSpec | KillSpec | PauseSpec | CpuSpec | MemorySpec;
export type NetworkSpec = NetemSpec | BandwidthSpec;
export type ProcessSpec = KillSpec | PauseSpec;

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: HostFaultIssue[] };

/**
 * Validates a fault spec from untrusted JSON and fills its defaults (`replace: false`,
 * `signal: 'SIGKILL'`, `maxTargets: 1`, `workers: 1`, `loadPct: 100`). Returns every problem.
 *
 * @example validateFaultSpec({ kind: 'netem', interface: 'eth0', lossPct: 150 })
 * // { ok: false, issues: [{ path: 'lossPct', message: 'must be at most 100 (a percentage)' }] }
 */
export function validateFaultSpec(input: unknown): Validated<FaultSpec> {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '(spec)', message: 'must be an object with a "kind"' }] };
  }
  if (typeof kind !== 'string' || !(kind in SCHEMAS)) {
    const message = `must be one of ${FAULT_KINDS.join(', ')}${kind === undefined ? '' : `, got ${JSON.stringify(kind)}`}`;
    return { ok: false, issues: [{ path: 'kind', message }] };
  }
  const r = SCHEMAS[kind as FaultKind].safeParse(input, { reportInput: true });
  if (!r.success) return { ok: false, issues: zodIssues(r.error.issues) };
  return { ok: true, value: withDefaults(r.data) };
}

function withDefaults(s: z.output<(typeof SCHEMAS)[FaultKind]>): FaultSpec {
  switch (s.kind) {
    case 'netem':
    case 'bandwidth':
      return { ...s, replace: s.replace ?? false };
    case 'kill':
      return { ...s, signal: (s.signal ?? 'SIGKILL') as NodeJS.Signals, maxTargets: s.maxTargets ?? 1 };
    case 'pause':
      return { ...s, maxTargets: s.maxTargets ?? 1 };
    case 'cpu':
      return { ...s, workers: s.workers ?? 1, loadPct: s.loadPct ?? 100 };
    case 'memory':
      return s;
  }
}

/** One issue per problem, each named by its dotted field path; unknown keys get one each. */
function zodIssues(issues: readonly z.core.$ZodIssue[]): HostFaultIssue[] {
  const out: HostFaultIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: path ? `${path}.${key}` : key, message: 'unknown field' });
    } else if (
      issue.input === undefined &&
      (issue.code === 'invalid_type' || issue.code === 'invalid_value')
    ) {
      out.push({ path: path || '(spec)', message: 'is required' });
    } else {
      out.push({ path: path || '(spec)', message: issue.message.replace(/^Invalid input: /, '') });
    }
  }
  return out;
}

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
