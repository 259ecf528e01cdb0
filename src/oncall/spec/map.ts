/**
 * Validated on-call documents → domain values (`../types.ts`): shorthands
 * expanded (`1d`, `weekdays`), instants and durations in ms, defaults filled.
 * Every problem is a diagnostic at the field that caused it; with the sets of
 * known users and schedules, references are checked too (the bundle check
 * passes them).
 */
import type { z } from 'zod';
import { type Diagnostic, type LoadedDocument, parseDuration } from '../../spec/index.ts';
import type {
  ContactMethod,
  EscalationPolicy,
  EscalationTarget,
  Layer,
  Override,
  PolicyRoute,
  Schedule,
  ShiftLength,
  Team,
  User,
  Weekday,
} from '../types.ts';
import {
  type ContactBody,
  DAY_SETS,
  type EscalationPolicyDocument,
  escalationPolicyDocumentSchema,
  parseZonedInstant,
  type ScheduleDocument,
  scheduleDocumentSchema,
  type TeamDocument,
  teamDocumentSchema,
  type UserDocument,
  userDocumentSchema,
  WEEKDAY_NAMES,
} from './schema.ts';

/** What a step waits for an acknowledgement when its spec gives no delay (PagerDuty's default too). */
export const DEFAULT_STEP_DELAY_MS = 30 * 60_000;

/** A mapped value (absent when any error was found) and the problems found. */
export interface Mapped<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

/** Names other documents define, for reference checks; a check is skipped when its set is absent. */
export interface KnownNames {
  users?: ReadonlySet<string>;
  schedules?: ReadonlySet<string>;
  teams?: ReadonlySet<string>;
}

type ErrorAt = (path: readonly PropertyKey[], message: string) => void;

/** `spec.layers[0].start` */
function pathLabel(path: readonly PropertyKey[]): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : `${out ? '.' : ''}${String(step)}`;
  return out;
}

/** Parses with `schema`; schema problems become diagnostics that name the field. */
function parse<T>(
  doc: LoadedDocument,
  schema: z.ZodType<T>,
): { data?: T; diagnostics: Diagnostic[]; error: ErrorAt } {
  const diagnostics: Diagnostic[] = [];
  const error: ErrorAt = (path, message) =>
    diagnostics.push({ file: doc.file, ...doc.locate(path), severity: 'error', message });
  const r = schema.safeParse(doc.body);
  if (r.success) return { data: r.data, diagnostics, error };
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        error([...issue.path, key], `unknown field "${key}" in ${pathLabel(issue.path) || 'the document'}`);
      continue;
    }
    const label = pathLabel(issue.path);
    error(issue.path, `${label ? `${label}: ` : ''}${issue.message.replace(/^Invalid input: /, '')}`);
  }
  return { diagnostics, error };
}

const KIND_OF: Record<'user' | 'schedule' | 'team', string> = {
  user: 'User',
  schedule: 'Schedule',
  team: 'Team',
};

/** `unknown team "x": known teams are a, b` or, with none known, how to declare one. */
export function unknownName(
  kind: 'user' | 'schedule' | 'team',
  name: string,
  known: ReadonlySet<string>,
): string {
  const list = [...known].sort();
  const declare = `declare it with a ${KIND_OF[kind]} document (apiVersion: ballast.dev/v1, kind: ${KIND_OF[kind]})`;
  return `unknown ${kind} "${name}": ${list.length ? `known ${kind}s are ${list.join(', ')}` : declare}`;
}

function checkUser(error: ErrorAt, known: KnownNames, path: readonly PropertyKey[], name: string): void {
  if (known.users && !known.users.has(name)) error(path, unknownName('user', name, known.users));
}

function mapContact(c: ContactBody): ContactMethod {
  if (c.webhook !== undefined) return { kind: 'webhook', url: c.webhook };
  if (c.slack !== undefined) return { kind: 'slack', url: c.slack };
  return { kind: 'email', address: c.email as string };
}

/** A `User` document → User. */
export function userFromDocument(doc: LoadedDocument): Mapped<User> {
  const { data, diagnostics } = parse<UserDocument>(doc, userDocumentSchema);
  if (!data) return { diagnostics };
  const user: User = { name: data.metadata.name, contacts: data.spec.contacts.map(mapContact) };
  const displayName = data.spec.displayName ?? data.metadata.displayName;
  if (displayName !== undefined) user.displayName = displayName;
  if (data.spec.timeZone !== undefined) user.timeZone = data.spec.timeZone;
  return { value: user, diagnostics };
}

/** A `Team` document → Team; with `known.users`, every member must be a known user. */
export function teamFromDocument(doc: LoadedDocument, known: KnownNames = {}): Mapped<Team> {
  const { data, diagnostics, error } = parse<TeamDocument>(doc, teamDocumentSchema);
  if (!data) return { diagnostics };
  data.spec.members.forEach((m, i) => {
    checkUser(error, known, ['spec', 'members', i], m);
  });
  if (diagnostics.length > 0) return { diagnostics };
  const team: Team = { name: data.metadata.name, members: [...new Set(data.spec.members)] };
  if (data.metadata.displayName !== undefined) team.displayName = data.metadata.displayName;
  return { value: team, diagnostics };
}

function mapShift(shift: ScheduleDocument['spec']['layers'][number]['shift']): ShiftLength {
  if (typeof shift === 'string') {
    const count = Number(shift.slice(0, -1));
    const unit = shift.endsWith('h') ? 'hours' : shift.endsWith('d') ? 'days' : 'weeks';
    return { unit, count };
  }
  if (shift.hours !== undefined) return { unit: 'hours', count: shift.hours };
  if (shift.days !== undefined) return { unit: 'days', count: shift.days };
  return { unit: 'weeks', count: shift.weeks as number };
}

function mapDays(days: 'weekdays' | 'weekends' | Weekday[] | undefined): Weekday[] {
  if (days === undefined) return [...WEEKDAY_NAMES];
  if (typeof days === 'string') return [...DAY_SETS[days]];
  return [...new Set(days)];
}

/**
 * A `Schedule` document → Schedule; with `known.users`, every participant and
 * override user must be a known user.
 */
export function scheduleFromDocument(doc: LoadedDocument, known: KnownNames = {}): Mapped<Schedule> {
  const { data, diagnostics, error } = parse<ScheduleDocument>(doc, scheduleDocumentSchema);
  if (!data) return { diagnostics };
  const { spec } = data;
  const layers = spec.layers.map((l, i): Layer => {
    l.participants.forEach((p, j) => {
      checkUser(error, known, ['spec', 'layers', i, 'participants', j], p);
    });
    const layer: Layer = {
      name: l.name,
      start: l.start,
      shift: mapShift(l.shift),
      participants: [...l.participants],
      restrictions: (l.restrictions ?? []).map((r) => ({
        days: mapDays(r.days),
        start: r.start,
        end: r.end,
      })),
    };
    if (l.end !== undefined) layer.end = l.end;
    return layer;
  });
  const overrides = (spec.overrides ?? []).map((o, i): Override => {
    checkUser(error, known, ['spec', 'overrides', i, 'user'], o.user);
    const override: Override = {
      user: o.user,
      start: parseZonedInstant(o.start) as number,
      end: parseZonedInstant(o.end) as number,
    };
    if (o.reason !== undefined) override.reason = o.reason;
    return override;
  });
  if (diagnostics.length > 0) return { diagnostics };
  const schedule: Schedule = { name: data.metadata.name, timeZone: spec.timeZone, layers, overrides };
  if (data.metadata.displayName !== undefined) schedule.displayName = data.metadata.displayName;
  return { value: schedule, diagnostics };
}

type TargetBody = EscalationPolicyDocument['spec']['steps'][number]['targets'][number];

function mapTarget(t: TargetBody): EscalationTarget {
  if (t.user !== undefined) return { kind: 'user', name: t.user };
  if (t.schedule !== undefined) return { kind: 'schedule', name: t.schedule };
  if (t.team !== undefined) return { kind: 'team', name: t.team };
  if (t.slack !== undefined) return { kind: 'channel', contact: { kind: 'slack', url: t.slack } };
  if (t.webhook !== undefined) return { kind: 'channel', contact: { kind: 'webhook', url: t.webhook } };
  return { kind: 'channel', contact: { kind: 'email', address: t.email as string } };
}

/**
 * An `EscalationPolicy` document → EscalationPolicy (a step without `delay`
 * waits {@link DEFAULT_STEP_DELAY_MS}; `repeat` defaults to 0); with
 * `known.users`/`known.schedules`/`known.teams`, user, schedule and team targets must exist.
 */
export function escalationPolicyFromDocument(
  doc: LoadedDocument,
  known: KnownNames = {},
): Mapped<EscalationPolicy> {
  const { data, diagnostics, error } = parse<EscalationPolicyDocument>(doc, escalationPolicyDocumentSchema);
  if (!data) return { diagnostics };
  const steps = data.spec.steps.map((step, i) => ({
    delayMs: step.delay === undefined ? DEFAULT_STEP_DELAY_MS : (parseDuration(step.delay) as number),
    targets: step.targets.map((t, j) => {
      const path = ['spec', 'steps', i, 'targets', j];
      if (t.user !== undefined) checkUser(error, known, [...path, 'user'], t.user);
      if (t.schedule !== undefined && known.schedules && !known.schedules.has(t.schedule))
        error([...path, 'schedule'], unknownName('schedule', t.schedule, known.schedules));
      if (t.team !== undefined && known.teams && !known.teams.has(t.team))
        error([...path, 'team'], unknownName('team', t.team, known.teams));
      return mapTarget(t);
    }),
  }));
  if (diagnostics.length > 0) return { diagnostics };
  const policy: EscalationPolicy = { name: data.metadata.name, steps, repeat: data.spec.repeat ?? 0 };
  if (data.spec.routes?.length) {
    policy.routes = data.spec.routes.map((r) => {
      const route: PolicyRoute = {};
      if (r.service !== undefined) route.service = r.service;
      if (r.labels !== undefined) route.labels = r.labels;
      if (r.origin !== undefined) route.origin = r.origin;
      if (r.urgency !== undefined) route.urgency = r.urgency;
      if (r.severity !== undefined) route.severity = r.severity;
      return route;
    });
  }

  if (data.spec.ackTimeout !== undefined) policy.ackTimeoutMs = parseDuration(data.spec.ackTimeout) as number;
  return { value: policy, diagnostics };
}
