/**
 * Signed one-click links: the token in the acknowledge/resolve URL of a page.
 * It names the incident, the person and the action and when it stops working,
 * and is signed with the server's secret (HMAC-SHA256), so whoever holds the
 * link can do that one thing as that person until it expires, and nothing else.
 *
 * Token: `base64url(payload) "." base64url(hmac)`, where the payload is the
 * JSON array `[incidentId, user, "a" | "r", expiresAt]` and the MAC covers
 * `ballast-ack-v1.` + the encoded payload (the prefix keeps these MACs from
 * being valid for anything else signed with the same secret). URL-safe as is.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type AckAction = 'acknowledge' | 'resolve';

export interface AckClaims {
  incidentId: number;
  /** The user acting through the link (the timeline names them). */
  user: string;
  action: AckAction;
  /** Epoch ms; the link is refused from this instant on. */
  expiresAt: number;
}

export type AckLinkVerdict =
  | { ok: true; claims: AckClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/** Secrets shorter than this would make the links guessable offline. */
export const MIN_SECRET_BYTES = 16;
/** Longer tokens are refused unread (a page's token is ~110 characters). */
const MAX_TOKEN_LENGTH = 1024;
const MAC_CONTEXT = 'ballast-ack-v1.';
const ACTION_CODES: Record<AckAction, string> = { acknowledge: 'a', resolve: 'r' };
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Signs `claims` into a token for an acknowledge/resolve link.
 *
 * @throws RangeError when the secret is shorter than {@link MIN_SECRET_BYTES} or a claim is out of range
 */
export function signAckLink(secret: string | Uint8Array, claims: AckClaims): string {
  checkSecret(secret);
  if (!Number.isSafeInteger(claims.incidentId) || claims.incidentId < 0) {
    throw new RangeError(`incidentId must be a non-negative integer, got ${claims.incidentId}`);
  }
  if (typeof claims.user !== 'string' || claims.user === '') throw new RangeError('user must not be empty');
  if (!(claims.action in ACTION_CODES)) throw new RangeError(`unknown action ${String(claims.action)}`);
  if (!Number.isSafeInteger(claims.expiresAt)) {
    throw new RangeError(`expiresAt must be an integer epoch ms, got ${claims.expiresAt}`);
  }
  const payload = Buffer.from(
    JSON.stringify([claims.incidentId, claims.user, ACTION_CODES[claims.action], claims.expiresAt]),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/**
 * Checks a token from a link: shape, then signature (in constant time), then
 * expiry at `now` (epoch ms). Claims are read only from a token whose
 * signature holds.
 *
 * @throws RangeError when the secret is shorter than {@link MIN_SECRET_BYTES} (a configuration error, not a bad link)
 */
export function verifyAckLink(secret: string | Uint8Array, token: string, now: number): AckLinkVerdict {
  checkSecret(secret);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) {
    return { ok: false, reason: 'malformed' };
  }
  const [payload, signature] = token.split('.') as [string, string];
  // Compared as the canonical text, not decoded bytes: base64url decoding ignores
  // the spare bits of the last character, which would let one MAC have many spellings.
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  const claims = parsePayload(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (now >= claims.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function mac(secret: string | Uint8Array, payload: string): string {
  return createHmac('sha256', secret).update(MAC_CONTEXT).update(payload).digest('base64url');
}

function checkSecret(secret: string | Uint8Array): void {
  const bytes = typeof secret === 'string' ? Buffer.byteLength(secret) : secret.byteLength;
  if (bytes < MIN_SECRET_BYTES) {
    throw new RangeError(`the ack-link secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

function parsePayload(payload: string): AckClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 4) return undefined;
  const [incidentId, user, code, expiresAt] = value as unknown[];
  const action = (Object.keys(ACTION_CODES) as AckAction[]).find((a) => ACTION_CODES[a] === code);
  if (
    !Number.isSafeInteger(incidentId) ||
    (incidentId as number) < 0 ||
    typeof user !== 'string' ||
    user === '' ||
    !action ||
    !Number.isSafeInteger(expiresAt)
  ) {
    return undefined;
  }
  return { incidentId: incidentId as number, user, action, expiresAt: expiresAt as number };
}
