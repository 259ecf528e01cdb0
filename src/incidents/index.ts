/**
 * Incidents: alert intake (Alertmanager webhook, PagerDuty Events v2, the SLO
 * engine and checks), dedup, grouping and routing, the lifecycle state
 * machine, the timeline, edits, merges, postmortems, public updates and
 * metrics, and the service that applies all of it through a narrow store
 * interface. The only way into the module.
 */

export { type Applied, type ApplyContext, applyAlert } from './apply-alert.ts';
export {
  addPublicUpdate,
  addTask,
  type Edit,
  type FieldPatch,
  patchFields,
  setPostmortem,
  type TaskInput,
  updateTask,
} from './edits.ts';
export {
  chooseIncident,
  DEFAULT_GROUPING,
  DEFAULT_GROUPING_WINDOW_MS,
  DEFAULT_SEVERITY_TABLE,
  type GroupingCandidate,
  type GroupingDecision,
  type GroupingReason,
  type GroupingRules,
  groupKey,
  type Matcher,
  type Route,
  type RoutingFallback,
  type RoutingRule,
  route,
  routingRuleProblems,
  urgencyOf,
} from './grouping.ts';
export {
  type AlertmanagerWebhook,
  alertmanagerWebhookSchema,
  fromAlertmanager,
  severityOf,
} from './intake/alertmanager.ts';
export {
  EVENTS_V2_SEVERITIES,
  type EventsV2Event,
  fromEventsV2,
  validateEventsV2,
} from './intake/events-v2.ts';
export { RateLimiter } from './intake/rate-limit.ts';
export { integrationScope } from './intake/scope.ts';
export {
  ACTIVE_STATES,
  type AckOutcome,
  acknowledge,
  allowedMoves,
  type CorrectionResult,
  correctMilestone,
  FINAL_STATES,
  MILESTONE_LABELS,
  MILESTONE_ORDER,
  type MilestoneConflict,
  type MoveError,
  type MoveOptions,
  type MoveResult,
  move,
  type NewTimelineEntry,
  retrigger,
} from './lifecycle.ts';
export { type MergeError, type MergePlan, planMerge } from './merge.ts';
export {
  type DurationStats,
  type IncidentMetrics,
  incidentMetrics,
  isOffHours,
  type MetricsQuery,
  type PageRecord,
  type ShiftPages,
  type ShiftRecord,
} from './metrics.ts';
export type {
  IncidentFilter,
  IncidentRepo,
  IncidentStore,
  IngestedAlert,
  MaintenanceWindow,
  PendingAlertEvent,
} from './ports.ts';
export {
  humanDuration,
  type PostmortemEvidence,
  placeholder,
  postmortemMarkdown,
  type SloImpact,
} from './postmortem.ts';
export { type PublicIncident, publicIncident } from './public.ts';
export {
  type ChangeError,
  type Declaration,
  IncidentService,
  type IncidentServiceOptions,
  type IntakeOutcome,
} from './service.ts';
export type * from './types.ts';
export { INCIDENT_STATES, SEVERITIES } from './types.ts';
