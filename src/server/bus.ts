import { EventEmitter } from 'node:events';
import type { CheckResult } from '../checks/types.ts';
import type { Incident, TimelineEntry } from '../incidents/index.ts';
import type { SecondSample } from '../load/types.ts';
import type { AlertTransition, SloStatus } from '../slo/model.ts';
import type { CheckHealthRecord } from '../store/types.ts';
import type { LoadRunListItem } from './schemas.ts';
import type { ChaosRun } from './schemas-chaos.ts';

/** Events published inside one `ballast serve` process. */
export interface BusEvents {
  /** An alert changed state (the incident module subscribes to these). */
  alert: [transition: AlertTransition];
  /** A fresh evaluation of one SLO. */
  'slo-status': [status: SloStatus];
  /** A load-test run was created (sent with `ballast load run --server`). */
  'load-started': [run: LoadRunListItem];
  /** Per-second samples of a running load test arrived. */
  'load-second': [event: { runId: string; samples: SecondSample[] }];
  /** A load-test run ended (finished, aborted or failed). */
  'load-finished': [run: LoadRunListItem];
  /** A check result was stored (scheduled, run now, or a heartbeat ping or miss). */
  'check-result': [event: { result: CheckResult & { id: number }; health: CheckHealthRecord }];
  /** An incident was opened or changed, with the timeline entries the change added. */
  incident: [event: { incident: Incident; entries: TimelineEntry[] }];
  /** A chaos run started, changed (halt requested) or ended. */
  chaos: [event: { run: ChaosRun }];
  /** Journal entries of a running chaos run arrived. */
  'chaos-journal': [event: { runId: string; from: number; entries: Record<string, unknown>[] }];
  /** An API token was revoked: streams opened with it end. */
  'token-revoked': [tokenId: string];
}

/**
 * The in-process event bus: a typed EventEmitter. Listeners run synchronously,
 * so a slow subscriber should hand work off rather than block evaluation.
 *
 * @example
 * bus.on('alert', (t) => console.log(t.slo, t.to));
 */
export class EventBus extends EventEmitter<BusEvents> {
  constructor() {
    super();
    // SSE clients each add listeners; a busy dashboard must not trip the leak warning.
    this.setMaxListeners(0);
  }
}
