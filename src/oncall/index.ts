/**
 * On-call: users and teams, schedules (who is on call when, iCal feeds),
 * escalation policies (whom to page in which order), and their spec kinds
 * (`User`, `Team`, `Schedule`, `EscalationPolicy` of `ballast.dev/v1`,
 * registered with the spec loader on import).
 */
import './spec/register.ts';

export {
  ackTimeoutAt,
  ackTimeoutDue,
  type DueNotification,
  dueNotifications,
  type EscalationContext,
  type EscalationState,
  escalationAt,
  type ResolvedTarget,
  resolveTargets,
} from './escalation.ts';
export { type CalendarOptions, scheduleCalendar, userCalendar } from './ical.ts';
export { type Gap, gaps, onCallAt, shifts } from './schedule.ts';
export {
  DEFAULT_STEP_DELAY_MS,
  escalationPolicyFromDocument,
  type KnownNames,
  type Mapped,
  scheduleFromDocument,
  teamFromDocument,
  userFromDocument,
} from './spec/map.ts';
export { GAP_HORIZON_MS, gapWarning, onCallBundleDiagnostics } from './spec/register.ts';
export {
  escalationPolicyDocumentSchema,
  MAX_REPEAT,
  parseZonedInstant,
  scheduleDocumentSchema,
  teamDocumentSchema,
  userDocumentSchema,
} from './spec/schema.ts';
export type * from './types.ts';
export { isValidTimeZone } from './zone.ts';
