/**
 * What a check's results become on a real server: a TLS check against a
 * loopback server presenting an openssl-made chain whose CA expires before
 * its leaf reports the chain and `probe_ssl_earliest_cert_expiry` at the CA's
 * expiry; and an SLO with a threshold (latency) SLI taken from a check counts
 * results by their duration.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/checks/index.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';
import type { CheckResultItem } from '../src/server/schemas.ts';

const ADMIN = 'tls-sli-admin-token';

let dir = '';
let target: tls.Server;
let port = 0;
let server: RunningServer;
const notAfter = { ca: 0, leaf: 0 };

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA valid for 2 days and a leaf for 127.0.0.1 it signed for 30 days: the CA lapses first. */
async function makeChain(): Promise<{ key: string; cert: string; ca: string }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Chain Test CA',
  );
  openssl('req', '-new', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  await writeFile(join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    '7',
    '-days',
    '30',
    '-extfile',
    'leaf.ext',
    '-out',
    'leaf.pem',
  );
  const read = (f: string) => readFile(join(dir, f), 'utf8');
  return { key: await read('leaf.key'), cert: await read('leaf.pem'), ca: await read('ca.pem') };
}

const specs = (tlsPort: number) => `apiVersion: openslo/v1
kind: Service
metadata: { name: edge }
spec: { description: the edge }
---
apiVersion: ballast.dev/v1
kind: Check
metadata: { name: edge-cert }
spec:
  service: edge
  type: tls
  enabled: false
  tls: { host: 127.0.0.1, port: ${tlsPort}, ca: ca.pem }
  conditions: ["[CERTIFICATE_EXPIRATION] > 1d"]
---
apiVersion: ballast.dev/v1
kind: Check
metadata: { name: edge-api }
spec: { service: edge, type: http, enabled: false, http: { url: "http://127.0.0.1:9/" } }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: edge-latency }
spec:
  service: edge
  indicator:
    metadata: { name: edge-api-latency }
    spec:
      thresholdMetric:
        metricSource: { type: BallastCheck, spec: { check: edge-api } }
  timeWindow: [{ duration: 1d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ op: lte, value: 300, target: 0.5 }]
`;

/** Polls `probe` until it returns a value (bounded: 20 s). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-tls-sli-'));
  const chain = await makeChain();
  notAfter.ca = new X509Certificate(chain.ca).validToDate.getTime();
  notAfter.leaf = new X509Certificate(chain.cert).validToDate.getTime();
  // The server presents its leaf and the CA, as servers with intermediates do.
  target = tls.createServer({ key: chain.key, cert: chain.cert + chain.ca }, (s) =>
    s.on('error', () => {}).end(),
  );
  target.on('tlsClientError', () => {});
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  port = (target.address() as { port: number }).port;
  await writeFile(join(dir, 'edge.yaml'), specs(port));
  server = await startServer({
    port: 0,
    inMemory: true,
    specsDir: dir,
    adminToken: ADMIN,
    runChecks: false,
    evaluateEveryMs: 200,
    evaluateThrottleMs: 20,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a TLS check on the server', () => {
  it('reports the presented chain and expires with its earliest certificate, on /metrics too', async () => {
    expect(notAfter.ca).toBeLessThan(notAfter.leaf);
    const res = await fetch(`${server.url}/api/v1/checks/edge-cert/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as CheckResultItem;
    expect(result.status).toBe('pass');
    expect(result.certificateChain).toEqual([
      { subject: 'CN=127.0.0.1', issuer: 'CN=Chain Test CA', notAfter: notAfter.leaf },
      { subject: 'CN=Chain Test CA', issuer: 'CN=Chain Test CA', notAfter: notAfter.ca },
    ]);
    expect(result.certificateNotAfter).toBe(notAfter.ca);
    const stored = await fetch(`${server.url}/api/v1/checks/edge-cert/results/${result.id}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(((await stored.json()) as CheckResultItem).certificateChain).toHaveLength(2);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(
      `probe_ssl_earliest_cert_expiry{check="edge-cert",service="edge",type="tls",location="local"} ${Math.floor(notAfter.ca / 1000)}`,
    );
  });
});

describe('an SLO with a threshold SLI fed from a check', () => {
  it('counts a result good when its duration meets the objective', async () => {
    const now = Date.now();
    const durations = [120, 250, 900, 40, 1_500, 300];
    for (const [i, durationMs] of durations.entries()) {
      const r: CheckResult = {
        check: 'edge-api',
        service: 'edge',
        type: 'http',
        location: 'local',
        startedAt: now - (durations.length - i) * 1_000,
        durationMs,
        status: 'pass',
        conditions: [],
        phases: {},
        attempts: 1,
      };
      await server.context.checks.record(r);
    }
    const good = durations.filter((d) => d <= 300).length;
    const status = await eventually('the SLO to count the results', async () => {
      const s = server.runtime.status('edge-latency');
      return s?.events.total === durations.length ? s : undefined;
    });
    expect(status.events).toEqual({ good, total: durations.length });
    expect(status.sli).toBeCloseTo(good / durations.length);
  });
});
