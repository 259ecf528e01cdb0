import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, type LoadedDocument, loadSpecSources } from '../../spec/index.ts';
import { parseCondition } from '../conditions/index.ts';
import {
  CHECK_DEFAULTS,
  type CheckDefinition,
  checkFromDocument,
  DEFAULT_CONDITIONS,
  policyFromBody,
} from '../index.ts';

const FILE = 'checks.yaml';
const SERVICE = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: shop\n---\n';

/** A Service `shop` and a Check `web` whose spec is `spec` (YAML lines indented by two). */
function checkYaml(spec: string, service = 'shop'): string {
  return `${SERVICE}apiVersion: ballast.dev/v1
kind: Check
metadata:
  name: web
spec:
  service: ${service}
${spec}`;
}

/**
 * `file:line:col` of the first `needle` in `text`, so expected positions follow
 * the YAML as written. A `|` in the needle marks the spot inside it (`every: |1m`).
 */
function at(text: string, needle: string, file = FILE): string {
  const mark = Math.max(0, needle.indexOf('|'));
  const found = text.indexOf(needle.replace('|', ''));
  if (found < 0) throw new Error(`${needle} is not in the document`);
  const i = found + mark;
  const lines = text.slice(0, i).split('\n');
  return `${file}:${lines.length}:${(lines.at(-1) ?? '').length + 1}`;
}

function validate(text: string, file = FILE): string[] {
  return loadSpecSources([{ file, content: text }]).diagnostics.map(formatDiagnostic);
}

function checkDocument(text: string, file = FILE): LoadedDocument {
  const bundle = loadSpecSources([{ file, content: text }]);
  const doc = bundle.documents.find((d) => d.kind === 'Check');
  if (!doc) throw new Error(`no Check document: ${bundle.diagnostics.map(formatDiagnostic).join('\n')}`);
  return doc;
}

/** Loads a Check that must validate, and maps it. */
function mapCheck(spec: string, file = FILE): CheckDefinition {
  const text = checkYaml(spec);
  expect(validate(text, file)).toEqual([]);
  const { check, diagnostics } = checkFromDocument(checkDocument(text, file), {
    baseDir: dirname(file),
    knownServices: new Set(['shop']),
  });
  expect(diagnostics.map(formatDiagnostic)).toEqual([]);
  if (!check) throw new Error('no check');
  return check;
}

const URL = 'http://127.0.0.1:8080/health';
const defaultRetries = {
  count: 0,
  backoff: 'fixed',
  delayMs: CHECK_DEFAULTS.retryDelayMs,
  onlyNetworkErrors: false,
};

describe('a Check document maps to a CheckDefinition', () => {
  it('a minimal HTTP check gets every default', () => {
    const check = mapCheck(`  type: http\n  http:\n    url: ${URL}\n`);
    expect(check).toStrictEqual({
      name: 'web',
      service: 'shop',
      tags: [],
      locations: ['local'],
      schedule: {
        kind: 'interval',
        everyMs: CHECK_DEFAULTS.everyMs,
        jitterMs: CHECK_DEFAULTS.everyMs * CHECK_DEFAULTS.jitterShare,
      },
      timeoutMs: CHECK_DEFAULTS.timeoutMs,
      retries: defaultRetries,
      failAfter: 1,
      recoverAfter: 1,
      conditions: DEFAULT_CONDITIONS.http,
      degradedConditions: [],
      alertSeverity: CHECK_DEFAULTS.alertSeverity,
      enabled: true,
      spec: {
        type: 'http',
        request: { method: 'GET', url: URL, headers: {} },
        followRedirects: true,
        maxRedirects: CHECK_DEFAULTS.maxRedirects,
        tls: { verify: true },
        maxBodyBytes: CHECK_DEFAULTS.maxBodyBytes,
      },
    });
  });

  it('every field a spec may set is carried over', () => {
    const text = checkYaml(`  type: http
  description: the storefront
  every: 5m
  jitter: 20s
  timeout: 3s
  retries: { count: 2, backoff: exponential, delay: 500ms, onlyNetworkErrors: true }
  failAfter: 3
  recoverAfter: 2
  conditions: ["[STATUS] == 200"]
  degradedConditions: ["[BODY].ok == true"]
  alert: { severity: ticket }
  enabled: false
  tags: [public, eu]
  locations: [local, eu-west]
  http:
    url: ${URL}
`).replace('  name: web\n', '  name: web\n  displayName: Storefront\n');
    expect(validate(text)).toEqual([]);
    const { check } = checkFromDocument(checkDocument(text), { baseDir: '.' });
    expect(check).toMatchObject({
      displayName: 'Storefront',
      description: 'the storefront',
      schedule: { kind: 'interval', everyMs: 300_000, jitterMs: 20_000 },
      timeoutMs: 3_000,
      retries: { count: 2, backoff: 'exponential', delayMs: 500, onlyNetworkErrors: true },
      failAfter: 3,
      recoverAfter: 2,
      conditions: ['[STATUS] == 200'],
      degradedConditions: ['[BODY].ok == true'],
      alertSeverity: 'ticket',
      enabled: false,
      tags: ['public', 'eu'],
      locations: ['local', 'eu-west'],
    });
  });

  it.each<[string, string, Pick<CheckDefinition, 'spec' | 'conditions' | 'timeoutMs'>]>([
    [
      'an HTTP request with a body defaults to POST, header values become strings, sizes become bytes',
      `  type: http
  http:
    url: ${URL}
    headers: { x-retries: 3, accept: application/json }
    body: '{"q":1}'
    followRedirects: false
    maxRedirects: 0
    maxBodySize: 512KiB
    tls: { verify: false, servername: shop.internal }
`,
      {
        conditions: DEFAULT_CONDITIONS.http,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: {
          type: 'http',
          request: {
            method: 'POST',
            url: URL,
            headers: { 'x-retries': '3', accept: 'application/json' },
            body: '{"q":1}',
          },
          followRedirects: false,
          maxRedirects: 0,
          tls: { verify: false, servername: 'shop.internal' },
          maxBodyBytes: 512 * 1024,
        },
      },
    ],
    [
      'a multistep check maps its steps, extractions and default step conditions',
      `  type: multistep
  multistep:
    maxBodySize: 2MB
    steps:
      - name: login
        method: PUT
        url: ${URL}/login
        extract:
          token: { json: $.token }
          session: { header: set-cookie }
          id: { regex: "id=(\\\\d+)" }
          second: { regex: "(a)(b)", group: 2 }
        conditions: ["[STATUS] == 201"]
      - name: cart
        url: "${URL}/cart?t=\${token}"
`,
      {
        conditions: DEFAULT_CONDITIONS.multistep,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: {
          type: 'multistep',
          steps: [
            {
              name: 'login',
              request: { method: 'PUT', url: `${URL}/login`, headers: {} },
              extract: {
                token: { from: 'json', path: '$.token' },
                session: { from: 'header', name: 'set-cookie' },
                id: { from: 'regex', pattern: 'id=(\\d+)', group: 1 },
                second: { from: 'regex', pattern: '(a)(b)', group: 2 },
              },
              conditions: ['[STATUS] == 201'],
            },
            {
              name: 'cart',
              request: { method: 'GET', url: `${URL}/cart?t=\${token}`, headers: {} },
              extract: {},
              conditions: ['[STATUS] < 400'],
            },
          ],
          followRedirects: true,
          maxRedirects: CHECK_DEFAULTS.maxRedirects,
          tls: { verify: true },
          maxBodyBytes: 2_000_000,
        },
      },
    ],
    [
      'a TCP check keeps send and expect, and a byte count as given',
      '  type: tcp\n  tcp: { host: 127.0.0.1, port: 6379, send: "PING\\r\\n", expect: PONG, maxBodySize: 4096 }\n',
      {
        conditions: DEFAULT_CONDITIONS.tcp,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: {
          type: 'tcp',
          host: '127.0.0.1',
          port: 6379,
          send: 'PING\r\n',
          expect: 'PONG',
          maxBodyBytes: 4096,
        },
      },
    ],
    [
      'a bare TCP check reads up to the default size',
      '  type: tcp\n  tcp: { host: 127.0.0.1, port: 22 }\n',
      {
        conditions: DEFAULT_CONDITIONS.tcp,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: { type: 'tcp', host: '127.0.0.1', port: 22, maxBodyBytes: CHECK_DEFAULTS.maxBodyBytes },
      },
    ],
    [
      'a DNS check asks for A records of the system resolver by default',
      '  type: dns\n  dns: { name: shop.example }\n',
      {
        conditions: DEFAULT_CONDITIONS.dns,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: { type: 'dns', name: 'shop.example', recordType: 'A' },
      },
    ],
    [
      'a DNS check keeps its record type and resolver',
      '  type: dns\n  dns: { name: shop.example, recordType: MX, resolver: "127.0.0.1:5353" }\n',
      {
        conditions: DEFAULT_CONDITIONS.dns,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: { type: 'dns', name: 'shop.example', recordType: 'MX', resolver: '127.0.0.1:5353' },
      },
    ],
    [
      'a TLS check defaults to port 443 and verifies',
      '  type: tls\n  tls: { host: shop.example }\n',
      {
        conditions: DEFAULT_CONDITIONS.tls,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: { type: 'tls', host: 'shop.example', port: 443, tls: { verify: true } },
      },
    ],
    [
      'a browser check with an inline script gets the default viewport and the longer timeout',
      '  type: browser\n  browser: { script: "await page.goto(\'http://127.0.0.1/\')" }\n',
      {
        conditions: DEFAULT_CONDITIONS.browser,
        timeoutMs: CHECK_DEFAULTS.browserTimeoutMs,
        spec: {
          type: 'browser',
          script: "await page.goto('http://127.0.0.1/')",
          viewport: { ...CHECK_DEFAULTS.viewport },
        },
      },
    ],
    [
      'a browser check keeps its viewport and timeout',
      '  type: browser\n  timeout: 20s\n  browser: { script: "1", viewport: { width: 390, height: 844 } }\n',
      {
        conditions: DEFAULT_CONDITIONS.browser,
        timeoutMs: 20_000,
        spec: { type: 'browser', script: '1', viewport: { width: 390, height: 844 } },
      },
    ],
    [
      'a heartbeat check gets the default grace',
      '  type: heartbeat\n  heartbeat: { period: 1h }\n',
      {
        conditions: DEFAULT_CONDITIONS.heartbeat,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: { type: 'heartbeat', periodMs: 3_600_000, graceMs: CHECK_DEFAULTS.heartbeatGraceMs },
      },
    ],
    [
      'a heartbeat check keeps its grace, zero included',
      '  type: heartbeat\n  heartbeat: { period: 5m, grace: 0s }\n',
      {
        conditions: DEFAULT_CONDITIONS.heartbeat,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        spec: { type: 'heartbeat', periodMs: 300_000, graceMs: 0 },
      },
    ],
  ])('%s', (_name, spec, expected) => {
    const check = mapCheck(spec);
    expect(check.spec).toStrictEqual(expected.spec);
    expect(check.conditions).toEqual(expected.conditions);
    expect(check.timeoutMs).toBe(expected.timeoutMs);
  });

  it('a heartbeat check is not scheduled to run (the monitor judges it)', () => {
    const check = mapCheck('  type: heartbeat\n  heartbeat: { period: 1m }\n');
    expect(check.schedule).toEqual({ kind: 'interval', everyMs: 0, jitterMs: 0 });
  });

  const tcp = '  tcp: { host: 127.0.0.1, port: 80 }\n';
  it.each([
    [
      'no jitter: a tenth of the interval',
      '  every: 1m\n',
      { kind: 'interval', everyMs: 60_000, jitterMs: 60_000 * CHECK_DEFAULTS.jitterShare },
    ],
    [
      'no jitter on a long interval: capped',
      '  every: 1h\n',
      { kind: 'interval', everyMs: 3_600_000, jitterMs: CHECK_DEFAULTS.maxJitterMs },
    ],
    [
      'jitter as a share of the interval',
      '  every: 2m\n  jitter: 25%\n',
      { kind: 'interval', everyMs: 120_000, jitterMs: 30_000 },
    ],
    [
      'jitter as a duration',
      '  every: 2m\n  jitter: 1500ms\n',
      { kind: 'interval', everyMs: 120_000, jitterMs: 1_500 },
    ],
    [
      'jitter longer than the interval is cut to it',
      '  every: 10s\n  jitter: 1m\n',
      { kind: 'interval', everyMs: 10_000, jitterMs: 10_000 },
    ],
    [
      'a cron schedule runs in UTC without jitter by default',
      '  cron: "*/5 * * * *"\n',
      { kind: 'cron', expression: '*/5 * * * *', timeZone: 'UTC', jitterMs: 0 },
    ],
    [
      'a cron schedule keeps its time zone; a share is of one minute',
      '  cron: "0 9 * * 1-5"\n  timeZone: Europe/Paris\n  jitter: 50%\n',
      { kind: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Paris', jitterMs: 30_000 },
    ],
    [
      'a cron schedule with jitter as a duration',
      '  cron: "@hourly"\n  jitter: 10s\n',
      { kind: 'cron', expression: '@hourly', timeZone: 'UTC', jitterMs: 10_000 },
    ],
  ])('schedule: %s', (_name, lines, schedule) => {
    expect(mapCheck(`  type: tcp\n${lines}${tcp}`).schedule).toEqual(schedule);
  });

  it.each([
    ['none: no retry', '', defaultRetries],
    ['a number: that many fixed retries', '  retries: 3\n', { ...defaultRetries, count: 3 }],
    [
      'an object with a count only: the other defaults',
      '  retries: { count: 1 }\n',
      { ...defaultRetries, count: 1 },
    ],
    [
      'an object with everything',
      '  retries: { count: 4, backoff: linear, delay: 2s, onlyNetworkErrors: true }\n',
      { count: 4, backoff: 'linear', delayMs: 2_000, onlyNetworkErrors: true },
    ],
  ])('retries: %s', (_name, lines, retries) => {
    expect(mapCheck(`  type: tcp\n${lines}${tcp}`).retries).toEqual(retries);
  });

  it('degradedResponseTime becomes a degraded condition after the listed ones, in ms', () => {
    const check = mapCheck(
      `  type: tcp\n  degradedResponseTime: 1s500ms\n  degradedConditions: ["[IP] == 127.0.0.1"]\n${tcp}`,
    );
    expect(check.conditions).toEqual(DEFAULT_CONDITIONS.tcp);
    expect(check.degradedConditions).toEqual(['[IP] == 127.0.0.1', '[RESPONSE_TIME] < 1500']);
    // The generated condition must be one the runners can evaluate.
    expect(parseCondition(check.degradedConditions[1] as string)).toHaveProperty('condition');
  });

  it.each([
    ['no alert field: page severity', '', CHECK_DEFAULTS.alertSeverity],
    ['alert with a severity: that severity', '  alert: { severity: ticket }\n', 'ticket'],
    ['alert false: no alert', '  alert: false\n', undefined],
  ])('alert: %s', (_name, lines, severity) => {
    const check = mapCheck(`  type: tcp\n${lines}${tcp}`);
    expect(check.alertSeverity).toBe(severity);
    expect('alertSeverity' in check).toBe(severity !== undefined);
  });

  it('an empty conditions list replaces the defaults', () => {
    expect(mapCheck(`  type: tcp\n  conditions: []\n${tcp}`).conditions).toEqual([]);
  });
});

describe('files named in a Check are read relative to the spec file', () => {
  let dir: string;
  let specFile: string;
  const PEM = { ca: 'CA PEM\n', cert: 'CLIENT CERT PEM\n', key: 'CLIENT KEY PEM\n' };
  const SCRIPT = "await page.goto('http://127.0.0.1:3000/');\n";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-check-map-'));
    mkdirSync(join(dir, 'specs', 'certs'), { recursive: true });
    mkdirSync(join(dir, 'specs', 'scripts'));
    writeFileSync(join(dir, 'specs', 'certs', 'ca.pem'), PEM.ca);
    writeFileSync(join(dir, 'specs', 'certs', 'client.pem'), PEM.cert);
    writeFileSync(join(dir, 'specs', 'certs', 'client.key'), PEM.key);
    writeFileSync(join(dir, 'specs', 'scripts', 'home.js'), SCRIPT);
    specFile = join(dir, 'specs', 'checks.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an HTTP check reads its CA and client certificate', () => {
    const check = mapCheck(
      `  type: http\n  http:\n    url: ${URL}\n    tls: { ca: certs/ca.pem, cert: certs/client.pem, key: certs/client.key }\n`,
      specFile,
    );
    expect(check.spec).toMatchObject({
      tls: { verify: true, ca: PEM.ca, clientCert: { cert: PEM.cert, key: PEM.key } },
    });
  });

  it('a TLS check reads its client certificate from a parent-relative path', () => {
    writeFileSync(join(dir, 'shared.key'), PEM.key);
    const check = mapCheck(
      '  type: tls\n  tls: { host: 127.0.0.1, port: 8443, cert: certs/client.pem, key: ../shared.key, verify: false }\n',
      specFile,
    );
    expect(check.spec).toStrictEqual({
      type: 'tls',
      host: '127.0.0.1',
      port: 8443,
      tls: { verify: false, clientCert: { cert: PEM.cert, key: PEM.key } },
    });
  });

  it('a multistep check reads its CA', () => {
    const check = mapCheck(
      `  type: multistep\n  multistep:\n    tls: { ca: certs/ca.pem }\n    steps: [{ name: a, url: "${URL}" }]\n`,
      specFile,
    );
    expect(check.spec).toMatchObject({ tls: { verify: true, ca: PEM.ca } });
  });

  it('a browser check reads its script file and remembers its name', () => {
    const check = mapCheck('  type: browser\n  browser: { scriptFile: scripts/home.js }\n', specFile);
    expect(check.spec).toStrictEqual({
      type: 'browser',
      script: SCRIPT,
      scriptFile: 'scripts/home.js',
      viewport: { ...CHECK_DEFAULTS.viewport },
    });
  });

  it.each([
    [
      'a missing client key is reported at key',
      `  type: http\n  http:\n    url: ${URL}\n    tls: { cert: certs/client.pem, key: certs/nope.key }\n`,
      'certs/nope.key',
    ],
    [
      'a missing CA is reported at ca',
      '  type: tls\n  tls: { host: 127.0.0.1, ca: certs/nope.pem }\n',
      'certs/nope.pem',
    ],
    [
      'a missing script is reported at scriptFile',
      '  type: browser\n  browser: { scriptFile: scripts/nope.js }\n',
      'scripts/nope.js',
    ],
  ])('%s', (_name, spec, missing) => {
    const text = checkYaml(spec);
    expect(validate(text, specFile)).toEqual([]);
    const r = checkFromDocument(checkDocument(text, specFile), { baseDir: dirname(specFile) });
    expect(r.check).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${at(text, missing, specFile)}: error: cannot read ${missing}: file not found (paths are relative to the spec file)`,
    ]);
  });

  it('a file that is a directory is reported with its error code', () => {
    const text = checkYaml('  type: browser\n  browser: { scriptFile: scripts }\n');
    const r = checkFromDocument(checkDocument(text, specFile), { baseDir: dirname(specFile) });
    expect(r.check).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${at(text, 'scripts }', specFile)}: error: cannot read scripts (EISDIR) (paths are relative to the spec file)`,
    ]);
  });
});

describe('checkFromDocument on its own', () => {
  it('an unknown service (when the caller knows the services) is an error at spec.service and no check', () => {
    const text = checkYaml(`  type: tcp\n  tcp: { host: 127.0.0.1, port: 80 }\n`, 'cart');
    const r = checkFromDocument(checkDocument(text), {
      baseDir: '.',
      knownServices: new Set(['shop', 'api']),
    });
    expect(r.check).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${at(text, 'cart')}: error: unknown service "cart": known services are api, shop`,
    ]);
  });

  it('a document that fails the schema gives its errors at their fields and no check', () => {
    const text = checkYaml('  type: tcp\n  jitter: often\n  tcp: { host: 127.0.0.1, port: 80 }\n');
    const r = checkFromDocument(checkDocument(text), { baseDir: '.' });
    expect(r.check).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${at(text, 'often')}: error: jitter "often": give a duration (5s) or a share of the interval (10%)`,
    ]);
  });
});

describe('ballast validate reports every mistake in a Check at its field', () => {
  const badCondition = '[STATUS] =! 200';
  const conditionError = (where: string) =>
    `${where}: check web: condition ${JSON.stringify(badCondition)}: expected an operator (==, !=, <, <=, >, >=) at column ${badCondition.indexOf('=!') + 1} (found =!)`;
  const heartbeatOnly = (field: string) =>
    `spec.${field}: ${field} does not apply to a heartbeat check: the monitored job pings, Ballast only waits (set heartbeat.period and grace)`;

  it.each<[string, string, [needle: string, message: string][]]>([
    [
      'a block of another type',
      `  type: http\n  http: { url: "${URL}" }\n  tcp: { host: a, port: 1 }\n`,
      [['tcp: |{ host: a', 'spec.tcp: a http check takes no tcp block']],
    ],
    [
      'a missing block for the type',
      '  type: tcp\n',
      [['  |service: shop', 'spec: a tcp check needs a tcp block']],
    ],
    [
      'every and cron together',
      '  type: tcp\n  every: 1m\n  cron: "*/5 * * * *"\n  tcp: { host: a, port: 1 }\n',
      [['"*/5', 'spec.cron: give either every or cron, not both']],
    ],
    [
      'timeZone without cron',
      '  type: tcp\n  every: 1m\n  timeZone: Europe/Paris\n  tcp: { host: a, port: 1 }\n',
      [['Europe/Paris', 'spec.timeZone: timeZone applies only to cron schedules']],
    ],
    [
      'a heartbeat with every and retries',
      '  type: heartbeat\n  every: 1m\n  retries: 2\n  heartbeat: { period: 1m }\n',
      [
        ['every: |1m', heartbeatOnly('every')],
        ['retries: |2', heartbeatOnly('retries')],
      ],
    ],
    [
      'a heartbeat with cron and timeout',
      '  type: heartbeat\n  cron: "@daily"\n  timeout: 5s\n  heartbeat: { period: 1d }\n',
      [
        ['"@daily"', heartbeatOnly('cron')],
        ['5s', heartbeatOnly('timeout')],
      ],
    ],
    [
      'a browser check with both script and scriptFile',
      '  type: browser\n  browser: { script: "1", scriptFile: a.js }\n',
      [['{ script', 'spec.browser: give either script or scriptFile']],
    ],
    [
      'a browser check with neither script nor scriptFile',
      '  type: browser\n  browser: { viewport: { width: 800, height: 600 } }\n',
      [['{ viewport', 'spec.browser: give either script or scriptFile']],
    ],
    [
      'an HTTP client certificate without its key',
      `  type: http\n  http:\n    url: ${URL}\n    tls: { cert: client.pem }\n`,
      [['{ cert', 'spec.http.tls: a client certificate needs both cert and key']],
    ],
    [
      'a TLS check with a key but no certificate',
      '  type: tls\n  tls: { host: a, key: client.key }\n',
      [['{ host', 'spec.tls: a client certificate needs both cert and key']],
    ],
    [
      'a multistep client certificate without its key',
      `  type: multistep\n  multistep:\n    tls: { cert: c.pem }\n    steps: [{ name: a, url: "${URL}" }]\n`,
      [['{ cert', 'spec.multistep.tls: a client certificate needs both cert and key']],
    ],
    [
      'a jitter that is neither a share nor a duration',
      '  type: tcp\n  jitter: 10 percent\n  tcp: { host: a, port: 1 }\n',
      [
        [
          '10 percent',
          'spec.jitter: jitter "10 percent": give a duration (5s) or a share of the interval (10%)',
        ],
      ],
    ],
    [
      'a condition that does not parse',
      `  type: tcp\n  tcp: { host: a, port: 1 }\n  conditions:\n    - "[CONNECTED] == true"\n    - "${badCondition}"\n`,
      [[`"${badCondition}"`, conditionError('spec.conditions[1]')]],
    ],
    [
      'a degraded condition that does not parse',
      `  type: tcp\n  tcp: { host: a, port: 1 }\n  degradedConditions: ["${badCondition}"]\n`,
      [[`"${badCondition}"`, conditionError('spec.degradedConditions[0]')]],
    ],
    [
      'a step condition that does not parse',
      `  type: multistep\n  multistep:\n    steps:\n      - { name: a, url: "${URL}", conditions: ["${badCondition}"] }\n`,
      [[`"${badCondition}"`, conditionError('spec.multistep.steps[0].conditions[0]')]],
    ],
    [
      'an alert that is neither false nor a severity',
      '  type: tcp\n  alert: true\n  tcp: { host: a, port: 1 }\n',
      [['alert: |true', 'spec.alert: alert is false (no alert) or {severity: NAME}']],
    ],
    [
      'negative retries',
      '  type: tcp\n  retries: -1\n  tcp: { host: a, port: 1 }\n',
      [['-1', 'spec.retries: retries must be 0 or more']],
    ],
    [
      'a port out of range',
      '  type: tcp\n  tcp: { host: a, port: 70000 }\n',
      [['70000', 'spec.tcp.port: port must be 1-65535']],
    ],
    [
      'a relative URL',
      '  type: http\n  http: { url: /health }\n',
      [['/health', 'spec.http.url: url must be an absolute http:// or https:// URL']],
    ],
    [
      'a lower-case method',
      `  type: http\n  http: { url: "${URL}", method: get }\n`,
      [['method: |get', 'spec.http.method: method must be an upper-case HTTP method such as GET or POST']],
    ],
    [
      'an unknown record type',
      '  type: dns\n  dns: { name: a, recordType: AXFR }\n',
      [
        [
          'AXFR',
          'spec.dns.recordType: must be one of "A", "AAAA", "CNAME", "MX", "NS", "TXT", "SRV", "SOA", "PTR", "CAA", got "AXFR"',
        ],
      ],
    ],
    [
      'a body size in an unknown unit',
      `  type: http\n  http: { url: "${URL}", maxBodySize: 1GB }\n`,
      [['1GB', 'spec.http.maxBodySize: maxBodySize is a number of bytes or a size such as 512KiB or 1MiB']],
    ],
    [
      'an extraction of no known shape',
      `  type: multistep\n  multistep:\n    steps:\n      - { name: a, url: "${URL}", extract: { t: { xpath: //a } } }\n`,
      [
        [
          '{ xpath',
          'spec.multistep.steps[0].extract.t: an extraction is {json: PATH}, {header: NAME} or {regex: PATTERN, group: N}',
        ],
      ],
    ],
    [
      'an unknown type',
      '  type: smtp\n',
      [
        [
          'smtp',
          'spec.type: must be one of "http", "multistep", "tcp", "dns", "tls", "browser", "heartbeat", got "smtp"',
        ],
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    const text = checkYaml(spec);
    expect(validate(text)).toEqual(
      expected.map(([needle, message]) => `${at(text, needle)}: error: ${message}`),
    );
  });

  it('a Check naming an unknown service lists the known ones', () => {
    const text = checkYaml('  type: tcp\n  tcp: { host: a, port: 1 }\n', 'cart');
    expect(validate(text)).toEqual([
      `${at(text, 'cart')}: error: unknown service "cart": known services are shop`,
    ]);
  });

  it('with no services at all, the unknown service says how to declare one', () => {
    const text = checkYaml('  type: tcp\n  tcp: { host: a, port: 1 }\n').slice(SERVICE.length);
    expect(validate(text)).toEqual([
      `${at(text, 'shop')}: error: unknown service "shop": declare it with an OpenSLO Service document`,
    ]);
  });
});

describe('an SLO taking its SLI from a Check', () => {
  /** An SLO `checkout` whose good/total both read check `name`. */
  const slo = (name: string) => `---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  service: shop
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
  indicator:
    metadata:
      name: checkout-ok
    spec:
      ratioMetric:
        good:
          metricSource: { type: BallastCheck, spec: { check: ${name} } }
        total:
          metricSource: { type: BallastCheck, spec: { check: ${name} } }
`;
  const tcp = '  type: tcp\n  tcp: { host: a, port: 1 }\n';

  it('naming a defined check validates', () => {
    const bundle = loadSpecSources([{ file: FILE, content: checkYaml(tcp) + slo('web') }]);
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(bundle.slos[0]?.indicator.source).toEqual({ kind: 'check', check: 'web' });
  });

  it('naming an unknown check is an error at the indicator that lists the defined checks', () => {
    const text = checkYaml(tcp) + slo('nope');
    expect(validate(text)).toEqual([
      `${at(text, 'metadata:\n      name: checkout-ok')}: error: SLO checkout takes its SLI from check "nope", which is not defined: defined checks are web`,
    ]);
  });

  it('with no Check at all, the error says how to add one', () => {
    const text = SERVICE + slo('nope').slice('---\n'.length);
    expect(validate(text)).toEqual([
      `${at(text, 'metadata:\n      name: checkout-ok')}: error: SLO checkout takes its SLI from check "nope", which is not defined: add a Check document (apiVersion: ballast.dev/v1, kind: Check)`,
    ]);
  });

  it('naming a check that is invalid reports only the check’s own error', () => {
    const text = checkYaml('  type: tcp\n  tcp: { host: a, port: 0 }\n') + slo('web');
    expect(validate(text)).toEqual([`${at(text, 'port: |0')}: error: spec.tcp.port: port must be 1-65535`]);
  });
});

describe('the ErrorBudgetPolicy kind', () => {
  const policyYaml = (spec: string, service = 'shop') => `${SERVICE}apiVersion: ballast.dev/v1
kind: ErrorBudgetPolicy
metadata:
  name: release
spec:
  service: ${service}
${spec}`;
  const policyOf = (text: string) => {
    const bundle = loadSpecSources([{ file: FILE, content: text }]);
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([]);
    return policyFromBody(bundle.documents.find((d) => d.kind === 'ErrorBudgetPolicy')?.body);
  };

  it.each([
    ['a percentage', '  minBudgetRemaining: 25%\n', 0.25],
    ['a ratio', '  minBudgetRemaining: 0.1\n', 0.1],
    ['zero', '  minBudgetRemaining: 0\n', 0],
    ['nothing: zero (any budget left will do)', '', 0],
  ])('minBudgetRemaining as %s', (_name, spec, min) => {
    expect(policyOf(policyYaml(spec))).toEqual({
      name: 'release',
      service: 'shop',
      minBudgetRemaining: min,
      freezes: [],
    });
  });

  it('freezes become epoch ms, with their reason when given', () => {
    const policy = policyOf(
      policyYaml(`  freezes:
    - { start: "2026-12-20T00:00:00Z", end: "2026-12-27T00:00:00Z", reason: holidays }
    - { start: "2026-06-01T09:00:00+02:00", end: "2026-06-01T18:00:00+02:00" }
`),
    );
    expect(policy?.freezes).toStrictEqual([
      { start: Date.UTC(2026, 11, 20), end: Date.UTC(2026, 11, 27), reason: 'holidays' },
      { start: Date.UTC(2026, 5, 1, 7), end: Date.UTC(2026, 5, 1, 16) },
    ]);
  });

  it.each([
    ['pass', 'pass' as const],
    ['fail', 'fail' as const],
  ])('whenNoData: %s is kept', (_name, value) => {
    expect(policyOf(policyYaml(`  whenNoData: ${value}\n`))?.whenNoData).toBe(value);
  });

  it('a body that does not validate gives no policy', () => {
    expect(
      policyFromBody({ apiVersion: 'ballast.dev/v1', kind: 'ErrorBudgetPolicy', metadata: { name: 'x' } }),
    ).toBeUndefined();
  });

  it.each<[string, string, [needle: string, message: string][]]>([
    [
      'a freeze that ends before it starts',
      '  freezes:\n    - { start: "2026-12-20T00:00:00Z", end: "2026-12-19T00:00:00Z" }\n',
      [['"2026-12-19', 'spec.freezes[0].end: a freeze must end after it starts']],
    ],
    [
      'a freeze that ends when it starts',
      '  freezes:\n    - { start: "2026-12-20T00:00:00Z", end: "2026-12-20T00:00:00Z" }\n',
      [['"2026-12-20T00:00:00Z" }', 'spec.freezes[0].end: a freeze must end after it starts']],
    ],
    [
      'a freeze start that is no date-time (and nothing more)',
      '  freezes:\n    - { start: tomorrow, end: "2026-12-19T00:00:00Z" }\n',
      [
        [
          'tomorrow',
          'spec.freezes[0].start: "tomorrow" is not an ISO 8601 date-time with a zone, such as 2026-12-20T00:00:00Z',
        ],
      ],
    ],
    [
      'a freeze end without a zone',
      '  freezes:\n    - { start: "2026-12-20T00:00:00Z", end: "2026-12-27T00:00:00" }\n',
      [
        [
          '"2026-12-27',
          'spec.freezes[0].end: "2026-12-27T00:00:00" is not an ISO 8601 date-time with a zone, such as 2026-12-20T00:00:00Z',
        ],
      ],
    ],
    [
      'a ratio of 1 or more',
      '  minBudgetRemaining: 1.5\n',
      [['1.5', 'spec.minBudgetRemaining: must be below 1 (a ratio) — or write 10%']],
    ],
    [
      'a negative ratio',
      '  minBudgetRemaining: -0.1\n',
      [['-0.1', 'spec.minBudgetRemaining: must be 0 or more']],
    ],
    [
      'a percentage of 100 or more',
      '  minBudgetRemaining: 100%\n',
      [['100%', 'spec.minBudgetRemaining: must be below 100%']],
    ],
    [
      'a share that is neither (and nothing more)',
      '  minBudgetRemaining: lots\n',
      [['lots', 'spec.minBudgetRemaining: a share is a ratio such as 0.1 or a percentage such as 10%']],
    ],
    ['an unknown field', '  maxBurnRate: 2\n', [['maxBurnRate', 'unknown field "maxBurnRate" in spec']]],
    [
      'whenNoData that is neither pass nor fail',
      '  whenNoData: ignore\n',
      [['ignore', 'spec.whenNoData: must be one of "pass", "fail", got "ignore"']],
    ],
  ])('%s', (_name, spec, expected) => {
    const text = policyYaml(spec);
    expect(validate(text)).toEqual(
      expected.map(([needle, message]) => `${at(text, needle)}: error: ${message}`),
    );
  });

  it('a policy naming an unknown service is an error at spec.service', () => {
    const text = policyYaml('  minBudgetRemaining: 10%\n', 'cart');
    expect(validate(text)).toEqual([
      `${at(text, 'cart')}: error: unknown service "cart": known services are shop`,
    ]);
  });
});
