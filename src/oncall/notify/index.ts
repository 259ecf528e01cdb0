/** Notification channels and signed acknowledgement links. */
export type { AckAction, AckClaims, AckLinkVerdict } from './ack-link.ts';
export { MIN_SECRET_BYTES, signAckLink, verifyAckLink } from './ack-link.ts';
export type { NotifierConfig } from './notifier.ts';
export { Notifier } from './notifier.ts';
export type { EmailMessage, SlackPayload, WebhookPayload } from './render.ts';
export { displayTarget, emailMessage, pageHeadline, slackPayload, webhookPayload } from './render.ts';
export type { SmtpConfig } from './smtp.ts';
export type { AttemptRecord, Delivery, Page } from './types.ts';
