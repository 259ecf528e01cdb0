/**
 * The edge where host faults touch the kernel's network configuration: runs
 * `ip`, `tc` and `nft`, inside a network namespace through `ip netns exec`
 * when one is named. A runner is a function so a test can wrap the real one
 * (run it as an unprivileged user, fail a chosen step) without faking the tools.
 */
import { spawn } from 'node:child_process';
import { explainCommandFailure } from './errors.ts';

/** A command: argv (tool first), the namespace to run it in, and text for its stdin. */
export interface Command {
  argv: readonly string[];
  netns?: string | undefined;
  input?: string;
}

/** What a command printed, when it exited 0. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Raised by a runner for a non-zero exit; the fault drivers turn it into a {@link HostFaultError}. */
export class CommandError extends Error {
  readonly argv: readonly string[];
  readonly netns: string | undefined;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly missing: boolean;
  constructor(cmd: Command, stderr: string, exitCode: number | null, missing = false) {
    super(`${cmd.argv.join(' ')} exited ${exitCode ?? 'abnormally'}: ${stderr.trim()}`);
    this.name = 'CommandError';
    this.argv = cmd.argv;
    this.netns = cmd.netns;
    this.stderr = stderr;
    this.exitCode = exitCode;
    this.missing = missing;
  }
}

/** Runs a command; resolves with its output on exit 0, rejects with a {@link CommandError} otherwise. */
export type CommandRunner = (cmd: Command) => Promise<CommandOutput>;

/** `ip netns exec NS argv…` when a namespace is named, else argv as it is. */
export function commandLine(cmd: Command): string[] {
  return cmd.netns === undefined ? [...cmd.argv] : ['ip', 'netns', 'exec', cmd.netns, ...cmd.argv];
}

/** A tool that hangs (a wedged netlink socket) must not hang apply or revert. */
const TIMEOUT_MS = 15_000;

/** Runs commands on this host with `child_process.spawn` (no shell). */
export const systemRunner: CommandRunner = (cmd) => spawnCommand(cmd, commandLine(cmd));

/**
 * Runs `argv` (already prefixed as needed) for `cmd`. Exported so a test runner can
 * change the command line (e.g. insert `setpriv`) and keep the error handling.
 */
export function spawnCommand(cmd: Command, argv: readonly string[]): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv as [string, ...string[]];
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      // `ip netns exec` reports a missing tool itself; this is the tool run directly.
      reject(new CommandError(cmd, err.message, null, err.code === 'ENOENT'));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else {
        const missing = /exec of ".*" failed: No such file or directory/.test(stderr);
        reject(new CommandError(cmd, signal ? `${stderr}killed by ${signal}` : stderr, code, missing));
      }
    });
    child.stdin.on('error', () => {
      // A tool that exits before reading stdin closes the pipe; its exit code tells what happened.
    });
    child.stdin.end(cmd.input ?? '');
  });
}

/** Runs `cmd`, turning a failure into a {@link HostFaultError} that says what to do. */
export async function runOrExplain(run: CommandRunner, cmd: Command): Promise<CommandOutput> {
  try {
    return await run(cmd);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    throw explainCommandFailure({
      argv: err.argv,
      netns: err.netns,
      stderr: err.stderr,
      missing: err.missing,
    });
  }
}
