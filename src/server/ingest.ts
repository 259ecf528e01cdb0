import { eventsToBuckets } from '../slo/index.ts';
import { requireSlo, type ServerContext } from './context.ts';
import { HttpError } from './errors.ts';
import { validateEventBatch } from './ingest-validate.ts';
import type { IngestResponse } from './schemas.ts';

/**
 * Ingests one batch of SLI events for one SLO: the whole batch is validated
 * first (nothing is written when any event is bad), then turned into
 * per-minute buckets (and raw samples where the budgeting method needs them),
 * stored, and fed to the live engine. The API route, the demo workload and
 * (later) the checks module all come through here.
 */
export async function ingestEvents(
  ctx: ServerContext,
  sloName: string,
  body: unknown,
): Promise<IngestResponse> {
  const def = requireSlo(ctx, sloName);
  if (def.indicator.source.kind === 'prometheus') {
    throw new HttpError(
      409,
      'conflict',
      `SLO "${def.name}" reads its SLI from Prometheus; events cannot be pushed to it`,
      [{ path: 'name', message: 'Prometheus-backed SLO' }],
    );
  }
  const events = validateEventBatch(def, body, ctx.now());
  const { buckets, samples } = eventsToBuckets(def, events);
  if (samples.length > 0) await ctx.store.addSamples(def.name, samples);
  await ctx.runtime.addBuckets(def.name, buckets);
  return { slo: def.name, accepted: events.length, buckets: buckets.length };
}
