/**
 * A validated `Check` document → `CheckDefinition`: defaults, durations in ms,
 * certificate and script files read (relative to the spec file). Every problem
 * is a diagnostic at the field that caused it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Diagnostic, type LoadedDocument, parseDuration } from '../../spec/index.ts';
import type {
  CheckDefinition,
  CheckSchedule,
  CheckTypeSpec,
  DnsRecordType,
  Extraction,
  HttpRequestSpec,
  RetryPolicy,
  TlsOptions,
} from '../types.ts';
import { type CheckDocument, type CheckSpecBody, checkDocumentSchema } from './schema.ts';

/** Defaults a check gets unless its spec says otherwise. */
export const CHECK_DEFAULTS = {
  everyMs: 60_000,
  /** Share of the interval used as jitter when none is given. */
  jitterShare: 0.1,
  maxJitterMs: 30_000,
  timeoutMs: 10_000,
  browserTimeoutMs: 60_000,
  maxBodyBytes: 1024 * 1024,
  maxRedirects: 5,
  retryDelayMs: 1_000,
  alertSeverity: 'page',
  heartbeatGraceMs: 60_000,
  viewport: { width: 1280, height: 720 },
} as const;

/** Conditions a check has when its spec lists none. */
export const DEFAULT_CONDITIONS: Record<CheckTypeSpec['type'], string[]> = {
  http: ['[STATUS] < 400'],
  multistep: [],
  tcp: ['[CONNECTED] == true'],
  dns: ['[DNS_RCODE] == NOERROR'],
  tls: ['[CERTIFICATE_EXPIRATION] > 0'],
  browser: [],
  heartbeat: [],
};

type ErrorAt = (path: readonly PropertyKey[], message: string) => void;

/** Maps one Check document; no definition when any error was found. */
export function checkFromDocument(
  doc: LoadedDocument,
  opts: { baseDir: string; knownServices?: ReadonlySet<string> },
): { check?: CheckDefinition; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const error: ErrorAt = (path, message) =>
    diagnostics.push({ file: doc.file, ...doc.locate(path), severity: 'error', message });
  const parsed = checkDocumentSchema.safeParse(doc.body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) error(issue.path, issue.message);
    return { diagnostics };
  }
  const { metadata, spec } = parsed.data as CheckDocument;
  if (opts.knownServices && !opts.knownServices.has(spec.service))
    error(['spec', 'service'], unknownService(spec.service, opts.knownServices));
  const files = fileReader(opts.baseDir, error);
  const typeSpec = mapTypeSpec(spec, files);
  if (diagnostics.some((d) => d.severity === 'error') || !typeSpec) return { diagnostics };
  const conditions = spec.conditions ?? DEFAULT_CONDITIONS[spec.type];
  const degradedConditions = [...(spec.degradedConditions ?? [])];
  if (spec.degradedResponseTime !== undefined)
    degradedConditions.push(`[RESPONSE_TIME] < ${parseDuration(spec.degradedResponseTime)}`);
  const check: CheckDefinition = {
    name: metadata.name,
    service: spec.service,
    tags: spec.tags ?? [],
    locations: spec.locations ?? ['local'],
    schedule: mapSchedule(spec),
    timeoutMs:
      ms(spec.timeout) ??
      (spec.type === 'browser' ? CHECK_DEFAULTS.browserTimeoutMs : CHECK_DEFAULTS.timeoutMs),
    retries: mapRetries(spec.retries),
    failAfter: spec.failAfter ?? 1,
    recoverAfter: spec.recoverAfter ?? 1,
    conditions,
    degradedConditions,
    enabled: spec.enabled ?? true,
    spec: typeSpec,
  };
  if (metadata.displayName !== undefined) check.displayName = metadata.displayName;
  if (spec.description !== undefined) check.description = spec.description;
  if (spec.alert !== false) check.alertSeverity = spec.alert?.severity ?? CHECK_DEFAULTS.alertSeverity;
  return { check, diagnostics };
}

export function unknownService(name: string, known: ReadonlySet<string>): string {
  const list = [...known].sort();
  return `unknown service "${name}": ${list.length ? `known services are ${list.join(', ')}` : 'declare it with an OpenSLO Service document'}`;
}

const ms = (d: string | undefined): number | undefined => (d === undefined ? undefined : parseDuration(d));

function mapSchedule(spec: CheckSpecBody): CheckSchedule {
  if (spec.type === 'heartbeat') {
    // Judged every few seconds by the heartbeat monitor, not run: the interval is its polling period.
    return { kind: 'interval', everyMs: 0, jitterMs: 0 };
  }
  if (spec.cron !== undefined) {
    return {
      kind: 'cron',
      expression: spec.cron,
      timeZone: spec.timeZone ?? 'UTC',
      jitterMs: jitterMs(spec.jitter, 60_000, 0),
    };
  }
  const everyMs = ms(spec.every) ?? CHECK_DEFAULTS.everyMs;
  const fallback = Math.min(CHECK_DEFAULTS.maxJitterMs, Math.round(everyMs * CHECK_DEFAULTS.jitterShare));
  return { kind: 'interval', everyMs, jitterMs: Math.min(jitterMs(spec.jitter, everyMs, fallback), everyMs) };
}

function jitterMs(text: string | undefined, baseMs: number, fallback: number): number {
  if (text === undefined) return fallback;
  if (text.endsWith('%')) return Math.round((baseMs * Number(text.slice(0, -1))) / 100);
  return parseDuration(text) ?? fallback;
}

function mapRetries(r: CheckSpecBody['retries']): RetryPolicy {
  if (r === undefined || typeof r === 'number')
    return {
      count: r ?? 0,
      backoff: 'fixed',
      delayMs: CHECK_DEFAULTS.retryDelayMs,
      onlyNetworkErrors: false,
    };
  return {
    count: r.count,
    backoff: r.backoff ?? 'fixed',
    delayMs: ms(r.delay) ?? CHECK_DEFAULTS.retryDelayMs,
    onlyNetworkErrors: r.onlyNetworkErrors ?? false,
  };
}

/** Reads a file named in the spec (relative to the spec file); an error names the field. */
type FileReader = (path: readonly PropertyKey[], file: string) => string | undefined;

function fileReader(baseDir: string, error: ErrorAt): FileReader {
  return (path, file) => {
    try {
      return readFileSync(resolve(baseDir, file), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      error(
        path,
        `cannot read ${file}${code === 'ENOENT' ? ': file not found' : ` (${code})`} (paths are relative to the spec file)`,
      );
      return undefined;
    }
  };
}

type TlsBody = { verify?: boolean; ca?: string; cert?: string; key?: string; servername?: string };

function mapTls(tls: TlsBody | undefined, path: PropertyKey[], read: FileReader): TlsOptions {
  const out: TlsOptions = { verify: tls?.verify ?? true };
  if (tls?.ca !== undefined) out.ca = read([...path, 'ca'], tls.ca);
  if (tls?.cert !== undefined && tls.key !== undefined) {
    const cert = read([...path, 'cert'], tls.cert);
    const key = read([...path, 'key'], tls.key);
    if (cert !== undefined && key !== undefined) out.clientCert = { cert, key };
  }
  if (tls?.servername !== undefined) out.servername = tls.servername;
  return out;
}

type RequestBody = { method?: string; url: string; headers?: Record<string, string | number>; body?: string };

function mapRequest(r: RequestBody): HttpRequestSpec {
  const req: HttpRequestSpec = {
    method: r.method ?? (r.body !== undefined ? 'POST' : 'GET'),
    url: r.url,
    headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)])),
  };
  if (r.body !== undefined) req.body = r.body;
  return req;
}

const UNITS: Record<string, number> = { B: 1, KB: 1000, KiB: 1024, MB: 1_000_000, MiB: 1024 * 1024 };

function bytes(size: number | string | undefined): number {
  if (size === undefined) return CHECK_DEFAULTS.maxBodyBytes;
  if (typeof size === 'number') return Math.floor(size);
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB)$/.exec(size) as RegExpExecArray;
  return Math.floor(Number(m[1]) * (UNITS[m[2] as string] as number));
}

function mapExtraction(e: { json?: string; header?: string; regex?: string; group?: number }): Extraction {
  if (e.json !== undefined) return { from: 'json', path: e.json };
  if (e.header !== undefined) return { from: 'header', name: e.header };
  return { from: 'regex', pattern: e.regex as string, group: e.group ?? 1 };
}

function mapTypeSpec(spec: CheckSpecBody, read: FileReader): CheckTypeSpec | undefined {
  switch (spec.type) {
    case 'http': {
      const b = spec.http as NonNullable<CheckSpecBody['http']>;
      return {
        type: 'http',
        request: mapRequest(b),
        followRedirects: b.followRedirects ?? true,
        maxRedirects: b.maxRedirects ?? CHECK_DEFAULTS.maxRedirects,
        tls: mapTls(b.tls, ['spec', 'http', 'tls'], read),
        maxBodyBytes: bytes(b.maxBodySize),
      };
    }
    case 'multistep': {
      const b = spec.multistep as NonNullable<CheckSpecBody['multistep']>;
      return {
        type: 'multistep',
        steps: b.steps.map((s) => ({
          name: s.name,
          request: mapRequest(s),
          extract: Object.fromEntries(Object.entries(s.extract ?? {}).map(([k, e]) => [k, mapExtraction(e)])),
          conditions: s.conditions ?? ['[STATUS] < 400'],
        })),
        followRedirects: b.followRedirects ?? true,
        maxRedirects: b.maxRedirects ?? CHECK_DEFAULTS.maxRedirects,
        tls: mapTls(b.tls, ['spec', 'multistep', 'tls'], read),
        maxBodyBytes: bytes(b.maxBodySize),
      };
    }
    case 'tcp': {
      const b = spec.tcp as NonNullable<CheckSpecBody['tcp']>;
      const out: CheckTypeSpec = {
        type: 'tcp',
        host: b.host,
        port: b.port,
        maxBodyBytes: bytes(b.maxBodySize),
      };
      if (b.send !== undefined) out.send = b.send;
      if (b.expect !== undefined) out.expect = b.expect;
      return out;
    }
    case 'dns': {
      const b = spec.dns as NonNullable<CheckSpecBody['dns']>;
      const out: CheckTypeSpec = {
        type: 'dns',
        name: b.name,
        recordType: (b.recordType ?? 'A') as DnsRecordType,
      };
      if (b.resolver !== undefined) out.resolver = b.resolver;
      return out;
    }
    case 'tls': {
      const b = spec.tls as NonNullable<CheckSpecBody['tls']>;
      return { type: 'tls', host: b.host, port: b.port ?? 443, tls: mapTls(b, ['spec', 'tls'], read) };
    }
    case 'browser': {
      const b = spec.browser as NonNullable<CheckSpecBody['browser']>;
      const script = b.script ?? read(['spec', 'browser', 'scriptFile'], b.scriptFile as string);
      if (script === undefined) return undefined;
      const out: CheckTypeSpec = {
        type: 'browser',
        script,
        viewport: b.viewport ?? { ...CHECK_DEFAULTS.viewport },
      };
      if (b.scriptFile !== undefined) out.scriptFile = b.scriptFile;
      return out;
    }
    case 'heartbeat': {
      const b = spec.heartbeat as NonNullable<CheckSpecBody['heartbeat']>;
      return {
        type: 'heartbeat',
        periodMs: parseDuration(b.period) as number,
        graceMs: ms(b.grace) ?? CHECK_DEFAULTS.heartbeatGraceMs,
      };
    }
  }
}
