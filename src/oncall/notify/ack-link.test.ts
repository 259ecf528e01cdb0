import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AckClaims, MIN_SECRET_BYTES, signAckLink, verifyAckLink } from './ack-link.ts';

const secret = 'test-secret-0123456789abcdef';
const now = Date.UTC(2026, 0, 5, 9, 0);
const hour = 3_600_000;

/** Flips one character in the middle of a string (never the spare bits of a last base64url character). */
function flipAt(s: string, index: number): string {
  const c = s[index]!;
  return s.slice(0, index) + (c === 'A' ? 'B' : 'A') + s.slice(index + 1);
}

/** Signs an arbitrary payload the documented way, to reach the checks behind the signature. */
function signRaw(payloadJson: string): string {
  const payload = Buffer.from(payloadJson).toString('base64url');
  const mac = createHmac('sha256', secret).update('ballast-ack-v1.').update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

describe('signAckLink and verifyAckLink', () => {
  const roundTrips: [string, AckClaims][] = [
    ['an acknowledge link', { incidentId: 12, user: 'alice', action: 'acknowledge', expiresAt: now + hour }],
    ['a resolve link', { incidentId: 7, user: 'bob', action: 'resolve', expiresAt: now + 24 * hour }],
    [
      'a link for a user whose name has dots, spaces and accents',
      { incidentId: 1, user: 'zoë.müller the 2nd', action: 'acknowledge', expiresAt: now + 1 },
    ],
    ['a link for incident 0', { incidentId: 0, user: 'x', action: 'resolve', expiresAt: now + hour }],
  ];
  it.each(roundTrips)('gives back the claims of %s', (_name, claims) => {
    const token = signAckLink(secret, claims);
    expect(verifyAckLink(secret, token, now)).toEqual({ ok: true, claims });
  });

  it('makes tokens that fit in a URL unescaped and stay short', () => {
    const token = signAckLink(secret, roundTrips[0]![1]);
    expect(encodeURIComponent(token)).toBe(token);
    expect(token.length).toBeLessThan(160);
  });

  it('accepts a Buffer secret the same as its string', () => {
    const token = signAckLink(Buffer.from(secret), roundTrips[0]![1]);
    expect(verifyAckLink(secret, token, now).ok).toBe(true);
  });

  const claims = roundTrips[0]![1];
  const token = signAckLink(secret, claims);
  const [payload, signature] = token.split('.') as [string, string];

  it('refuses a token whose payload was changed to another incident', () => {
    const forged = Buffer.from(JSON.stringify([13, 'alice', 'a', claims.expiresAt])).toString('base64url');
    expect(verifyAckLink(secret, `${forged}.${signature}`, now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a token whose payload had one character changed', () => {
    const tampered = `${flipAt(payload, 3)}.${signature}`;
    expect(verifyAckLink(secret, tampered, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token whose signature had one character changed', () => {
    const tampered = `${payload}.${flipAt(signature, 10)}`;
    expect(verifyAckLink(secret, tampered, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature with another spelling of the same bytes (last character spare bits)', () => {
    // 32 bytes in base64url leave 2 spare bits in the last character: flipping them keeps the bytes.
    const last = signature.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    const respelled = `${payload}.${signature.slice(0, -1)}${twin}`;
    expect(Buffer.from(respelled.split('.')[1]!, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(verifyAckLink(secret, respelled, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a truncated signature', () => {
    expect(verifyAckLink(secret, `${payload}.${signature.slice(0, 20)}`, now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a token signed with another secret', () => {
    const other = signAckLink('another-secret-0123456789', claims);
    expect(verifyAckLink(secret, other, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  const expiries: [string, number, boolean][] = [
    ['one millisecond before it expires', claims.expiresAt - 1, true],
    ['at the instant it expires', claims.expiresAt, false],
    ['a day after it expired', claims.expiresAt + 24 * hour, false],
  ];
  it.each(expiries)('judges a link checked %s', (_name, at, valid) => {
    expect(verifyAckLink(secret, token, at)).toEqual(
      valid ? { ok: true, claims } : { ok: false, reason: 'expired' },
    );
  });

  const malformed: [string, string][] = [
    ['an empty token', ''],
    ['a token without a dot', payload],
    ['a token with three parts', `${payload}.${signature}.x`],
    ['a token with an empty signature', `${payload}.`],
    ['a token with characters outside base64url', `${payload}.${signature.slice(0, -1)}=`],
    ['a token with padding and slashes (plain base64)', `${payload}/+.${signature}`],
    ['an absurdly long token', `${'A'.repeat(5000)}.${signature}`],
    ['a signed payload that is not JSON', signRaw('not json')],
    ['a signed payload that is an object', signRaw('{"i":12}')],
    ['a signed payload with an unknown action', signRaw(JSON.stringify([12, 'alice', 'x', now + hour]))],
    [
      'a signed payload with a fractional incident id',
      signRaw(JSON.stringify([1.5, 'alice', 'a', now + hour])),
    ],
    ['a signed payload with an empty user', signRaw(JSON.stringify([12, '', 'a', now + hour]))],
    [
      'a signed payload with a string expiry',
      signRaw(JSON.stringify([12, 'alice', 'a', String(now + hour)])),
    ],
  ];
  it.each(malformed)('calls %s malformed', (_name, bad) => {
    expect(verifyAckLink(secret, bad, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to sign or verify with a secret shorter than the minimum', () => {
    const short = 'x'.repeat(MIN_SECRET_BYTES - 1);
    expect(() => signAckLink(short, claims)).toThrow(RangeError);
    expect(() => verifyAckLink(short, token, now)).toThrow(RangeError);
  });

  const badClaims: [string, AckClaims][] = [
    ['a negative incident id', { ...claims, incidentId: -1 }],
    ['an empty user', { ...claims, user: '' }],
    ['an unknown action', { ...claims, action: 'delete' as AckClaims['action'] }],
    ['a non-integer expiry', { ...claims, expiresAt: Number.NaN }],
  ];
  it.each(badClaims)('refuses to sign claims with %s', (_name, bad) => {
    expect(() => signAckLink(secret, bad)).toThrow(RangeError);
  });
});
