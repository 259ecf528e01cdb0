/**
 * The browser check runner: runs a check's script in real Chromium
 * (playwright-core), each execution in a fresh, traced browser context, and
 * keeps a full-page screenshot and the Playwright trace when the script fails
 * or runs out of time. Chromium is shared through a {@link BrowserPool}
 * because launching it costs about half a second per check.
 *
 * This runs inside the browser worker; the rest of Ballast runs browser
 * checks through a {@link BrowserHost} (browser-host.ts), which keeps user
 * scripts and playwright-core's client off the scheduler's thread.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, type BrowserServer, chromium, type Page } from 'playwright-core';
import type { BrowserCheckSpec, CheckError, CheckErrorKind, Observation } from '../types.ts';
import { expect } from './browser-expect.ts';
import { type CheckScript, compileScript, describeScriptError } from './browser-script.ts';
import type { RunContext } from './context.ts';
import { messageOf, settleWithin } from './settle.ts';
import { SharedResource } from './shared-resource.ts';
import { redactTraceFile } from './trace-redact.ts';

/** Debian's Chromium, which playwright-core drives (Ballast does not download Playwright's builds). */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for every launch. Background networking, component updates and
 * first-run work are off so the browser opens no connection a script did not ask for.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/**
 * Bound on each step of saving artifacts and cleaning up after a failure. A
 * page stuck in an endless loop cannot take a screenshot; the runner must still return.
 */
const CLEANUP_TIMEOUT_MS = 10_000;

/** Launches headless Chromium with {@link CHROMIUM_ARGS}. */
export function launchChromium(executablePath: string = DEFAULT_CHROMIUM_PATH): Promise<Browser> {
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
}

/** Launches Chromium as a server the browser worker connects to (loopback only, behind a random path). */
export function launchChromiumServer(executablePath: string = DEFAULT_CHROMIUM_PATH): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath, args: [...CHROMIUM_ARGS], host: '127.0.0.1' });
}

/**
 * One Chromium shared by browser checks: opened on the first `acquire`,
 * opened again if it dies or disconnects, closed by `close`. Isolation between
 * checks comes from the fresh browser context each run opens, not from the process.
 */
export class BrowserPool {
  readonly #browser: SharedResource<Browser>;
  #closed = false;

  /**
   * `open` replaces launching: the browser worker connects to a Chromium
   * server its host owns (closing such a browser only disconnects).
   */
  constructor(opts: { executablePath?: string; open?: () => Promise<Browser> } = {}) {
    const executablePath = opts.executablePath ?? DEFAULT_CHROMIUM_PATH;
    this.#browser = new SharedResource(opts.open ?? (() => launchChromium(executablePath)), (browser, gone) =>
      browser.on('disconnected', gone),
    );
  }

  /** How many times a browser was opened (1 while the first browser lives). */
  get launches(): number {
    return this.#browser.opens;
  }

  /** The shared browser; concurrent callers share one launch. Rejects when Chromium cannot start or the pool is closed. */
  acquire(): Promise<Browser> {
    if (this.#closed) return Promise.reject(new Error('the browser pool is closed'));
    return this.#browser.get();
  }

  /** Closes the browser (waiting for a launch in flight); later `acquire` calls reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const browser = await this.#browser.take()?.catch(() => undefined);
    await browser?.close();
  }
}

/** Where {@link runBrowserCheck} gets its browser and keeps artifacts. */
export interface BrowserRunOptions {
  /** Screenshots and traces of failed runs go here (created if missing). */
  artifactsDir: string;
  /** The shared browser. */
  pool: BrowserPool;
  /** What is left of `ctx.timeoutMs` (the host spent the rest starting Chromium); all of it by default. */
  budgetMs?: number;
}

/**
 * Runs one browser check. Never throws: every failure is an error in the observation.
 *
 * - `config`: the script does not compile (message names the file and line).
 * - `script`: the script threw (message: first line, script line from the stack).
 * - `timeout`: `ctx.timeoutMs` passed (it covers getting the browser too) or `ctx.signal` aborted.
 * - `internal`: Chromium could not start or a browser context could not be opened.
 *
 * `context.responseTimeMs` is the run from opening the browser context to the
 * script's end (Chromium's start is Ballast's cost, not the target's);
 * `context.status` is the HTTP status of the last top-level navigation;
 * `phases.processing` is request sent → first byte of the first navigation.
 * After a script error or a timeout the screenshot and trace are saved under
 * `opts.artifactsDir` and named in `artifacts`; this may add up to a few
 * times {@link CLEANUP_TIMEOUT_MS} when the page no longer responds.
 */
export async function runBrowserCheck(
  spec: BrowserCheckSpec,
  ctx: RunContext,
  opts: BrowserRunOptions,
): Promise<Observation> {
  try {
    return await runChecked(spec, ctx, opts);
  } catch (err) {
    return errorObservation('internal', `browser runner: ${messageOf(err)}`, 0);
  }
}

async function runChecked(
  spec: BrowserCheckSpec,
  ctx: RunContext,
  opts: BrowserRunOptions,
): Promise<Observation> {
  const compiled = compileScript(spec.script, spec.scriptFile);
  if (!compiled.ok) return errorObservation('config', compiled.message, 0);

  const budgetMs = opts.budgetMs ?? ctx.timeoutMs;
  const deadline = performance.now() + budgetMs;
  const acquired = await settleWithin(opts.pool.acquire(), budgetMs, ctx.signal);
  if (acquired.kind === 'rejected') {
    return errorObservation('internal', `Chromium did not start: ${messageOf(acquired.error)}`, 0);
  }
  if (acquired.kind !== 'fulfilled') {
    const message =
      acquired.kind === 'aborted'
        ? 'aborted while waiting for Chromium to start'
        : `timed out after ${ctx.timeoutMs} ms waiting for Chromium to start`;
    return errorObservation('timeout', message, 0);
  }

  return runInBrowser(acquired.value, compiled.run, spec, ctx, opts, deadline);
}

/** What the run learned about top-level navigations. */
interface NavigationLog {
  status?: number;
  processingMs?: number;
}

/** The context and page of one run, filled in as they are opened (a timeout can strike in between). */
interface Session {
  context?: BrowserContext;
  page?: Page;
  /** The script was called: a rejection from here on is the script's. */
  scriptStarted: boolean;
  /** The runner gave up: setup still in flight must not start the script. */
  abandoned: boolean;
}

async function runInBrowser(
  browser: Browser,
  script: CheckScript,
  spec: BrowserCheckSpec,
  ctx: RunContext,
  opts: BrowserRunOptions,
  deadline: number,
): Promise<Observation> {
  const started = performance.now();
  const navigation: NavigationLog = {};
  const session: Session = { scriptStarted: false, abandoned: false };

  const work = (async () => {
    const context = await browser.newContext({ viewport: spec.viewport });
    session.context = context;
    watchNavigations(context, navigation);
    await context.tracing.start({ screenshots: true, snapshots: true });
    const page = await context.newPage();
    session.page = page;
    if (session.abandoned) return;
    session.scriptStarted = true;
    await script(page, context, expect, Object.freeze({ ...spec.env }));
  })();

  const outcome = await settleWithin(work, deadline - performance.now(), ctx.signal);
  const responseTimeMs = performance.now() - started;
  const observation: Observation = {
    context: { responseTimeMs, status: navigation.status },
    phases: navigation.processingMs === undefined ? {} : { processing: navigation.processingMs },
  };

  if (outcome.kind === 'fulfilled') {
    // Success: the trace is not kept (stop without a path discards it).
    await settleWithin(session.context!.tracing.stop(), CLEANUP_TIMEOUT_MS);
    await closeContext(session);
    return observation;
  }

  session.abandoned = true;

  let error: CheckError;
  if (outcome.kind === 'rejected') {
    error = session.scriptStarted
      ? { kind: 'script', message: describeScriptError(outcome.error, spec.scriptFile) }
      : { kind: 'internal', message: `could not open a browser context: ${messageOf(outcome.error)}` };
  } else if (outcome.kind === 'timeout') {
    error = { kind: 'timeout', message: `timed out after ${ctx.timeoutMs} ms` };
  } else {
    error = { kind: 'timeout', message: 'aborted' };
  }

  // An aborted run is being given up on (shutdown, the scheduler's own deadline): leave fast, keep nothing.
  if (outcome.kind !== 'aborted' && session.scriptStarted) {
    const secrets = Object.entries(spec.env ?? {});
    const saved = await saveArtifacts(session, opts.artifactsDir, (ctx.now ?? Date.now)(), secrets);
    if (saved.screenshot || saved.trace)
      observation.artifacts = { screenshot: saved.screenshot, trace: saved.trace };
    if (saved.problem) error.message += ` (artifacts: ${saved.problem})`;
  }
  await closeContext(session);
  // Setup still in flight when we gave up opens its context late: close that one too, once it exists.
  work.catch(() => {}).finally(() => closeContext(session));
  observation.error = error;
  return observation;
}

/** Records the status of top-level document responses (the last wins) and the first one's processing time. */
function watchNavigations(context: BrowserContext, log: NavigationLog): void {
  context.on('response', (response) => {
    const request = response.request();
    if (!request.isNavigationRequest()) return;
    try {
      // frame() throws for service-worker requests, which are not navigations of a page anyway.
      if (response.frame().parentFrame() !== null) return;
    } catch {
      return;
    }
    log.status = response.status();
    if (log.processingMs === undefined) {
      const timing = request.timing();
      if (timing.requestStart >= 0 && timing.responseStart >= timing.requestStart) {
        log.processingMs = timing.responseStart - timing.requestStart;
      }
    }
  });
}

/**
 * Saves a full-page screenshot and the trace under unique names. Each step is
 * bounded and its failure only loses that file; `problem` says what was lost.
 */
async function saveArtifacts(
  session: Session,
  dir: string,
  nowMs: number,
  secrets: ReadonlyArray<readonly [string, string]>,
): Promise<{ screenshot?: string; trace?: string; problem?: string }> {
  const problems: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    return { problem: `cannot create ${dir}: ${messageOf(err)}` };
  }
  const base = `browser-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const saved: { screenshot?: string; trace?: string; problem?: string } = {};

  const page = session.page;
  if (page && !page.isClosed()) {
    const name = `${base}.png`;
    const shot = await settleWithin(
      page.screenshot({ path: path.join(dir, name), fullPage: true, timeout: CLEANUP_TIMEOUT_MS }),
      CLEANUP_TIMEOUT_MS,
    );
    if (shot.kind === 'fulfilled') saved.screenshot = name;
    else problems.push(`no screenshot: ${shot.kind === 'rejected' ? messageOf(shot.error) : 'timed out'}`);
  } else {
    problems.push('no screenshot: the page was closed');
  }

  if (session.context) {
    const name = `${base}.trace.zip`;
    const trace = await settleWithin(
      session.context.tracing.stop({ path: path.join(dir, name) }),
      CLEANUP_TIMEOUT_MS,
    );
    if (trace.kind === 'fulfilled') {
      const file = path.join(dir, name);
      const redacted = await settleWithin(redactTraceFile(file, secrets), CLEANUP_TIMEOUT_MS);
      if (redacted.kind === 'fulfilled') saved.trace = name;
      else {
        // A trace that may still hold a secret is not kept at all.
        await rm(file, { force: true }).catch(() => undefined);
        problems.push(
          `trace dropped: could not redact it (${redacted.kind === 'rejected' ? messageOf(redacted.error) : 'timed out'})`,
        );
      }
    } else problems.push(`no trace: ${trace.kind === 'rejected' ? messageOf(trace.error) : 'timed out'}`);
  }

  if (problems.length > 0) saved.problem = problems.join('; ');
  return saved;
}

/**
 * Closing the context closes its pages, which also ends a script still waiting
 * on them. The pages are closed first, each after its navigation is stopped:
 * closing a context while a response is on its way to the client has made
 * playwright-core throw an uncaught "object … was not bound in the connection".
 */
async function closeContext(session: Session): Promise<void> {
  const context = session.context;
  if (!context) return;
  for (const page of context.pages()) {
    await settleWithin(
      page.evaluate('window.stop()').catch(() => {}),
      CLEANUP_TIMEOUT_MS,
    );
    await settleWithin(
      page.close({ runBeforeUnload: false }).catch(() => {}),
      CLEANUP_TIMEOUT_MS,
    );
  }
  await settleWithin(context.close(), CLEANUP_TIMEOUT_MS);
}

export function errorObservation(kind: CheckErrorKind, message: string, responseTimeMs: number): Observation {
  return { error: { kind, message }, context: { responseTimeMs }, phases: {} };
}
