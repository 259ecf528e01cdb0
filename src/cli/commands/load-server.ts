/**
 * `--server`: sends a run to a Ballast server while it runs (the run, each
 * second's sample, the final summary) and a capacity measurement afterwards.
 * A server that cannot be reached never stops the load test: the first
 * failure is reported once on stderr and later sends are skipped.
 */
import { z } from 'zod';
import type { CapacityResult } from '../../load/capacity.ts';
import type { LoadPlan, LoadSummary, SecondSample } from '../../load/types.ts';
import { BallastClient } from '../../server/client.ts';
import { CapacitySchema, LoadRunCreatedSchema, LoadRunListItemSchema } from '../../server/schemas.ts';

const AnySchema = z.unknown();

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Streams one run to the server: create, then seconds in order (batched while a send is in flight), then the summary. */
export class ServerRunReporter {
  readonly #client: BallastClient;
  readonly #id: string;
  readonly #warn: (message: string) => void;
  #pending: SecondSample[] = [];
  #sending: Promise<void> = Promise.resolve();
  #broken = false;

  private constructor(client: BallastClient, id: string, warn: (message: string) => void) {
    this.#client = client;
    this.#id = id;
    this.#warn = warn;
  }

  /** Creates the run on the server; resolves undefined (after a warning) when the server is unreachable. */
  static async start(
    server: string,
    token: string | undefined,
    plan: LoadPlan,
    warn: (message: string) => void,
  ): Promise<ServerRunReporter | undefined> {
    const client = new BallastClient(server, token ?? process.env.BALLAST_TOKEN);
    try {
      const body = { name: plan.name, plan, ...(plan.service ? { service: plan.service } : {}) };
      const created = await client.request('POST', '/load/runs', LoadRunCreatedSchema, body);
      return new ServerRunReporter(client, created.id, warn);
    } catch (err) {
      warn(`--server: could not create the run on ${server}: ${describe(err)}; the test runs without it`);
      return undefined;
    }
  }

  get id(): string {
    return this.#id;
  }

  /** Queues one second; sends now, or with the next batch if a send is in flight. */
  second(sample: SecondSample): void {
    if (this.#broken) return;
    this.#pending.push(sample);
    if (this.#pending.length > 1) return;
    this.#sending = this.#sending.then(() => this.#flush());
  }

  async #flush(): Promise<void> {
    const samples = this.#pending;
    this.#pending = [];
    if (samples.length === 0 || this.#broken) return;
    try {
      await this.#client.request('POST', `/load/runs/${encodeURIComponent(this.#id)}/seconds`, AnySchema, {
        samples,
      });
    } catch (err) {
      this.#broken = true;
      this.#warn(`--server: could not send live samples: ${describe(err)}; later samples are skipped`);
    }
  }

  /** Marks the run failed (the engine threw: bad target, crash) so the server does not show it running forever. */
  async fail(message: string): Promise<void> {
    await this.#sending;
    try {
      await this.#client.request('POST', `/load/runs/${encodeURIComponent(this.#id)}/fail`, AnySchema, {
        message: message.slice(0, 2000),
      });
    } catch (err) {
      this.#warn(`--server: could not mark the run failed: ${describe(err)}`);
    }
  }

  /** Waits for queued seconds, then stores the summary. Returns false when it could not. */
  async finish(summary: LoadSummary): Promise<boolean> {
    await this.#sending;
    try {
      await this.#client.request(
        'PUT',
        `/load/runs/${encodeURIComponent(this.#id)}/summary`,
        LoadRunListItemSchema,
        summary,
      );
      return true;
    } catch (err) {
      this.#warn(`--server: could not store the summary: ${describe(err)}`);
      return false;
    }
  }
}

/** Stores a measured capacity as the service's capacity (`PUT /services/{name}/capacity`). */
export async function sendCapacity(
  server: string,
  token: string | undefined,
  service: string,
  result: CapacityResult,
  slo: string | undefined,
  measuredAt: Date,
): Promise<void> {
  if (result.capacity === null) return;
  const client = new BallastClient(server, token ?? process.env.BALLAST_TOKEN);
  await client.request('PUT', `/services/${encodeURIComponent(service)}/capacity`, CapacitySchema, {
    ratePerSecond: result.capacity,
    measuredAt: measuredAt.toISOString(),
    ...(slo ? { slo } : {}),
    steps: result.steps,
  });
}
