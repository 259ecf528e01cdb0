/**
 * Check results on `/metrics`, named as blackbox_exporter names them so an
 * existing Prometheus (and its dashboards and alert rules) reads them as
 * probes: `probe_success`, `probe_duration_seconds{phase}`,
 * `probe_http_status_code`, `probe_ssl_earliest_cert_expiry`. Each series
 * carries `check`, `service`, `type` and `location`; values come from the
 * newest result of each check at scrape time.
 */
import { Gauge, type Registry } from 'prom-client';
import type { CheckDefinition, CheckResult, PhaseTimings } from '../checks/index.ts';

export interface CheckMetricsSource {
  checks: CheckDefinition[];
  latest(name: string): CheckResult | undefined;
  health(name: string): { state: 'passing' | 'failing' } | undefined;
}

const LABELS = ['check', 'service', 'type', 'location'] as const;
const PHASES: (keyof PhaseTimings)[] = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

function each(
  source: CheckMetricsSource,
  fn: (r: CheckResult, labels: Record<(typeof LABELS)[number], string>) => void,
): void {
  for (const c of source.checks) {
    const r = source.latest(c.name);
    if (r) fn(r, { check: c.name, service: c.service, type: c.spec.type, location: r.location });
  }
}

/** Adds the probe gauges to `registry`. */
export function addCheckMetrics(registry: Registry, source: CheckMetricsSource): void {
  new Gauge({
    name: 'probe_success',
    help: 'Whether the newest run of the check succeeded (1; degraded counts as success) or failed (0).',
    labelNames: LABELS,
    registers: [registry],
    collect() {
      this.reset();
      each(source, (r, l) => this.set(l, r.status === 'fail' ? 0 : 1));
    },
  });
  new Gauge({
    name: 'probe_duration_seconds',
    help: 'Duration of the newest run of the check by phase (resolve, connect, tls, processing, transfer) and in total (phase="total").',
    labelNames: [...LABELS, 'phase'],
    registers: [registry],
    collect() {
      this.reset();
      each(source, (r, l) => {
        for (const phase of PHASES) {
          const ms = r.phases[phase];
          if (ms !== undefined) this.set({ ...l, phase }, ms / 1000);
        }
        this.set({ ...l, phase: 'total' }, r.durationMs / 1000);
      });
    },
  });
  new Gauge({
    name: 'probe_http_status_code',
    help: 'HTTP status of the newest run of an HTTP, multistep or browser check (0 without a response).',
    labelNames: LABELS,
    registers: [registry],
    collect() {
      this.reset();
      each(source, (r, l) => {
        if (r.type === 'http' || r.type === 'multistep' || r.type === 'browser')
          this.set(l, r.httpStatus ?? 0);
      });
    },
  });
  new Gauge({
    name: 'probe_ssl_earliest_cert_expiry',
    help: 'Earliest expiry among the certificates the server presented to the newest run, as a Unix timestamp in seconds.',
    labelNames: LABELS,
    registers: [registry],
    collect() {
      this.reset();
      each(source, (r, l) => {
        if (r.certificateNotAfter !== undefined) this.set(l, Math.floor(r.certificateNotAfter / 1000));
      });
    },
  });
  new Gauge({
    name: 'ballast_check_failing',
    help: '1 while the check is past its failure threshold (and alerting), else 0.',
    labelNames: ['check', 'service'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of source.checks)
        this.set({ check: c.name, service: c.service }, source.health(c.name)?.state === 'failing' ? 1 : 0);
    },
  });
}
