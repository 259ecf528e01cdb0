import { EventEmitter } from 'node:events';
import type { SecondSample } from '../load/types.ts';
import type { AlertTransition, SloStatus } from '../slo/model.ts';
import type { LoadRunListItem } from './schemas.ts';

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
