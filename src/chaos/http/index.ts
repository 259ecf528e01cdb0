/**
 * The HTTP fault mode's public face: a reverse proxy that injects faults per
 * rule (delay, abort with a status, connection reset, response delay), the
 * registry of named proxies, and the JSON schemas (camelCase) to build API
 * routes on. Semantics in README.md beside this file.
 */

export { type ListenAddress, parseListen, parseUpstream } from './address.ts';
export { delayMs, type FaultPlan, planFaults, type Random, rolls } from './decide.ts';
export { HttpFaultError, type HttpFaultErrorCode, type HttpFaultIssue } from './errors.ts';
export { FAULT_HEADER } from './headers.ts';
export { compileMatch, type Matcher, type RequestView } from './match.ts';
export {
  createHttpFaultProxy,
  DEFAULT_TIMEOUT_MS,
  type HttpFaultProxy,
  type HttpFaultProxyOptions,
} from './proxy.ts';
export { HttpFaultProxies, type HttpFaultProxiesOptions } from './registry.ts';
export * from './schema.ts';
export {
  type Validated,
  type ValidRule,
  validateHttpFaultProxyConfig,
  validateHttpFaultRule,
} from './validate.ts';
