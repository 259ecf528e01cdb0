import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { signAckLink, verifyAckLink } from './ack-link.ts';
import { Notifier } from './notifier.ts';
import { judgeSmtpError } from './smtp.ts';
import type { Page } from './types.ts';

interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
}

const servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A real SMTP server on loopback (no TLS, no auth required) that keeps what it receives. */
async function startSmtp(options: Partial<SMTPServerOptions> = {}) {
  const mails: ReceivedMail[] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, connections: () => connections };
}

/** An SMTP reply error as smtp-server sends it back to the client. */
function smtpReply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Headers (unfolded, lower-case names) and the quoted-printable-decoded rest of a raw message. */
function parseMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = raw
    .slice(split + 4)
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return { headers, body };
}

const secret = 'smtp-test-secret-0123456789';
const now = Date.UTC(2026, 0, 5, 9, 0);

function pageFor(user: string): Page {
  const token = signAckLink(secret, {
    incidentId: 12,
    user,
    action: 'acknowledge',
    expiresAt: now + 3_600_000,
  });
  return {
    incidentId: 12,
    title: 'Checkout errors',
    severity: 'SEV2',
    urgency: 'high',
    service: 'checkout',
    summary: '5xx ratio 4% over 5m on checkout-api, all regions',
    incidentUrl: 'http://127.0.0.1:7420/incidents/12',
    ackUrl: `http://127.0.0.1:7420/ack/${token}`,
    user,
  };
}

function notifierFor(port: number, retries = 3) {
  const slept: number[] = [];
  const n = new Notifier({
    smtp: { host: '127.0.0.1', port, from: 'Ballast <pager@ballast.test>' },
    retries,
    retryDelayMs: 100,
    timeoutMs: 5000,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { n, slept };
}

describe('Notifier over e-mail (local SMTP server)', () => {
  it('delivers the page with the headline as subject and a working acknowledge link in the body', async () => {
    const smtp = await startSmtp();
    const { n } = notifierFor(smtp.port);
    const page = pageFor('alice');
    const delivery = await n.send({ kind: 'email', address: 'alice@example.com' }, page);
    await n.close();
    expect(delivery).toMatchObject({ channel: 'email', target: 'alice@example.com', ok: true, attempts: 1 });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe('pager@ballast.test');
    expect(mail.to).toEqual(['alice@example.com']);
    const { headers, body } = parseMail(mail.raw);
    expect(headers.get('subject')).toBe('[SEV2][high] Incident #12: Checkout errors');
    expect(headers.get('to')).toBe('alice@example.com');
    expect(headers.get('content-type')).toContain('multipart/alternative');
    expect(body).toContain('text/plain');
    expect(body).toContain('text/html');
    expect(body).toContain(`Acknowledge: ${page.ackUrl}`);
    expect(body).toContain(`<a href="${page.ackUrl}">Acknowledge</a>`);
    // The link in the message is one the server will take.
    const token = /\/ack\/([A-Za-z0-9_.-]+)/.exec(body)![1]!;
    expect(verifyAckLink(secret, token, now)).toMatchObject({
      ok: true,
      claims: { incidentId: 12, user: 'alice' },
    });
  });

  it('retries a server that turns connections away (421) and then reports the failure', async () => {
    const smtp = await startSmtp({
      onConnect(_session, callback) {
        callback(smtpReply(421, 'Too busy, try later'));
      },
    });
    const { n, slept } = notifierFor(smtp.port, 2);
    const delivery = await n.send({ kind: 'email', address: 'alice@example.com' }, pageFor('alice'));
    await n.close();
    expect(delivery).toMatchObject({ ok: false, attempts: 3 });
    expect(delivery.error).toContain('421');
    expect(slept).toEqual([100, 200]);
    expect(smtp.mails).toEqual([]);
  });

  it('does not retry a recipient the server rejects for good (550)', async () => {
    const smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(smtpReply(550, 'No such user here'));
      },
    });
    const { n, slept } = notifierFor(smtp.port);
    const delivery = await n.send({ kind: 'email', address: 'nobody@example.com' }, pageFor('nobody'));
    await n.close();
    expect(delivery).toMatchObject({ ok: false, attempts: 1 });
    expect(delivery.error).toContain('550');
    expect(slept).toEqual([]);
  });

  it('retries an SMTP server that is not listening at all', async () => {
    const smtp = await startSmtp();
    const port = smtp.port;
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    const { n } = notifierFor(port, 1);
    const delivery = await n.send({ kind: 'email', address: 'alice@example.com' }, pageFor('alice'));
    await n.close();
    expect(delivery).toMatchObject({ ok: false, attempts: 2 });
    expect(delivery.error).toContain('ECONNREFUSED');
  });
});

describe('judgeSmtpError', () => {
  const cases: [string, unknown, boolean][] = [
    [
      'retries a transient reply (4xx)',
      Object.assign(new Error('busy'), { responseCode: 451, permanent: false }),
      true,
    ],
    [
      'does not retry a permanent reply (5xx)',
      Object.assign(new Error('no'), { responseCode: 554, permanent: true }),
      false,
    ],
    ['retries a lost connection', Object.assign(new Error('reset'), { code: 'ESOCKET' }), true],
    [
      'does not retry a message without recipients',
      Object.assign(new Error('none'), { code: 'EENVELOPE' }),
      false,
    ],
    ['does not retry missing credentials', Object.assign(new Error('auth'), { code: 'EAUTH' }), false],
  ];
  it.each(cases)('%s', (_name, err, retryable) => {
    expect(judgeSmtpError(err)).toMatchObject({ ok: false, retryable });
  });
});
