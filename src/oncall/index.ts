/**
 * On-call: users and teams, schedules (who is on call when, iCal feeds),
 * escalation policies (whom to page in which order), what paging should do
 * for an incident at an instant, delivering pages (webhook, e-mail, Slack)
 * with signed acknowledge links, and their spec kinds (`User`, `Team`,
 * `Schedule`, `EscalationPolicy` of `ballast.dev/v1`, registered with the spec
 * loader on import). Knows nothing of incidents: the server wires the two.
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
export {
  type AckAction,
  type AckClaims,
  type AckLinkVerdict,
  type Delivery,
  displayTarget,
  MIN_SECRET_BYTES,
  Notifier,
  type NotifierConfig,
  type Page,
  type SmtpConfig,
  signAckLink,
  verifyAckLink,
} from './notify/index.ts';
export {
  type PagingFacts,
  type PagingPlan,
  type PagingWindow,
  planPaging,
  type SentPage,
} from './paging-plan.ts';
export { type Gap, gaps, onCallAt, shifts } from './schedule.ts';
export {
  DEFAULT_STEP_DELAY_MS,
  escalationPolicyFromDocument,
  type KnownNames,
  type Mapped,
  scheduleFromDocument,
  teamFromDocument,
  unknownName,
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
