/**
 * A chaos run's link to the server (`ballast chaos run --server`): asks to
 * start (the guards decide), streams the journal every second with the
 * leases held, turns a halt requested there into an abort here, and posts the
 * report at the end.
 */

import { z } from 'zod';
import type { ExperimentDefinition, ExperimentReport, JournalEntry } from '../../chaos/index.ts';
import { ApiRequestError, type BallastClient } from '../../server/client.ts';
import { SloDetailSchema, SloSummarySchema } from '../../server/schemas.ts';
import {
  ChaosJournalAnswerSchema,
  ChaosRunCreatedSchema,
  ChaosRunSchema,
} from '../../server/schemas-chaos.ts';

export class ServerLink {
  readonly #client: BallastClient;
  readonly #pending: JournalEntry[] = [];
  #sent = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  id: string | undefined;

  constructor(client: BallastClient) {
    this.#client = client;
  }

  /** Registers the run; throws the server's 409 (with the refusing reasons as details) when the guards refuse. */
  async start(input: {
    def: ExperimentDefinition;
    plan: string[];
    expectedDurationMs: number;
    override: boolean;
    controller: string;
  }) {
    const created = await this.#client.request('POST', '/chaos/runs', ChaosRunCreatedSchema, {
      experiment: input.def.name,
      service: input.def.service,
      definition: input.def as unknown as Record<string, unknown>,
      plan: input.plan,
      expectedDurationMs: input.expectedDurationMs,
      override: input.override,
      controller: input.controller,
    });
    this.id = created.id;
    return created;
  }

  /** Streams entries every second; `halt` is called once when the server asks the run to stop. */
  stream(opts: {
    leases: () => { daemon: string; id: string }[];
    halt: () => void;
    onError: (m: string) => void;
  }): void {
    let halted = false;
    const tick = () => {
      this.#flushing = this.#flushing
        .then(() => this.#flush(opts.leases()))
        .then((halt) => {
          if (halt && !halted) {
            halted = true;
            opts.halt();
          }
        })
        .catch((err: unknown) => opts.onError(err instanceof Error ? err.message : String(err)));
    };
    this.#timer = setInterval(tick, 1000);
  }

  push(entry: JournalEntry): void {
    this.#pending.push(entry);
  }

  async #flush(leases: { daemon: string; id: string }[]): Promise<boolean> {
    if (!this.id) return false;
    const entries = this.#pending.slice(0);
    const answer = await this.#client.request(
      'POST',
      `/chaos/runs/${this.id}/journal`,
      ChaosJournalAnswerSchema,
      {
        from: this.#sent,
        entries,
        leases,
      },
    );
    this.#pending.splice(0, entries.length);
    this.#sent += entries.length;
    return answer.halt;
  }

  /** Sends what is left of the journal and the report. */
  async finish(report: ExperimentReport, leases: { daemon: string; id: string }[]): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#flushing.catch(() => {});
    if (!this.id) return;
    await this.#flush(leases).catch(() => false);
    await this.#client.request('POST', `/chaos/runs/${this.id}/finish`, ChaosRunSchema, { report });
  }

  /** Remaining budget share of each SLO of the service, for the report. */
  async budgets(service: string): Promise<{ slo: string; remaining: number | null }[]> {
    const slos = await this.#client.request('GET', '/slos', z.array(SloSummarySchema));
    return slos
      .filter((s) => s.service === service)
      .map((s) => ({ slo: s.name, remaining: s.status.budget.remainingRatio }));
  }

  /** The current burn rates of an SLO by window, or undefined when the server has no such SLO. */
  async burnRates(slo: string): Promise<Record<string, number | null> | undefined> {
    try {
      const detail = await this.#client.request('GET', `/slos/${encodeURIComponent(slo)}`, SloDetailSchema);
      return detail.summary.status.burnRates;
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 404) return undefined;
      throw err;
    }
  }
}
