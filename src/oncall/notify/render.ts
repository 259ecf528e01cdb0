/**
 * Renders a page for each channel: the JSON a webhook receives, the message a
 * Slack-compatible incoming webhook posts, the e-mail. Pure: the channels in
 * `notifier.ts` only send what these return.
 */
import type { ContactMethod } from '../types.ts';
import type { Page } from './types.ts';

/** Summaries longer than this are cut (Slack rejects section text over 3000 characters). */
const SUMMARY_MAX = 2000;

/** The links carry the recipient's identity (see `ack-link.ts`), so the message says not to pass it on. */
const FOOTER = 'Sent by Ballast. The links are signed for you alone: do not forward this message.';

/**
 * The body POSTed to a `webhook` contact, `Content-Type: application/json`.
 *
 * ```json
 * {
 *   "type": "ballast.page",
 *   "version": 1,
 *   "incident": { "id": 12, "title": "Checkout errors", "severity": "SEV2", "urgency": "high",
 *                 "service": "checkout", "url": "https://ballast.example.com/incidents/12" },
 *   "summary": "5xx ratio 4% over 5m",
 *   "ack_url": "https://ballast.example.com/ack/…",
 *   "resolve_url": "https://ballast.example.com/ack/…",
 *   "user": "alice",
 *   "step": 0,
 *   "sent_at": "2026-01-05T09:00:00.000Z"
 * }
 * ```
 *
 * `service`, `resolve_url`, `user` and `step` are left out when the page has none.
 * A receiver answers 2xx to take the page; anything else is retried (except 4xx
 * other than 408 and 429, which would only fail again).
 */
export interface WebhookPayload {
  type: 'ballast.page';
  /** Bumped on an incompatible change of this shape. */
  version: 1;
  incident: {
    id: number;
    title: string;
    severity: string;
    urgency: 'high' | 'low';
    service?: string;
    url: string;
  };
  summary: string;
  ack_url: string;
  resolve_url?: string;
  user?: string;
  step?: number;
  /** ISO 8601, when this try was sent. */
  sent_at: string;
}

/** Builds the webhook body for a page sent at `sentAt` (epoch ms). */
export function webhookPayload(page: Page, sentAt: number): WebhookPayload {
  return {
    type: 'ballast.page',
    version: 1,
    incident: {
      id: page.incidentId,
      title: page.title,
      severity: page.severity,
      urgency: page.urgency,
      ...(page.service !== undefined && { service: page.service }),
      url: page.incidentUrl,
    },
    summary: page.summary,
    ack_url: page.ackUrl,
    ...(page.resolveUrl !== undefined && { resolve_url: page.resolveUrl }),
    ...(page.user !== undefined && { user: page.user }),
    ...(page.step !== undefined && { step: page.step }),
    sent_at: new Date(sentAt).toISOString(),
  };
}

/** `[SEV2][high] Incident #12: Checkout errors`: the e-mail subject and the first line everywhere. */
export function pageHeadline(page: Page): string {
  return `[${oneLine(page.severity)}][${page.urgency}] Incident #${page.incidentId}: ${oneLine(page.title)}`;
}

/** A Slack Block Kit block (only the kinds rendered here). */
export type SlackBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/** The body POSTed to a `slack` contact. */
export interface SlackPayload {
  /** Complete on its own: Mattermost and Rocket.Chat show only this, Slack uses it for notifications. */
  text: string;
  blocks: SlackBlock[];
}

/**
 * Builds the message for a Slack-compatible incoming webhook: a `text` that
 * carries everything (headline, summary, `<url|Acknowledge>` links) and blocks
 * that lay the same out for Slack.
 */
export function slackPayload(page: Page): SlackPayload {
  const headline = `${page.urgency === 'high' ? ':rotating_light:' : ':warning:'} *${slackEscape(pageHeadline(page))}*`;
  const summary = slackEscape(truncate(page.summary, SUMMARY_MAX));
  const links = [
    slackLink(page.ackUrl, 'Acknowledge'),
    ...(page.resolveUrl !== undefined ? [slackLink(page.resolveUrl, 'Resolve')] : []),
    slackLink(page.incidentUrl, 'Open incident'),
  ].join(' · ');
  const context = contextParts(page).map(slackEscape).join(' · ');
  const text = [headline, summary, links, ...(context ? [context] : [])].join('\n');
  const blocks: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${headline}\n${summary}` } },
    { type: 'section', text: { type: 'mrkdwn', text: links } },
  ];
  if (context) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  return { text, blocks };
}

/** A page as an e-mail. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** Builds the e-mail for a page: plain text and a simple HTML part with the same links. */
export function emailMessage(page: Page): EmailMessage {
  const subject = pageHeadline(page);
  const summary = truncate(page.summary, SUMMARY_MAX);
  const context = contextParts(page);
  const links: [string, string][] = [
    ['Acknowledge', page.ackUrl],
    ...(page.resolveUrl !== undefined ? [['Resolve', page.resolveUrl] as [string, string]] : []),
    ['Open incident', page.incidentUrl],
  ];
  const text = [
    subject,
    ...context,
    '',
    summary,
    '',
    ...links.map(([label, url]) => `${label}: ${url}`),
    '',
    '-- ',
    FOOTER,
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif">',
    `<h2>${htmlEscape(subject)}</h2>`,
    ...context.map((line) => `<p style="color: #555">${htmlEscape(line)}</p>`),
    `<p style="white-space: pre-wrap">${htmlEscape(summary)}</p>`,
    `<p>${links.map(([label, url]) => `<a href="${htmlEscape(url)}">${htmlEscape(label)}</a>`).join(' &middot; ')}</p>`,
    `<p style="color: #888; font-size: small">${htmlEscape(FOOTER)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { subject, text, html };
}

/**
 * How a contact is shown on the timeline and in logs. Credentials, query and
 * fragment are dropped; for Slack-compatible webhooks (whose last path segment
 * is the secret: Slack `/services/T/B/SECRET`, Mattermost `/hooks/SECRET`,
 * Rocket.Chat `/hooks/ID/SECRET`) that segment is masked too.
 */
export function displayTarget(contact: ContactMethod): string {
  if (contact.kind === 'email') return contact.address;
  let url: URL;
  try {
    url = new URL(contact.url);
  } catch {
    return '(invalid URL)';
  }
  let path = url.pathname;
  if (contact.kind === 'slack') {
    const segments = path.split('/');
    const last = segments.length - 1;
    if (segments[last]) segments[last] = '…';
    path = segments.join('/');
  }
  return `${url.origin}${path}`;
}

function contextParts(page: Page): string[] {
  const parts: string[] = [];
  if (page.service !== undefined) parts.push(`Service: ${oneLine(page.service)}`);
  if (page.user !== undefined) parts.push(`Paged: ${oneLine(page.user)}`);
  if (page.step !== undefined) parts.push(`Escalation step ${page.step + 1}`);
  return parts;
}

/** Control characters (newlines included) would break a subject or headline. */
function oneLine(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats `&`, `<` and `>` as control characters. */
function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>`; a `|` or `>` in the URL would end the link early, so they are percent-encoded. */
function slackLink(url: string, label: string): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
  return `<${safeUrl}|${label}>`;
}

function htmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
