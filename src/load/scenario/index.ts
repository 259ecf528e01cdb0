/**
 * Scenarios: the `LoadTest` spec kind (registered with the spec loader on
 * import), the CLI's quick form, and the per-worker iteration source.
 */
import './register.ts';

export { parseCsv } from './csv.ts';
export { type LoadedPlans, loadPlansFromFile } from './file.ts';
export { judge, needsBody, needsHeaders } from './judge.ts';
export { DEFAULT_HTTP, loadPlanFromDocument, type PlanContext } from './map.ts';
export { QUICK_DEFAULT_DURATION_MS, type QuickFlags, quickPlan } from './quick.ts';
export { type LoadTestDocument, loadTestSchema } from './schema.ts';
export { createIterationSource, type Iteration, type IterationSource } from './source.ts';
