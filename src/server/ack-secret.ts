/**
 * The secret that signs acknowledge links. Given (option or
 * BALLAST_ACK_SECRET), else kept in the data directory (`ack-secret`, created
 * on first start with mode 600) so links in pages survive restarts; a
 * throwaway one for in-memory servers.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function resolveAckSecret(
  given: string | undefined,
  dataDir: string | undefined,
  inMemory: boolean | undefined,
): Promise<string> {
  if (given) {
    if (Buffer.byteLength(given) < 16) throw new Error('BALLAST_ACK_SECRET must be at least 16 bytes');
    return given;
  }
  if (inMemory) return randomBytes(32).toString('base64url');
  const dir = dataDir ?? '.ballast';
  const file = join(dir, 'ack-secret');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 16) return existing;
  } catch {
    // Not there yet: created below.
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(dir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
