/** The load engine: runs a plan over worker threads and summarises it. */
export { type Tally, viewOf } from './aggregate.ts';
export { runLoad, workerCount } from './run.ts';
export type { LiveStatus, RunOptions } from './types.ts';
export { type GeneratorHealth, invalidReasons, VALIDITY_BOUNDS } from './validity.ts';
