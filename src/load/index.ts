/**
 * Load testing's public face: the plan and summary types, the HTTP/1.1
 * client, the engine, scenarios and thresholds, reports and capacity search.
 * Other modules import from here, never from the files behind it.
 */

export * from './capacity.ts';
export * from './engine/index.ts';
export * from './http/index.ts';
export * from './report/index.ts';
export { type RunKeyNumbers, runKeyNumbers, type SummaryHead, statusFromSummary } from './runs/index.ts';
export * from './safety.ts';
export * from './scenario/index.ts';
export * from './thresholds/index.ts';
export type * from './types.ts';
