/**
 * Check scheduling: when checks run (pure timing, retry and health rules) and
 * the scheduler that runs them.
 */
export { deadlineMarginMs, executionDeadlineMs } from './deadline.ts';
export {
  advanceHealth,
  type HealthState,
  type HealthThresholds,
  type HealthUpdate,
  initialHealth,
} from './health.ts';
export { MAX_RETRY_DELAY_MS, retryDelayMs, shouldRetry } from './retry.ts';
export { CheckScheduler, type SchedulerOptions, type SchedulerStats } from './scheduler.ts';
export { cronError, firstRunAt, jitterOf, nextRunAt, phaseOf } from './timing.ts';
