/**
 * Browser checks against real Chromium and a real HTTP server on 127.0.0.1,
 * run as the scheduler runs them: through a BrowserHost, in its worker
 * thread. Passing, throwing, hanging, busy-looping and uncompilable scripts,
 * the status of navigations, the artifacts kept on failure, a worker that
 * dies, and the shared in-thread browser pool the worker uses.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserCheckSpec } from '../types.ts';
import { BrowserPool, runBrowserCheck } from './browser.ts';
import { BrowserHost } from './browser-host.ts';

const TITLE = 'Ballast browser check fixture';

/** The button fills #out a little later, so a passing script has to wait for it. */
const HOME = `<!doctype html>
<html><head><title>${TITLE}</title></head>
<body>
  <h1>Fixture</h1>
  <button id="go">Go</button>
  <p id="out"></p>
  <script>
    document.querySelector('#go').addEventListener('click', () => {
      setTimeout(() => { document.querySelector('#out').textContent = 'clicked'; }, 100);
    });
  </script>
</body></html>`;

let server: Server;
let base: string;
let host: BrowserHost;
const tempDirs: string[] = [];

function artifactsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ballast-browser-'));
  tempDirs.push(dir);
  return dir;
}

function spec(
  lines: string[],
  scriptFile?: string,
  viewport = { width: 1024, height: 768 },
): BrowserCheckSpec {
  return { type: 'browser', script: lines.join('\n'), scriptFile, viewport };
}

/** 1-based line of the first script line containing `needle`, so expectations follow edits to the script. */
function lineOf(lines: string[], needle: string): number {
  const index = lines.findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(HOME);
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/' }).end();
    } else {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<title>Not found</title><p>nothing here</p>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  host = new BrowserHost();
});

afterAll(async () => {
  await host?.close();
  await new Promise((resolve) => server?.close(resolve));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('BrowserHost', () => {
  it('passes a script that navigates, clicks and waits for text, keeping no artifacts', async () => {
    const opts = { artifactsDir: artifactsDir() };
    const obs = await host.run(
      spec([
        `await page.goto('${base}/');`,
        `expect(await page.title()).toBe('${TITLE}');`,
        `await expect(page.getByRole('button', { name: 'Go' })).toBeVisible();`,
        `await page.click('#go');`,
        `await expect(page.locator('#out')).toHaveText('clicked');`,
      ]),
      { timeoutMs: 20_000 },
      opts.artifactsDir,
    );
    expect(obs.error).toBeUndefined();
    expect(obs.context.status).toBe(200);
    expect(obs.context.responseTimeMs).toBeGreaterThan(0);
    expect(obs.context.responseTimeMs).toBeLessThan(20_000);
    expect(obs.phases.processing).toBeGreaterThanOrEqual(0);
    expect(obs.phases.processing).toBeLessThanOrEqual(obs.context.responseTimeMs);
    expect(obs.artifacts).toBeUndefined();
    expect(readdirSync(opts.artifactsDir)).toEqual([]);
  });

  it('hands the script its env object through the worker (what executeCheck filled in for the run)', async () => {
    const obs = await host.run(
      {
        ...spec([
          `await page.goto('${base}/');`,
          'await page.click(env.BUTTON);',
          'await expect(page.locator("#out")).toHaveText(env.EXPECTED);',
          'if (!Object.isFrozen(env)) throw new Error("env must be read-only");',
        ]),
        env: { BUTTON: '#go', EXPECTED: 'clicked' },
      },
      { timeoutMs: 20_000 },
      artifactsDir(),
    );
    expect(obs.error).toBeUndefined();
  });

  it('reports the status of the last top-level navigation, after redirects', async () => {
    const run = (lines: string[]) => host.run(spec(lines), { timeoutMs: 20_000 }, artifactsDir());
    const missing = await run([`await page.goto('${base}/');`, `await page.goto('${base}/missing');`]);
    expect(missing.error).toBeUndefined();
    expect(missing.context.status).toBe(404);

    const moved = await run([`await page.goto('${base}/moved');`, `expect(page.url()).toBe('${base}/');`]);
    expect(moved.error).toBeUndefined();
    expect(moved.context.status).toBe(200);

    const none = await run(['await page.setContent("<p>no navigation</p>");']);
    expect(none.error).toBeUndefined();
    expect(none.context.status).toBeUndefined();
  });

  it('opens each run in a context with the spec viewport', async () => {
    const obs = await host.run(
      spec(
        [
          `await page.goto('${base}/');`,
          'expect(await page.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([800, 600]);',
        ],
        undefined,
        { width: 800, height: 600 },
      ),
      { timeoutMs: 20_000 },
      artifactsDir(),
    );
    expect(obs.error).toBeUndefined();
  });

  it('reports a failed expectation as a script error with its line, keeping a screenshot and a trace', async () => {
    const lines = [
      `await page.goto('${base}/');`,
      '// the fixture has no such heading',
      "expect(await page.textContent('h1')).toBe('Dashboard');",
    ];
    const opts = { artifactsDir: artifactsDir() };
    const obs = await host.run(spec(lines, 'checks/home.js'), { timeoutMs: 20_000 }, opts.artifactsDir);

    expect(obs.error).toEqual({
      kind: 'script',
      message: `expected 'Fixture' to be 'Dashboard' (checks/home.js:${lineOf(lines, 'Dashboard')})`,
    });
    expect(obs.context.status).toBe(200);
    const { screenshot, trace } = obs.artifacts ?? {};
    expect(screenshot).toMatch(/\.png$/);
    expect(trace).toMatch(/\.zip$/);
    expect(readdirSync(opts.artifactsDir).sort()).toEqual([screenshot, trace].sort());
    // PNG and ZIP signatures: the files are what their names say, not empty placeholders.
    const png = readFileSync(path.join(opts.artifactsDir, screenshot!));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const zip = readFileSync(path.join(opts.artifactsDir, trace!));
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(statSync(path.join(opts.artifactsDir, trace!)).size).toBeGreaterThan(1000);
  });

  it('keeps no env value in the trace of a failed run: typed, sent in a header and a URL, it reads [redacted: env.NAME]', async () => {
    const secret = 'S3cret-Value&1';
    const lines = [
      `await page.goto('${base}/');`,
      "await page.evaluate(() => { const i = document.createElement('input'); i.id = 'pw'; document.body.append(i); });",
      "await page.fill('#pw', env.CHECK_PASSWORD);",
      "await page.evaluate((t) => fetch('/api?token=' + encodeURIComponent(t), { headers: { authorization: 'Bearer ' + t } }), env.CHECK_PASSWORD);",
      "expect(await page.textContent('h1')).toBe('Dashboard');",
    ];
    const opts = { artifactsDir: artifactsDir() };
    const check = { ...spec(lines), env: { CHECK_PASSWORD: secret } };
    const obs = await host.run(check, { timeoutMs: 20_000 }, opts.artifactsDir);
    expect(obs.error?.kind).toBe('script');
    const trace = obs.artifacts?.trace;
    expect(trace).toMatch(/\.zip$/);
    const entries = unzipSync(readFileSync(path.join(opts.artifactsDir, trace as string)));
    const all = Buffer.concat(Object.values(entries));
    for (const form of [secret, encodeURIComponent(secret)]) expect(all.includes(form)).toBe(false);
    // The fill, the request header and the URL each left a marker where the value was.
    const texts = Object.values(entries)
      .map((e) => Buffer.from(e).toString('utf8'))
      .join('\n');
    expect(texts.split('[redacted: env.CHECK_PASSWORD]').length - 1).toBeGreaterThanOrEqual(3);
  });

  it('names what a failed Playwright action was waiting for', async () => {
    const lines = [`await page.goto('${base}/');`, "await page.click('#nope', { timeout: 300 });"];
    const obs = await host.run(spec(lines), { timeoutMs: 20_000 }, artifactsDir());
    expect(obs.error?.kind).toBe('script');
    expect(obs.error?.message).toBe(
      `page.click: Timeout 300ms exceeded, waiting for locator('#nope') (script line ${lineOf(lines, '#nope')})`,
    );
  });

  it('gives up on a hanging script at its timeout, keeping the artifacts', async () => {
    const timeoutMs = 1_500;
    const opts = { artifactsDir: artifactsDir() };
    const started = performance.now();
    const obs = await host.run(
      spec([`await page.goto('${base}/');`, 'await new Promise(() => {});']),
      { timeoutMs },
      opts.artifactsDir,
    );
    const elapsed = performance.now() - started;

    expect(obs.error).toEqual({ kind: 'timeout', message: `timed out after ${timeoutMs} ms` });
    expect(obs.context.responseTimeMs).toBeGreaterThanOrEqual(timeoutMs - 5);
    // Generous: saving a screenshot and a trace after the deadline takes a moment on a busy machine.
    expect(elapsed).toBeLessThan(timeoutMs + 15_000);
    expect(obs.artifacts?.screenshot).toBeDefined();
    expect(obs.artifacts?.trace).toBeDefined();
    for (const name of readdirSync(opts.artifactsDir)) {
      expect(statSync(path.join(opts.artifactsDir, name)).size).toBeGreaterThan(0);
    }
    expect(readdirSync(opts.artifactsDir)).toHaveLength(2);
  });

  it('stops a run when the signal aborts, keeping nothing', async () => {
    const controller = new AbortController();
    const opts = { artifactsDir: artifactsDir() };
    setTimeout(() => controller.abort(), 300);
    const obs = await host.run(
      spec([`await page.goto('${base}/');`, 'await page.waitForTimeout(60_000);']),
      { timeoutMs: 30_000, signal: controller.signal },
      opts.artifactsDir,
    );
    expect(obs.error).toEqual({ kind: 'timeout', message: 'aborted' });
    expect(obs.context.responseTimeMs).toBeLessThan(30_000);
    expect(obs.artifacts).toBeUndefined();
    expect(readdirSync(opts.artifactsDir)).toEqual([]);
  });

  it('reports a syntax error as a config error without starting Chromium', async () => {
    const ownHost = new BrowserHost();
    try {
      const lines = [`await page.goto('${base}/');`, 'await page.click(;'];
      const obs = await ownHost.run(spec(lines, 'checks/broken.js'), { timeoutMs: 20_000 }, artifactsDir());
      expect(obs.error).toEqual({
        kind: 'config',
        message: `SyntaxError: Unexpected token ';' (checks/broken.js:${lineOf(lines, 'click(;')})`,
      });
      expect(ownHost.launches).toBe(0);
      expect(ownHost.workerStarts).toBe(0);
    } finally {
      await ownHost.close();
    }
  });

  it('reports a Chromium that cannot start as an internal error, trying again on the next run', async () => {
    const missing = path.join(artifactsDir(), 'no-chromium-here');
    const brokenHost = new BrowserHost({ executablePath: missing });
    const script = spec([`await page.goto('${base}/');`]);
    try {
      for (let run = 0; run < 2; run++) {
        const obs = await brokenHost.run(script, { timeoutMs: 20_000 }, artifactsDir());
        expect(obs.error?.kind).toBe('internal');
        expect(obs.error?.message).toMatch(/^Chromium did not start: .+/);
      }
      // A failed launch is not cached: the second run launched again.
      expect(brokenHost.launches).toBe(2);
    } finally {
      await brokenHost.close();
    }
  });

  it('replaces a worker whose script never yields, and the next run passes on the same Chromium', async () => {
    const ownHost = new BrowserHost({ stallMs: 1_500 });
    try {
      const stuck = await ownHost.run(
        spec([`await page.goto('${base}/');`, 'for (;;) {}']),
        { timeoutMs: 60_000 },
        artifactsDir(),
      );
      expect(stuck.error?.kind).toBe('timeout');
      expect(stuck.error?.message).toMatch(/stopped responding for 1\.5 s .*busy loop/);
      // Well before the run's own 60 s timeout: the heartbeat, not the deadline, caught it.
      expect(stuck.context.responseTimeMs).toBeLessThan(30_000);

      const next = await ownHost.run(
        spec([`await page.goto('${base}/');`, `expect(await page.title()).toBe('${TITLE}');`]),
        { timeoutMs: 20_000 },
        artifactsDir(),
      );
      expect(next.error).toBeUndefined();
      expect(ownHost.workerStarts).toBe(2);
      expect(ownHost.launches).toBe(1);
    } finally {
      await ownHost.close();
    }
  });

  it('fails only the runs of a worker killed by an error no caller can catch, then starts a new one', async () => {
    const ownHost = new BrowserHost();
    try {
      const lost = await ownHost.run(
        spec([
          `await page.goto('${base}/');`,
          "setTimeout(() => { throw new Error('escaped the script'); }, 10);",
          'await new Promise(() => {});',
        ]),
        { timeoutMs: 20_000 },
        artifactsDir(),
      );
      expect(lost.error).toEqual({
        kind: 'internal',
        message: 'the browser worker failed: escaped the script',
      });

      const next = await ownHost.run(
        spec([`await page.goto('${base}/');`, `expect(await page.title()).toBe('${TITLE}');`]),
        { timeoutMs: 20_000 },
        artifactsDir(),
      );
      expect(next.error).toBeUndefined();
      expect(next.context.status).toBe(200);
      expect(ownHost.workerStarts).toBe(2);
    } finally {
      await ownHost.close();
    }
  });

  it('refuses runs once closed', async () => {
    const ownHost = new BrowserHost();
    const first = await ownHost.run(spec(['return;']), { timeoutMs: 20_000 }, artifactsDir());
    expect(first.error).toBeUndefined();
    await ownHost.close();
    const obs = await ownHost.run(spec(['return;']), { timeoutMs: 5_000 }, artifactsDir());
    expect(obs.error).toEqual({
      kind: 'internal',
      message: 'Chromium did not start: the browser host is closed',
    });
  });
});

describe('BrowserPool', () => {
  it('serves two runs from one launched Chromium, closing each run context', async () => {
    const ownPool = new BrowserPool();
    try {
      const script = spec([`await page.goto('${base}/');`, `expect(await page.title()).toBe('${TITLE}');`]);
      for (let run = 0; run < 2; run++) {
        const obs = await runBrowserCheck(
          script,
          { timeoutMs: 20_000 },
          { artifactsDir: artifactsDir(), pool: ownPool },
        );
        expect(obs.error).toBeUndefined();
      }
      expect(ownPool.launches).toBe(1);
      const browser = await ownPool.acquire();
      expect(browser.isConnected()).toBe(true);
      expect(browser.contexts()).toEqual([]);
      expect(ownPool.launches).toBe(1);
    } finally {
      await ownPool.close();
    }
  });

  it('shares one launch between concurrent acquires and relaunches after the browser dies', async () => {
    const ownPool = new BrowserPool();
    try {
      const [first, second] = await Promise.all([ownPool.acquire(), ownPool.acquire()]);
      expect(second).toBe(first);
      expect(ownPool.launches).toBe(1);

      await first.close();
      const replacement = await ownPool.acquire();
      expect(replacement).not.toBe(first);
      expect(replacement.isConnected()).toBe(true);
      expect(ownPool.launches).toBe(2);
    } finally {
      await ownPool.close();
    }
  });

  it('refuses to hand out a browser once closed', async () => {
    const ownPool = new BrowserPool();
    const browser = await ownPool.acquire();
    await ownPool.close();
    expect(browser.isConnected()).toBe(false);
    await expect(ownPool.acquire()).rejects.toThrow('the browser pool is closed');
    const obs = await runBrowserCheck(
      spec(['return;']),
      { timeoutMs: 5_000 },
      { artifactsDir: artifactsDir(), pool: ownPool },
    );
    expect(obs.error).toEqual({
      kind: 'internal',
      message: 'Chromium did not start: the browser pool is closed',
    });
  });
});
