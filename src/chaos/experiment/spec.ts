/**
 * The `Experiment` kind (`apiVersion: ballast.dev/v1`): a strict zod schema.
 * Fault bodies (`toxic`, `http`, `host`) are checked here only for their shape
 * as objects; the fault daemon owns their full validation and the runner asks
 * it before anything is applied, so nothing is half-applied.
 */
import { z } from 'zod';
import { durationField, metadataSchema, NAME_PATTERN, positiveField } from '../../spec/index.ts';

const name = z.string().regex(NAME_PATTERN, {
  error: 'must be lowercase letters, digits, "-", "." or "_", starting and ending with a letter or digit',
});

const url = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+/, { error: 'must be an absolute http:// or https:// URL' });

const httpRequest = z.strictObject({
  url,
  method: z
    .string()
    .regex(/^[A-Z]+$/, { error: 'method must be upper case, e.g. GET' })
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  timeout: durationField().optional(),
});

/** An HTTP probe: the request, and conditions in the checks' language (default `[STATUS] < 400`). */
const httpProbe = httpRequest.extend({
  conditions: z.array(z.string().min(1)).min(1).optional(),
});

const PROBE_KINDS = ['check', 'http', 'slo', 'promql'] as const;

/**
 * A probe: exactly one of `check` (a Check by name, run by the controller), `http`,
 * `slo` (with `window` and `maxBurnRate`), or `promql` (with `min` and/or `max`).
 */
export const probeSchema = z
  .strictObject({
    name,
    check: name.optional(),
    http: httpProbe.optional(),
    slo: name.optional(),
    window: z.string().min(1).optional(),
    maxBurnRate: positiveField('maxBurnRate').optional(),
    promql: z.string().min(1).optional(),
    prometheus: url.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** What a probe without data (an SLO with no events, an empty query) counts as; default fail. */
    whenNoData: z.enum(['pass', 'fail']).optional(),
  })
  .superRefine((p, ctx) => {
    const kinds = PROBE_KINDS.filter((k) => p[k] !== undefined);
    if (kinds.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `probe ${p.name} needs exactly one of ${PROBE_KINDS.join(', ')}${kinds.length ? ` (has ${kinds.join(' and ')})` : ''}`,
      });
    if (kinds.length !== 1) return;
    if (p.slo !== undefined) {
      if (p.window === undefined)
        ctx.addIssue({ code: 'custom', path: ['window'], message: 'an slo probe needs window, e.g. 5m' });
      if (p.maxBurnRate === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['maxBurnRate'],
          message: 'an slo probe needs maxBurnRate, e.g. 10',
        });
    } else {
      for (const k of ['window', 'maxBurnRate'] as const)
        if (p[k] !== undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: `${k} belongs to slo probes` });
    }
    if (p.promql !== undefined) {
      if (p.min === undefined && p.max === undefined)
        ctx.addIssue({ code: 'custom', path: ['promql'], message: 'a promql probe needs min and/or max' });
    } else {
      for (const k of ['prometheus', 'min', 'max'] as const)
        if (p[k] !== undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: `${k} belongs to promql probes` });
    }
  });

const faultBody = z.record(z.string(), z.unknown());
const STEP_KINDS = ['toxic', 'http', 'host', 'pause', 'load'] as const;

/**
 * One step of the method: a fault (`toxic`, `http` or `host`, held for `duration`),
 * a `pause`, or `load` (a LoadTest by name, run in the background from there on).
 */
export const stepSchema = z
  .strictObject({
    name: name.optional(),
    toxic: faultBody.optional(),
    http: faultBody.optional(),
    host: faultBody.optional(),
    pause: durationField().optional(),
    load: name.optional(),
    /** The fault daemon for this step; default the experiment's. */
    daemon: url.optional(),
    duration: durationField().optional(),
    /** Start the next step at once instead of waiting for this fault's duration to end. */
    background: z.boolean().optional(),
  })
  .superRefine((s, ctx) => {
    const kinds = STEP_KINDS.filter((k) => s[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `a method step needs exactly one of ${STEP_KINDS.join(', ')}${kinds.length ? ` (has ${kinds.join(' and ')})` : ''}`,
      });
      return;
    }
    const fault = kinds[0] === 'toxic' || kinds[0] === 'http' || kinds[0] === 'host';
    if (fault && s.duration === undefined)
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'a fault step needs duration, e.g. 30s' });
    if (fault && s.name === undefined)
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'a fault step needs a name' });
    if (!fault)
      for (const k of ['duration', 'background', 'daemon'] as const)
        if (s[k] !== undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: `${k} belongs to fault steps` });
  });

/** An abort rule: a steady-state probe by name, or a probe of its own. */
const abortSchema = z.union([z.strictObject({ probe: name }), probeSchema], {
  error: 'an abort rule is { probe: NAME } or a probe (name with one of check, http, slo, promql)',
});

export const experimentSpecSchema = z.strictObject({
  service: name,
  description: z.string().optional(),
  /** The fault daemon (`ballast chaos proxy`) that holds this experiment's faults. */
  daemon: url.optional(),
  /** How long a fault outlives a silent controller (default 15s). */
  leaseTtl: durationField().optional(),
  probeInterval: durationField().optional(),
  /** How long to wait after the faults for steady state to come back (default 2m). */
  recoveryTimeout: durationField().optional(),
  steadyState: z.strictObject({ probes: z.array(probeSchema).min(1) }),
  method: z.array(stepSchema).min(1),
  rollbacks: z.array(z.strictObject({ name, http: httpRequest })).optional(),
  abort: z.array(abortSchema).optional(),
  blastRadius: z
    .strictObject({
      /** Faults active at the same time. */
      maxFaults: z.number().int().positive().optional(),
      /** The longest the whole method may take. */
      maxDuration: durationField().optional(),
      /** The highest toxicity a toxic may have (0..1). */
      maxToxicity: z.number().min(0).max(1).optional(),
    })
    .optional(),
});

export const experimentDocumentSchema = z.strictObject({
  apiVersion: z.literal('ballast.dev/v1'),
  kind: z.literal('Experiment'),
  metadata: metadataSchema,
  spec: experimentSpecSchema,
});

export type ExperimentDocument = z.infer<typeof experimentDocumentSchema>;
export type ProbeSpec = z.infer<typeof probeSchema>;
export type StepSpec = z.infer<typeof stepSchema>;
