/**
 * `apply`: spec documents plus the services and SLOs derived from them, in
 * one transaction. Additive like `kubectl apply` without `--prune`: nothing
 * that is not named in the input is touched.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { ServiceDefinition, SloDefinition } from '../slo/model.ts';
import { hashJson } from './canonical.ts';
import { chunk, type Db } from './db.ts';
import { services, slos, specDocuments } from './schema.ts';
import type { ApplyResult, StoredDocument } from './types.ts';

export type ApplyInput = {
  documents: Omit<StoredDocument, 'updatedAt' | 'hash'>[];
  services: ServiceDefinition[];
  slos: SloDefinition[];
};

export type Status = 'created' | 'updated' | 'unchanged';
const RANK: Record<Status, number> = { unchanged: 0, updated: 1, created: 2 };

/**
 * Stores documents, services and SLOs; reports each as `Kind/name`. A
 * document's status is merged with its derived model's, so an SLO whose
 * resolved definition changed (say, through a referenced SLI) reads `updated`
 * even when its own document did not change.
 */
export async function applyDocuments(db: Db, input: ApplyInput, now: number): Promise<ApplyResult> {
  return db.transaction(async (tx) => {
    const statuses = new Map<string, Status>();
    const mark = (key: string, status: Status) => {
      const before = statuses.get(key);
      if (before === undefined || RANK[status] > RANK[before]) statuses.set(key, status);
    };
    await upsertDocuments(tx, input.documents, now, mark);
    await upsertServices(tx, input.services, now, mark);
    await upsertSlos(tx, input.slos, now, mark);
    const result: ApplyResult = { created: [], updated: [], unchanged: [] };
    for (const [key, status] of statuses) result[status].push(key);
    for (const list of Object.values(result)) list.sort();
    return result;
  });
}

/** The last of several inputs with the same key wins (the spec loader reports duplicates). */
export function lastByKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) out.set(key(item), item);
  return out;
}

async function upsertDocuments(
  tx: Db,
  documents: ApplyInput['documents'],
  now: number,
  mark: (key: string, status: Status) => void,
): Promise<void> {
  const byKey = lastByKey(documents, (d) => `${d.kind}/${d.name}`);
  if (byKey.size === 0) return;
  const kinds = [...new Set([...byKey.values()].map((d) => d.kind))];
  const existing = await tx
    .select({
      kind: specDocuments.kind,
      name: specDocuments.name,
      hash: specDocuments.hash,
      apiVersion: specDocuments.apiVersion,
    })
    .from(specDocuments)
    .where(inArray(specDocuments.kind, kinds));
  const known = new Map(existing.map((r) => [`${r.kind}/${r.name}`, r]));
  const rows: (typeof specDocuments.$inferInsert)[] = [];
  for (const [key, doc] of byKey) {
    const hash = hashJson(doc.body);
    const before = known.get(key);
    const status: Status =
      before === undefined
        ? 'created'
        : before.hash === hash && before.apiVersion === doc.apiVersion
          ? 'unchanged'
          : 'updated';
    mark(key, status);
    if (status !== 'unchanged') {
      rows.push({
        apiVersion: doc.apiVersion,
        kind: doc.kind,
        name: doc.name,
        body: doc.body,
        hash,
        updatedAt: now,
      });
    }
  }
  for (const part of chunk(rows, 6)) {
    await tx
      .insert(specDocuments)
      .values(part)
      .onConflictDoUpdate({
        target: [specDocuments.kind, specDocuments.name],
        set: {
          apiVersion: sql`excluded.api_version`,
          body: sql`excluded.body`,
          hash: sql`excluded.hash`,
          updatedAt: sql`excluded.updated_at`,
        },
      });
  }
}

async function upsertServices(
  tx: Db,
  input: ServiceDefinition[],
  now: number,
  mark: (key: string, status: Status) => void,
): Promise<void> {
  const byName = lastByKey(input, (s) => s.name);
  if (byName.size === 0) return;
  const existing = await tx
    .select({ name: services.name, hash: services.hash })
    .from(services)
    .where(inArray(services.name, [...byName.keys()]));
  const known = new Map(existing.map((r) => [r.name, r.hash]));
  const rows: (typeof services.$inferInsert)[] = changedDefinitions(byName, known, 'Service', mark).map(
    (c) => ({ ...c, updatedAt: now }),
  );
  for (const part of chunk(rows, 4)) {
    await tx
      .insert(services)
      .values(part)
      .onConflictDoUpdate({
        target: services.name,
        set: {
          definition: sql`excluded.definition`,
          hash: sql`excluded.hash`,
          updatedAt: sql`excluded.updated_at`,
        },
      });
  }
}

async function upsertSlos(
  tx: Db,
  input: SloDefinition[],
  now: number,
  mark: (key: string, status: Status) => void,
): Promise<void> {
  const byName = lastByKey(input, (s) => s.name);
  if (byName.size === 0) return;
  const existing = await tx
    .select({ name: slos.name, hash: slos.hash })
    .from(slos)
    .where(inArray(slos.name, [...byName.keys()]));
  const known = new Map(existing.map((r) => [r.name, r.hash]));
  const rows: (typeof slos.$inferInsert)[] = changedDefinitions(byName, known, 'SLO', mark).map((c) => ({
    ...c,
    service: c.definition.service,
    updatedAt: now,
  }));
  for (const part of chunk(rows, 5)) {
    await tx
      .insert(slos)
      .values(part)
      .onConflictDoUpdate({
        target: slos.name,
        set: {
          service: sql`excluded.service`,
          definition: sql`excluded.definition`,
          hash: sql`excluded.hash`,
          updatedAt: sql`excluded.updated_at`,
        },
      });
  }
}

/**
 * Hashes each definition, marks `Kind/name` with its status against the
 * stored hashes, and returns the ones to write. Services, SLOs and checks share this;
 * their queries stay apart so each keeps its table's concrete Drizzle types.
 */
export function changedDefinitions<T>(
  byName: Map<string, T>,
  stored: Map<string, string>,
  kind: string,
  mark: (key: string, status: Status) => void,
): { name: string; definition: T; hash: string }[] {
  const changed: { name: string; definition: T; hash: string }[] = [];
  for (const [name, definition] of byName) {
    const hash = hashJson(definition);
    const status = statusOf(stored.get(name), hash);
    mark(`${kind}/${name}`, status);
    if (status !== 'unchanged') changed.push({ name, definition, hash });
  }
  return changed;
}

function statusOf(before: string | undefined, hash: string): Status {
  if (before === undefined) return 'created';
  return before === hash ? 'unchanged' : 'updated';
}

/** Stored documents, optionally of one kind, ordered by kind then name. */
export async function listDocuments(db: Db, kind?: string): Promise<StoredDocument[]> {
  const rows = await db
    .select()
    .from(specDocuments)
    .where(kind === undefined ? undefined : eq(specDocuments.kind, kind))
    .orderBy(asc(specDocuments.kind), asc(specDocuments.name));
  return rows.map(({ apiVersion, kind, name, body, hash, updatedAt }) => ({
    apiVersion,
    kind,
    name,
    body,
    hash,
    updatedAt,
  }));
}

export async function listServices(db: Db): Promise<ServiceDefinition[]> {
  const rows = await db
    .select({ definition: services.definition })
    .from(services)
    .orderBy(asc(services.name));
  return rows.map((r) => r.definition);
}

export async function getService(db: Db, name: string): Promise<ServiceDefinition | undefined> {
  const rows = await db
    .select({ definition: services.definition })
    .from(services)
    .where(eq(services.name, name));
  return rows[0]?.definition;
}

export async function listSlos(db: Db): Promise<SloDefinition[]> {
  const rows = await db.select({ definition: slos.definition }).from(slos).orderBy(asc(slos.name));
  return rows.map((r) => r.definition);
}

export async function getSlo(db: Db, name: string): Promise<SloDefinition | undefined> {
  const rows = await db.select({ definition: slos.definition }).from(slos).where(eq(slos.name, name));
  return rows[0]?.definition;
}
