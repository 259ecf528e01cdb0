/**
 * The synthetic-check domain model: what a check is (mapped from a `Check`
 * spec), what one execution observed, and what it came to. Runners, the
 * conditions language, the scheduler, the store and the server all speak
 * these types. Nothing here does IO.
 */

export type CheckType = 'http' | 'multistep' | 'tcp' | 'dns' | 'tls' | 'browser' | 'heartbeat';

/** pass: every condition held; degraded: only degraded conditions failed (slow but working); fail: otherwise. */
export type CheckStatus = 'pass' | 'degraded' | 'fail';

/** Phase durations in ms, named as blackbox_exporter names them (`probe_http_duration_seconds{phase}`). */
export interface PhaseTimings {
  /** DNS lookup (0 for an IP literal). */
  resolve?: number;
  /** TCP connect. */
  connect?: number;
  /** TLS handshake. */
  tls?: number;
  /** Request written → first response byte. */
  processing?: number;
  /** First byte → last byte of the response. */
  transfer?: number;
}

/** Why an execution did not complete the exchange (a condition failing is not an error). */
export type CheckErrorKind =
  | 'dns' // name did not resolve
  | 'connect' // refused, unreachable, reset while connecting
  | 'tls' // handshake failed, certificate rejected
  | 'timeout' // the check's timeout passed
  | 'protocol' // malformed answer, unexpected close, too many redirects
  | 'body_too_large' // the body passed the cap (the result still has the capped part)
  | 'script' // a browser script threw
  | 'missed' // a heartbeat did not arrive in time
  | 'config' // the check cannot run as written (bad URL, unreadable file)
  | 'internal'; // a bug in Ballast: reported, never thrown out of the scheduler

export interface CheckError {
  kind: CheckErrorKind;
  message: string;
}

/** Errors worth retrying when a check retries "only on network errors". */
export const NETWORK_ERROR_KINDS: ReadonlySet<CheckErrorKind> = new Set(['dns', 'connect', 'tls', 'timeout']);

/**
 * The values conditions can read (the placeholders of the conditions language).
 * A runner fills what its protocol has; a placeholder whose value is missing
 * makes its condition fail with "no value".
 */
export interface ConditionContext {
  /** `[STATUS]`: HTTP status. */
  status?: number;
  /** `[RESPONSE_TIME]`: ms for the whole execution (all steps of a multistep check). */
  responseTimeMs: number;
  /** `[BODY]`: response body as text, capped; for DNS the answers joined with newlines, for TCP what was read. */
  body?: string;
  /** `[HEADER].name`: response headers, lower-case names, repeats joined with `, `. */
  headers?: Record<string, string>;
  /** `[CONNECTED]`: the connection was established. */
  connected?: boolean;
  /** `[IP]`: the address connected to (or the first DNS answer). */
  ip?: string;
  /**
   * `[CERTIFICATE_EXPIRATION]`: ms from the execution until the first certificate the server
   * presented expires (the earliest notAfter of the chain; negative: expired).
   */
  certificateExpirationMs?: number;
  /** `[DNS_RCODE]`: NOERROR, NXDOMAIN, SERVFAIL, REFUSED, FORMERR, NOTIMP, ... */
  dnsRcode?: string;
}

/** One certificate the server presented, for display. */
export interface ChainCertificate {
  /** Distinguished name, `CN=example.com, O=Example`. */
  subject: string;
  issuer: string;
  /** Expiry, epoch ms. */
  notAfter: number;
}

/** What a runner observed in one attempt. Conditions are judged on `context` afterwards. */
export interface Observation {
  /** Set when the exchange did not complete. `context` still holds what was learned. */
  error?: CheckError;
  context: ConditionContext;
  phases: PhaseTimings;
  /** Earliest expiry (epoch ms) in the certificate chain the server presented, when TLS was used. */
  certificateNotAfter?: number;
  /** The certificates the server presented, leaf first (TLS checks and https requests). */
  certificateChain?: ChainCertificate[];
  /** Multistep: one entry per step run (the failing one last). */
  steps?: StepObservation[];
  /** Browser: files kept on failure, relative to the artifacts directory. */
  artifacts?: { screenshot?: string; trace?: string };
}

export interface StepObservation {
  name: string;
  status?: number;
  durationMs: number;
  error?: CheckError;
  /** Conditions of the step that failed, as evaluated. */
  failed?: ConditionOutcome[];
  /** Variables this step extracted (values shortened for display). */
  extracted?: Record<string, string>;
}

/** One condition as evaluated, for display: `[STATUS] (503) == 200`. */
export interface ConditionOutcome {
  condition: string;
  ok: boolean;
  /** The condition with the actual values filled in. */
  shown: string;
  /** Degraded conditions only lower the status to `degraded`. */
  degraded?: boolean;
}

/** The result of one scheduled (or CLI) execution, after retries. */
export interface CheckResult {
  check: string;
  service: string;
  type: CheckType;
  /** `local` for now; remote agents will add theirs. */
  location: string;
  startedAt: number;
  durationMs: number;
  status: CheckStatus;
  /** One line: the error, or the first failing condition. */
  reason?: string;
  error?: CheckError;
  conditions: ConditionOutcome[];
  phases: PhaseTimings;
  httpStatus?: number;
  /** Earliest notAfter in the presented chain (as blackbox_exporter's probe_ssl_earliest_cert_expiry). */
  certificateNotAfter?: number;
  certificateChain?: ChainCertificate[];
  /** 1 + retries used. */
  attempts: number;
  steps?: StepObservation[];
  artifacts?: { screenshot?: string; trace?: string };
}

// ── definitions (mapped from the Check spec) ──────────────────────────────

export type RetryBackoff = 'fixed' | 'linear' | 'exponential';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = none). */
  count: number;
  backoff: RetryBackoff;
  /** First delay; linear adds it per retry, exponential doubles it. */
  delayMs: number;
  /** Retry only when the attempt ended in a network error (dns, connect, tls, timeout). */
  onlyNetworkErrors: boolean;
}

export type CheckSchedule =
  | { kind: 'interval'; everyMs: number; jitterMs: number }
  | { kind: 'cron'; expression: string; timeZone: string; jitterMs: number };

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface TlsOptions {
  /** Verify the server certificate (default true). */
  verify: boolean;
  /** PEM contents (read from files at mapping time). */
  ca?: string;
  clientCert?: { cert: string; key: string };
  servername?: string;
}

export interface HttpCheckSpec {
  type: 'http';
  request: HttpRequestSpec;
  followRedirects: boolean;
  maxRedirects: number;
  tls: TlsOptions;
  /** Bytes of body read at most; more is an error of kind body_too_large. */
  maxBodyBytes: number;
}

/** Where a multistep step takes a variable from. */
export type Extraction =
  | { from: 'json'; path: string }
  | { from: 'header'; name: string }
  | { from: 'regex'; pattern: string; group: number };

export interface MultistepStep {
  name: string;
  request: HttpRequestSpec;
  /** Variables for later steps: `${name}` in URL, headers and body. */
  extract: Record<string, Extraction>;
  conditions: string[];
}

export interface MultistepCheckSpec {
  type: 'multistep';
  steps: MultistepStep[];
  followRedirects: boolean;
  maxRedirects: number;
  tls: TlsOptions;
  maxBodyBytes: number;
}

export interface TcpCheckSpec {
  type: 'tcp';
  host: string;
  port: number;
  /** Written after connecting. */
  send?: string;
  /** Read until this substring arrives (or the timeout). */
  expect?: string;
  maxBodyBytes: number;
}

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'NS' | 'TXT' | 'SRV' | 'SOA' | 'PTR' | 'CAA';

export interface DnsCheckSpec {
  type: 'dns';
  name: string;
  recordType: DnsRecordType;
  /** `host:port` of the resolver (default port 53); undefined: the system's. */
  resolver?: string;
}

export interface TlsCheckSpec {
  type: 'tls';
  host: string;
  port: number;
  tls: TlsOptions;
}

export interface BrowserCheckSpec {
  type: 'browser';
  /** Body of an async function of `(page, context, expect, env)`. */
  script: string;
  /** File the script came from, for error messages. */
  scriptFile?: string;
  viewport: { width: number; height: number };
  /**
   * The script's `env` object: the variables it reads as `env.NAME`, filled in
   * for one run only (never part of a stored definition).
   */
  env?: Record<string, string>;
}

export interface HeartbeatCheckSpec {
  type: 'heartbeat';
  /** Pings are expected at least this often... */
  periodMs: number;
  /** ...plus this much slack. */
  graceMs: number;
}

export type CheckTypeSpec =
  | HttpCheckSpec
  | MultistepCheckSpec
  | TcpCheckSpec
  | DnsCheckSpec
  | TlsCheckSpec
  | BrowserCheckSpec
  | HeartbeatCheckSpec;

/** A check, as the rest of Ballast sees it. */
export interface CheckDefinition {
  name: string;
  service: string;
  displayName?: string;
  description?: string;
  tags: string[];
  locations: string[];
  schedule: CheckSchedule;
  timeoutMs: number;
  retries: RetryPolicy;
  /** Consecutive failing results before the check is failing (and alerts). */
  failAfter: number;
  /** Consecutive passing results before a failing check recovers. */
  recoverAfter: number;
  /** Must all hold, else the result fails. */
  conditions: string[];
  /** Must all hold, else the result is degraded (when nothing failed). */
  degradedConditions: string[];
  /** Severity of the alert raised when the check starts failing; undefined: no alert. */
  alertSeverity?: string;
  /** false: scheduled runs are paused (the CLI still runs it). */
  enabled: boolean;
  spec: CheckTypeSpec;
}
