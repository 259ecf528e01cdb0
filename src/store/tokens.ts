/**
 * API tokens. The secret is `blst_` + 32 random bytes in base64url; only its
 * sha256 is stored, so a leaked database does not leak usable tokens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { asc, count, eq } from 'drizzle-orm';
import { sha256Hex } from './canonical.ts';
import type { Db } from './db.ts';
import { apiTokens } from './schema.ts';
import type { TokenRecord, TokenRole } from './types.ts';

/** Prefix that makes Ballast tokens recognisable to secret scanners. */
export const TOKEN_PREFIX = 'blst_';

/** A new random token secret. */
export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a secret: sha256 hex. */
export function hashTokenSecret(secret: string): string {
  return sha256Hex(secret);
}

export async function createToken(
  db: Db,
  name: string,
  role: TokenRole,
  now: number,
): Promise<{ record: TokenRecord; secret: string }> {
  const secret = generateTokenSecret();
  const record: TokenRecord = { id: randomUUID(), name, role, createdAt: now };
  await db.insert(apiTokens).values({ ...record, hash: hashTokenSecret(secret) });
  return { record, secret };
}

/** Stores a token with a given secret unless that secret is already stored; returns the stored record. */
export async function ensureToken(
  db: Db,
  name: string,
  role: TokenRole,
  secret: string,
  now: number,
): Promise<TokenRecord> {
  const hash = hashTokenSecret(secret);
  await db
    .insert(apiTokens)
    .values({ id: randomUUID(), name, role, hash, createdAt: now })
    .onConflictDoNothing({ target: apiTokens.hash });
  const found = await findToken(db, secret);
  if (!found) throw new Error('token vanished right after it was stored');
  return found;
}

export async function findToken(db: Db, secret: string): Promise<TokenRecord | undefined> {
  const rows = await db
    .select({ id: apiTokens.id, name: apiTokens.name, role: apiTokens.role, createdAt: apiTokens.createdAt })
    .from(apiTokens)
    .where(eq(apiTokens.hash, hashTokenSecret(secret)));
  const row = rows[0];
  return row ? { ...row, role: row.role as TokenRole } : undefined;
}

export async function countTokens(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(apiTokens);
  return row?.n ?? 0;
}

/** Every token, oldest first, without secrets or hashes. */
export async function listTokens(db: Db): Promise<TokenRecord[]> {
  const rows = await db
    .select({ id: apiTokens.id, name: apiTokens.name, role: apiTokens.role, createdAt: apiTokens.createdAt })
    .from(apiTokens)
    .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
  return rows.map((r) => ({ ...r, role: r.role as TokenRole }));
}

export type RevokeOutcome = { revoked: TokenRecord } | { refused: 'not_found' | 'last_admin' };

/**
 * Deletes a token, unless it is the last admin token (nobody could make tokens
 * any more). The admin rows are locked first, so two revocations at once
 * cannot remove the last two admins between them.
 */
export async function revokeToken(db: Db, id: string): Promise<RevokeOutcome> {
  return db.transaction(async (tx) => {
    const admins = await tx
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(eq(apiTokens.role, 'admin'))
      .for('update');
    const [row] = await tx
      .select({
        id: apiTokens.id,
        name: apiTokens.name,
        role: apiTokens.role,
        createdAt: apiTokens.createdAt,
      })
      .from(apiTokens)
      .where(eq(apiTokens.id, id));
    if (!row) return { refused: 'not_found' as const };
    if (row.role === 'admin' && admins.length <= 1) return { refused: 'last_admin' as const };
    await tx.delete(apiTokens).where(eq(apiTokens.id, id));
    return { revoked: { ...row, role: row.role as TokenRole } };
  });
}
