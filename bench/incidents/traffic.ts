/**
 * The intake benchmark's traffic: a catalogue of alerts (about 1,000 dedup
 * keys over a few services, one Events v2 integration per service, as teams
 * usually wire PagerDuty) and the load plans that send them through
 * `POST /api/v1/integrations/events/v2/enqueue` with Ballast's own engine.
 * Pure: the caller writes the catalogue to a file and runs the plans.
 */
import type { ExecutorSpec, LoadPlan, RequestTemplate } from '../../src/load/types.ts';

/** The services the alerts belong to; each gets its own integration (routing key). */
export const SERVICES = ['checkout', 'payments', 'search', 'accounts'] as const;

/** Share of the events of each action (per 100): mostly triggers, as monitoring tools re-fire. */
export const ACTION_WEIGHTS = { trigger: 80, acknowledge: 10, resolve: 10 } as const;

/** One alert a monitoring tool may send again and again: a row of the JSON data file. */
export interface CatalogueAlert {
  routing_key: string;
  dedup_key: string;
  service: string;
  summary: string;
  source: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  component: string;
  group: string;
  class: string;
}

const CHECKS = ['HighErrorRate', 'HighLatency', 'PodCrashLooping', 'DiskFilling', 'QueueBacklog'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'];

/**
 * `count` distinct alerts spread evenly over `SERVICES`, each with the routing
 * key of its service's integration. Deterministic, and every value is plain
 * ASCII without quotes, so it can be pasted into a JSON body template as is.
 */
export function alertCatalogue(routingKeys: Record<string, string>, count = 1000): CatalogueAlert[] {
  return Array.from({ length: count }, (_, i) => {
    const service = SERVICES[i % SERVICES.length] as string;
    const routingKey = routingKeys[service];
    if (routingKey === undefined) throw new Error(`no routing key for service ${service}`);
    const check = CHECKS[Math.floor(i / SERVICES.length) % CHECKS.length] as string;
    const pod = Math.floor(i / (SERVICES.length * CHECKS.length));
    const region = REGIONS[pod % REGIONS.length] as string;
    return {
      routing_key: routingKey,
      dedup_key: `${service}-${check}-pod-${pod}`,
      service,
      summary: `${check} on ${service} pod ${pod} in ${region}`,
      source: `${service}-${pod}.${region}.prod.example`,
      // Mostly warnings and errors, a few pages and infos, as real alert mixes go.
      severity: SEVERITIES[[1, 2, 1, 2, 0, 2, 1, 3][i % 8] as number] as CatalogueAlert['severity'],
      component: service,
      group: region,
      class: check,
    };
  });
}

export interface IntakePlanOptions {
  /** Base URL of the server (`http://127.0.0.1:PORT`). */
  serverUrl: string;
  /** Absolute path of the catalogue written as a JSON array. */
  catalogueFile: string;
  executor: ExecutorSpec;
  /**
   * First value of the per-trigger counter in `custom_details`. Each step
   * starts where no earlier one reached, so no trigger body repeats: a repeated
   * body is a sender's retry, which the server answers as a replay without
   * applying it, and would flatter the figures.
   */
  sequenceStart: number;
  /** 'sequential' walks the catalogue once in order (seeding); 'random' draws a key per event. */
  order: 'sequential' | 'random';
  /** Only triggers (seeding every key), or the trigger/acknowledge/resolve mix. */
  actions: 'triggers' | 'mix';
  maxConnections: number;
}

/** The plan for one run: templated Events v2 bodies, 202 expected, one worker. */
export function intakePlan(o: IntakePlanOptions): LoadPlan {
  const url = `${o.serverUrl}/api/v1/integrations/events/v2/enqueue`;
  const request = (name: string, weight: number, body: string): RequestTemplate => ({
    name,
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body,
    weight,
    checks: [{ kind: 'status', in: [202] }],
    tags: {},
  });
  const trigger = request(
    'trigger',
    ACTION_WEIGHTS.trigger,
    JSON.stringify({
      routing_key: '${a.routing_key}',
      event_action: 'trigger',
      dedup_key: '${a.dedup_key}',
      payload: {
        summary: '${a.summary}',
        source: '${a.source}',
        severity: '${a.severity}',
        component: '${a.component}',
        group: '${a.group}',
        class: '${a.class}',
        custom_details: { value: '${value}', event: '${n}' },
      },
    }),
  );
  // Acknowledge and resolve carry no payload in Events v2: only the key and the action.
  const bare = (action: 'acknowledge' | 'resolve') =>
    request(
      action,
      ACTION_WEIGHTS[action],
      JSON.stringify({ routing_key: '${a.routing_key}', event_action: action, dedup_key: '${a.dedup_key}' }),
    );
  return {
    name: 'events-v2-intake',
    executor: o.executor,
    requests: o.actions === 'triggers' ? [trigger] : [trigger, bare('acknowledge'), bare('resolve')],
    variables: [
      { kind: 'json', name: 'a', file: o.catalogueFile, order: o.order },
      { kind: 'sequence', name: 'n', start: o.sequenceStart },
      { kind: 'randomInt', name: 'value', min: 1, max: 10_000 },
    ],
    thresholds: [],
    http: {
      maxConnections: o.maxConnections,
      pipelining: 1,
      timeoutMs: 10_000,
      insecureSkipVerify: false,
      keepAlive: true,
    },
    limits: { maxRatePerSecond: 100_000, maxDurationMs: 600_000, maxVUs: 1_000 },
    allowHosts: [],
    workers: 1,
    tags: {},
  };
}
