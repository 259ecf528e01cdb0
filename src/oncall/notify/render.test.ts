import { describe, expect, it } from 'vitest';
import type { ContactMethod } from '../types.ts';
import { displayTarget, emailMessage, pageHeadline, slackPayload, webhookPayload } from './render.ts';
import type { Page } from './types.ts';

const page: Page = {
  incidentId: 12,
  title: 'Checkout errors',
  severity: 'SEV2',
  urgency: 'high',
  service: 'checkout',
  summary: '5xx ratio 4% over 5m',
  incidentUrl: 'http://127.0.0.1:7420/incidents/12',
  ackUrl: 'http://127.0.0.1:7420/ack/abc.def',
  resolveUrl: 'http://127.0.0.1:7420/ack/ghi.jkl',
  user: 'alice',
  step: 0,
};
const minimal: Page = {
  incidentId: 3,
  title: 'Disk full',
  severity: 'SEV4',
  urgency: 'low',
  summary: 'db-1 at 97%',
  incidentUrl: 'http://127.0.0.1:7420/incidents/3',
  ackUrl: 'http://127.0.0.1:7420/ack/x.y',
};
const sentAt = Date.UTC(2026, 0, 5, 9, 0);

describe('webhookPayload', () => {
  it('carries the incident, the summary, the links, the recipient and the step', () => {
    expect(webhookPayload(page, sentAt)).toEqual({
      type: 'ballast.page',
      version: 1,
      incident: {
        id: 12,
        title: 'Checkout errors',
        severity: 'SEV2',
        urgency: 'high',
        service: 'checkout',
        url: page.incidentUrl,
      },
      summary: page.summary,
      ack_url: page.ackUrl,
      resolve_url: page.resolveUrl,
      user: 'alice',
      step: 0,
      sent_at: '2026-01-05T09:00:00.000Z',
    });
  });

  it('leaves out the fields a page does not have rather than sending nulls', () => {
    const body = webhookPayload(minimal, sentAt);
    expect(Object.keys(body).sort()).toEqual([
      'ack_url',
      'incident',
      'sent_at',
      'summary',
      'type',
      'version',
    ]);
    expect(Object.keys(body.incident).sort()).toEqual(['id', 'severity', 'title', 'urgency', 'url']);
  });
});

describe('pageHeadline', () => {
  const cases: [string, Page, string][] = [
    [
      'puts severity and urgency in brackets before the incident',
      page,
      '[SEV2][high] Incident #12: Checkout errors',
    ],
    ['shows a low-urgency page as low', minimal, '[SEV4][low] Incident #3: Disk full'],
    [
      'folds line breaks in the title so the subject stays one header line',
      { ...minimal, title: 'Disk\r\nBcc: victim@example.com' },
      '[SEV4][low] Incident #3: Disk Bcc: victim@example.com',
    ],
  ];
  it.each(cases)('%s', (_name, p, expected) => {
    expect(pageHeadline(p)).toBe(expected);
  });
});

describe('slackPayload', () => {
  it('puts the headline, the summary and mrkdwn links to acknowledge, resolve and open in the text', () => {
    const { text } = slackPayload(page);
    expect(text).toContain(pageHeadline(page));
    expect(text).toContain(page.summary);
    expect(text).toContain(`<${page.ackUrl}|Acknowledge>`);
    expect(text).toContain(`<${page.resolveUrl}|Resolve>`);
    expect(text).toContain(`<${page.incidentUrl}|Open incident>`);
    expect(text).toContain('Service: checkout');
    expect(text).toContain('Escalation step 1');
  });

  it('offers no resolve link when the page has none', () => {
    expect(slackPayload(minimal).text).not.toContain('|Resolve>');
  });

  it('lays the same content out in blocks for Slack', () => {
    const { blocks } = slackPayload(page);
    const texts = blocks.flatMap((b) =>
      b.type === 'section' ? [b.text.text] : b.elements.map((e) => e.text),
    );
    expect(texts.join('\n')).toContain(`<${page.ackUrl}|Acknowledge>`);
    expect(blocks.at(-1)?.type).toBe('context');
  });

  it('escapes mrkdwn control characters in the title and summary so they cannot forge links', () => {
    const { text } = slackPayload({
      ...minimal,
      title: 'a < b & c',
      summary: 'see <http://evil.example|Acknowledge>',
    });
    expect(text).toContain('a &lt; b &amp; c');
    expect(text).toContain('see &lt;http://evil.example|Acknowledge&gt;');
    expect(text).not.toContain('<http://evil.example');
  });

  it('percent-encodes characters in a URL that would end the link early', () => {
    const { text } = slackPayload({ ...minimal, ackUrl: 'http://127.0.0.1/ack?x=a|b>c' });
    expect(text).toContain('<http://127.0.0.1/ack?x=a%7Cb%3Ec|Acknowledge>');
  });

  it('cuts a very long summary so Slack accepts the section', () => {
    const { blocks } = slackPayload({ ...minimal, summary: 'x'.repeat(10_000) });
    for (const block of blocks) {
      if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
  });
});

describe('emailMessage', () => {
  const mail = emailMessage(page);

  it('uses the headline as the subject', () => {
    expect(mail.subject).toBe('[SEV2][high] Incident #12: Checkout errors');
  });

  it('puts the summary and every link in the plain text', () => {
    for (const part of [
      page.summary,
      `Acknowledge: ${page.ackUrl}`,
      `Resolve: ${page.resolveUrl}`,
      page.incidentUrl,
    ]) {
      expect(mail.text).toContain(part);
    }
  });

  it('links acknowledge, resolve and the incident in the HTML', () => {
    expect(mail.html).toContain(`<a href="${page.ackUrl}">Acknowledge</a>`);
    expect(mail.html).toContain(`<a href="${page.resolveUrl}">Resolve</a>`);
    expect(mail.html).toContain(`<a href="${page.incidentUrl}">Open incident</a>`);
  });

  it('escapes HTML in the title, the summary and the links', () => {
    const html = emailMessage({
      ...minimal,
      title: '<script>alert(1)</script>',
      summary: 'a & b',
      ackUrl: 'http://127.0.0.1/ack?a=1&b="2"',
    }).html;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('a &amp; b');
    expect(html).toContain('href="http://127.0.0.1/ack?a=1&amp;b=&quot;2&quot;"');
  });
});

describe('displayTarget', () => {
  const cases: [string, ContactMethod, string][] = [
    ['shows an e-mail address as is', { kind: 'email', address: 'alice@example.com' }, 'alice@example.com'],
    [
      'shows a webhook URL without its credentials and query',
      { kind: 'webhook', url: 'https://user:pw@hooks.example.com/pages?token=s3cret#x' },
      'https://hooks.example.com/pages',
    ],
    [
      'masks the secret last segment of a Slack webhook',
      { kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX' },
      'https://hooks.slack.com/services/T000/B000/…',
    ],
    [
      'masks the secret of a Mattermost webhook',
      { kind: 'slack', url: 'https://chat.example.com/hooks/xyz123abc' },
      'https://chat.example.com/hooks/…',
    ],
    [
      'says a webhook URL is invalid rather than showing it',
      { kind: 'webhook', url: 'not a url' },
      '(invalid URL)',
    ],
  ];
  it.each(cases)('%s', (_name, contact, expected) => {
    expect(displayTarget(contact)).toBe(expected);
  });
});
