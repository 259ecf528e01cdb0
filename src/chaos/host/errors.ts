/**
 * The one error type of host faults, and the mapping from what `ip`, `tc` and
 * `nft` print on failure to an error that says what is wrong and what to do.
 * The mapping is pure (argv and stderr in, error out) so it is table-tested
 * against the exact messages these tools print.
 */

/** One problem with a fault spec: the field (`lossPct`, `destination.cidr`) and what is wrong with it. */
export interface HostFaultIssue {
  path: string;
  message: string;
}

/**
 * What went wrong, for an API to map to a status:
 * `invalid_spec` (bad input, see `issues`: 400), `unsupported` (this kernel or host lacks what the
 * fault needs: 501), `permission` (needs root or a capability: 403), `not_found` (interface, netns,
 * process or tool missing: 404), `conflict` (another fault or a qdisc Ballast did not create holds the
 * resource: 409), `refused` (a safety rail: own process, pid 1, too many targets: 422), `failed` (a
 * command failed otherwise: 500), `reverted` (reverted while it was being applied), `revert_failed`
 * (some undo steps failed; calling revert again retries them).
 */
export type HostFaultErrorCode =
  | 'invalid_spec'
  | 'unsupported'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'refused'
  | 'failed'
  | 'reverted'
  | 'revert_failed';

/** Thrown by the manager and the fault drivers; `field` names the spec field at fault when one is. */
export class HostFaultError extends Error {
  readonly code: HostFaultErrorCode;
  readonly field: string | undefined;
  readonly issues: HostFaultIssue[];
  constructor(
    code: HostFaultErrorCode,
    message: string,
    options: { field?: string; issues?: HostFaultIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HostFaultError';
    this.code = code;
    this.field = options.field;
    this.issues = options.issues ?? [];
  }
}

/** The error for a kernel without netem; worded once because tests and the daemon's docs quote it. */
export const NETEM_MISSING =
  'netem is not available in this kernel (CONFIG_NET_SCH_NETEM); bandwidth (tbf) and loss via nftables work';

/** A command that exited non-zero (or could not start): what ran and what it said. */
export interface CommandFailure {
  argv: readonly string[];
  netns?: string | undefined;
  stderr: string;
  /** The executable was not found (spawn ENOENT). */
  missing?: boolean;
}

const PACKAGE: Record<string, string> = { ip: 'iproute2', tc: 'iproute2', nft: 'nftables' };

/**
 * Turns a failed `ip`/`tc`/`nft` run into a {@link HostFaultError} whose message says what to do.
 *
 * @example explainCommandFailure({ argv: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', 'ba11:', 'netem'],
 *   stderr: 'Error: Specified qdisc kind is unknown.' }) // code 'unsupported', message NETEM_MISSING
 */
export function explainCommandFailure(f: CommandFailure): HostFaultError {
  const tool = f.argv[0] ?? '?';
  const said = firstLines(f.stderr);
  const where = f.netns === undefined ? '' : ` in network namespace "${f.netns}"`;
  const cause = { argv: f.argv, netns: f.netns, stderr: f.stderr };
  if (f.missing) {
    return new HostFaultError('not_found', `${tool} is not installed: install ${PACKAGE[tool] ?? tool}`, {
      cause,
    });
  }
  const s = f.stderr;
  if (/setting the network namespace .* failed/.test(s)) {
    return new HostFaultError(
      'permission',
      `entering network namespace "${f.netns}" needs root (CAP_SYS_ADMIN): ${said}`,
      { field: 'netns', cause },
    );
  }
  if (/Cannot open network namespace/.test(s)) {
    return new HostFaultError(
      'not_found',
      `network namespace "${f.netns}" does not exist (see ip netns list)`,
      { field: 'netns', cause },
    );
  }
  if (/Operation not permitted|Permission denied|you must be root/.test(s)) {
    return new HostFaultError(
      'permission',
      `${tool} needs root or CAP_NET_ADMIN${where}: ${said}; run Ballast's agent as root or grant it CAP_NET_ADMIN`,
      { cause },
    );
  }
  const device = /Cannot find device "([^"]*)"|Device "([^"]*)" does not exist/.exec(s);
  if (device) {
    return new HostFaultError(
      'not_found',
      `interface "${device[1] ?? device[2]}" does not exist${where} (see ip link)`,
      {
        field: 'interface',
        cause,
      },
    );
  }
  if (/Specified qdisc kind is unknown/.test(s)) {
    const kind = qdiscKind(f.argv);
    if (kind === 'netem') return new HostFaultError('unsupported', NETEM_MISSING, { cause });
    return new HostFaultError(
      'unsupported',
      `the ${kind} qdisc is not available in this kernel (CONFIG_NET_SCH_${kind.toUpperCase()})`,
      { cause },
    );
  }
  if (/TC classifier not found|Unknown filter/.test(s)) {
    return new HostFaultError(
      'unsupported',
      'the u32 classifier is not available in this kernel (CONFIG_NET_CLS_U32): destination scoping needs it; drop "destination" to shape the whole interface',
      { field: 'destination', cause },
    );
  }
  if (tool === 'nft' && /Operation not supported|hook egress/.test(s)) {
    return new HostFaultError(
      'unsupported',
      `nftables cannot hook egress here (needs CONFIG_NETFILTER_EGRESS, Linux 5.16+): ${said}`,
      { cause },
    );
  }
  return new HostFaultError('failed', `${f.argv.join(' ')}${where} failed: ${said || 'no message'}`, {
    cause,
  });
}

/**
 * True when a delete failed only because the thing is already gone (or its namespace or
 * interface is): revert treats that as done, which is what makes it idempotent.
 */
export function isAlreadyGone(stderr: string): boolean {
  return /No such file or directory|Cannot find device|does not exist|Cannot open network namespace|Cannot delete qdisc with handle of zero|Failed to find specified qdisc|Invalid handle/.test(
    stderr,
  );
}

/** The qdisc kind a `tc qdisc` argv adds: the word after `handle X:` or after `root`/`parent X`. */
function qdiscKind(argv: readonly string[]): string {
  const h = argv.indexOf('handle');
  if (h >= 0 && argv[h + 2] !== undefined) return argv[h + 2] as string;
  const r = argv.indexOf('root');
  if (r >= 0 && argv[r + 1] !== undefined) return argv[r + 1] as string;
  return 'requested';
}

function firstLines(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(0, 3)
    .join(' | ');
}
