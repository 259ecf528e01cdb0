/**
 * `ballast load run FILE | --url URL`: resolve the plans, run each with a
 * live view, print the summary, write the files, send them to a server, and
 * exit 0 (passed), 1 (a threshold failed), 2 (bad input) or 3 (not valid).
 */
import { runLoad } from '../../load/engine/index.ts';
import { renderTextSummary } from '../../load/report/index.ts';
import { maxExecutorDurationMs } from '../../load/safety.ts';
import type { LoadSummary } from '../../load/types.ts';
import { ExitCode } from '../exit-codes.ts';
import { createLiveView } from './load-live.ts';
import { exitCodeFor, prepareOutputs, worstExitCode, writeOutputs } from './load-outcome.ts';
import { type PlanFlags, resolvePlans } from './load-plans.ts';
import { ServerRunReporter } from './load-server.ts';
import { onInterrupt } from './load-signal.ts';

export interface RunFlags extends PlanFlags {
  summaryJson?: string;
  reportHtml?: string;
  server?: string;
  token?: string;
  quiet?: boolean;
}

/** Output streams (injectable for tests of the wiring; the CLI uses process.stdout/stderr). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Runs `load run` and returns its exit code. */
export async function loadRun(
  file: string | undefined,
  flags: RunFlags,
  io: Io = processIo,
): Promise<ExitCode> {
  const resolved = await resolvePlans(file, flags);
  const outputErrors = await prepareOutputs([flags.summaryJson, flags.reportHtml]);
  const errors = [...resolved.errors, ...outputErrors];
  if (errors.length > 0 || resolved.plans.length === 0) {
    for (const e of errors) io.err(`${e}\n`);
    if (errors.length === 0) io.err('ballast load run: the file holds no LoadTest document\n');
    return ExitCode.BadInput;
  }
  const controller = new AbortController();
  let interrupted = false;
  const stopListening = onInterrupt(() => {
    interrupted = true;
    io.err('\nstopping (Ctrl-C again to quit at once)…\n');
    controller.abort();
  });
  const summaries: LoadSummary[] = [];
  const codes: ExitCode[] = [];
  try {
    for (const plan of resolved.plans) {
      if (controller.signal.aborted) break;
      const reporter = flags.server
        ? await ServerRunReporter.start(flags.server, flags.token, plan, (m) => io.err(`${m}\n`))
        : undefined;
      const view = createLiveView(plan.name, maxExecutorDurationMs(plan.executor), { quiet: flags.quiet });
      let summary: LoadSummary;
      try {
        summary = await runLoad(plan, {
          signal: controller.signal,
          slos: resolved.slos,
          baseDir: resolved.baseDir,
          onSecond: (sample, live) => {
            view.update(sample, live);
            reporter?.second(sample);
          },
        });
      } catch (err) {
        view.done();
        await reporter?.fail(err instanceof Error ? err.message : String(err));
        throw err;
      }
      view.done();
      if (interrupted && !summary.aborted) {
        summary.aborted = true;
        summary.abortReason = 'interrupted (Ctrl-C)';
      }
      summaries.push(summary);
      codes.push(exitCodeFor(summary, interrupted));
      io.out(renderTextSummary(summary));
      if (reporter && (await reporter.finish(summary)))
        io.err(`stored as run ${reporter.id} on ${flags.server}\n`);
    }
  } finally {
    stopListening();
  }
  await writeOutputs(summaries, flags);
  return worstExitCode(codes);
}
