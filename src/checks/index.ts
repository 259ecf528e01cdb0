/**
 * Synthetic checks: the `Check` spec kind (registered with the spec loader on
 * import), the runners (HTTP, multistep, TCP, DNS, TLS, browser), the
 * conditions language, scheduling, heartbeats and the live monitor the server runs.
 */
import './spec/register.ts';

export { evaluateCondition, parseCondition } from './conditions/index.ts';
export { type ExecuteOptions, executeCheck } from './execute.ts';
export { type Cadence, cadenceOf, staleAt } from './gate/freshness.ts';
export { decideGate, type GateDecision, type GateInput, type GateReason } from './gate/gate.ts';
export { type ErrorBudgetPolicy, errorBudgetPolicySchema, policyFromBody } from './gate/policy.ts';
export { evaluateConditions, judgeObservation } from './judge.ts';
export { CheckMonitor, type MonitorOptions } from './monitor.ts';
export { BrowserHost, type BrowserHostOptions } from './runners/browser-host.ts';
export { CHECK_DEFAULTS, checkFromDocument, DEFAULT_CONDITIONS } from './spec/map.ts';
export { type CheckDocument, checkDocumentSchema } from './spec/schema.ts';
export { renderStatusHtml } from './status/html.ts';
export { buildStatusPage, type ComponentStatus, type StatusPage } from './status/page.ts';
export type * from './types.ts';
