/**
 * Chaos experiments' public face: the Experiment kind, its model and plan,
 * the guards, the runner and its journal. Importing it registers the
 * Experiment kind with the spec loader.
 */
import './experiment/register.ts';

export { FaultDaemonClient, FaultDaemonError } from './daemon/index.ts';
export { createDaemonFaults, type DaemonFaults } from './experiment/daemon-faults.ts';
export { decideGuards, type GuardDecision, type GuardReason } from './experiment/guards.ts';
export type * from './experiment/journal.ts';
export { outcomeExitCode } from './experiment/journal.ts';
export { type LoadedExperiment, loadExperimentFile } from './experiment/load-file.ts';
export * from './experiment/model.ts';
export { describeFault, formatPlan, type MethodPlan, planMethod } from './experiment/plan.ts';
export { preflight } from './experiment/preflight.ts';
export { createProbePort, type ProbeDeps } from './experiment/probes.ts';
export * from './experiment/runner.ts';
export { experimentDocumentSchema } from './experiment/spec.ts';
