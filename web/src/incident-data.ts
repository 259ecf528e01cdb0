/**
 * Pure data shaping for the incident and on-call pages: state and severity
 * labels and tones, the buttons an incident's allowed moves become, list
 * filters, milestone durations, the timeline by day, live-event merges,
 * form-to-patch conversions, colours for people on call and a small Markdown
 * renderer for the postmortem preview. No React, no fetch: the browser test
 * and the unit tests use the same rules as the pages.
 */
import type { z } from 'zod';
import { INCIDENT_STATES, SEVERITIES } from '../../src/incidents/types.ts';
import type {
  ApiError,
  IncidentDetailSchema,
  IncidentPatchSchema,
  IncidentSchema,
  IncidentStateSchema,
  SeveritySchema,
  TimelineEntrySchema,
} from '../../src/server/schemas.ts';

/** `GET /api/v1/incidents/{id}` and friends, inferred from the server's schemas. */
export type Incident = z.infer<typeof IncidentSchema>;
export type IncidentState = z.infer<typeof IncidentStateSchema>;
export type Severity = z.infer<typeof SeveritySchema>;
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;
export type IncidentDetail = z.infer<typeof IncidentDetailSchema>;
export type IncidentPatch = z.input<typeof IncidentPatchSchema>;
export type Task = Incident['tasks'][number];

// ── states and severities ─────────────────────────────────────────────────

/** Every state in lifecycle order, and the severities: the same lists the server's enums are made of. */
export { INCIDENT_STATES, SEVERITIES };

/** States someone still works on: what the server's `state=open` means. */
export const OPEN_STATES: readonly IncidentState[] = [
  'triggered',
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
];

/**
 * How loud a state is: `alarm` nobody has it yet, `working` someone is on it,
 * `watching` mitigated and observed, `done` over, `void` it was not an incident
 * (declined) or lives on elsewhere (merged).
 */
export type StateTone = 'alarm' | 'working' | 'watching' | 'done' | 'void';

const STATE_TONES: Record<IncidentState, StateTone> = {
  triggered: 'alarm',
  acknowledged: 'working',
  investigating: 'working',
  identified: 'working',
  monitoring: 'watching',
  resolved: 'done',
  closed: 'done',
  declined: 'void',
  merged: 'void',
};

/** The badge of a state: its label and tone (a CSS modifier). */
export function stateBadge(state: IncidentState): { label: string; tone: StateTone } {
  return { label: state, tone: STATE_TONES[state] };
}

/** CSS modifier of a severity badge: SEV1 is the loudest. */
export function severityTone(severity: Severity): string {
  return severity.toLowerCase();
}

// ── moves ─────────────────────────────────────────────────────────────────

/** One button on the incident page. */
export interface MoveButton {
  to: IncidentState;
  label: string;
  /** `primary` is the usual next step, `danger` ends the incident without a fix, `plain` the rest. */
  kind: 'primary' | 'plain' | 'danger';
}

/** Button order: the way forward, then the exits; `merged` needs a target and is left to the CLI/API. */
const BUTTON_ORDER: readonly IncidentState[] = [
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'closed',
  'declined',
];

const BUTTON_LABELS: Partial<Record<IncidentState, string>> = {
  acknowledged: 'Acknowledge',
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolve',
  closed: 'Close',
  declined: 'Decline',
};

/**
 * The buttons for the moves the server allows from `state`, in lifecycle
 * order. Going back to investigating from resolved is a reopen and says so;
 * the first forward move is the primary one (what a responder does next).
 */
export function moveButtons(state: IncidentState, allowed: readonly IncidentState[]): MoveButton[] {
  // The current state is never a move (allowed moves may lag a live state change until refetched).
  const buttons = BUTTON_ORDER.filter((to) => to !== state && allowed.includes(to)).map(
    (to): MoveButton => ({
      to,
      label: to === 'investigating' && state === 'resolved' ? 'Reopen' : (BUTTON_LABELS[to] ?? to),
      kind: to === 'declined' ? 'danger' : 'plain',
    }),
  );
  const forward = buttons.find(
    (b) => b.kind !== 'danger' && INCIDENT_STATES.indexOf(b.to) > INCIDENT_STATES.indexOf(state),
  );
  if (forward) forward.kind = 'primary';
  return buttons;
}

// ── list filters ──────────────────────────────────────────────────────────

/** What the state filter offers: the open ones (default), all, or one state. */
export type StateFilter = 'open' | 'all' | IncidentState;

export interface IncidentFilters {
  state: StateFilter;
  severity?: Severity;
  service?: string;
}

export const STATE_FILTERS: readonly StateFilter[] = ['open', 'all', ...INCIDENT_STATES];

/** Filters from the page's query string; unknown values fall back to the default (open, any). */
export function filtersFromParams(params: URLSearchParams): IncidentFilters {
  const state = params.get('state');
  const severity = params.get('severity');
  const service = params.get('service');
  return {
    state: STATE_FILTERS.includes(state as StateFilter) ? (state as StateFilter) : 'open',
    ...(SEVERITIES.includes(severity as Severity) ? { severity: severity as Severity } : {}),
    ...(service ? { service } : {}),
  };
}

/** The query string of the filters, leaving defaults out so the plain URL means "open incidents". */
export function paramsFromFilters(filters: IncidentFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.state !== 'open') params.set('state', filters.state);
  if (filters.severity) params.set('severity', filters.severity);
  if (filters.service) params.set('service', filters.service);
  return params;
}

/** `GET /api/v1/incidents` for the filters (`all` sends no state). */
export function incidentsPath(filters: IncidentFilters, limit: number): string {
  const params = new URLSearchParams();
  if (filters.state !== 'all') params.set('state', filters.state);
  if (filters.severity) params.set('severity', filters.severity);
  if (filters.service) params.set('service', filters.service);
  params.set('limit', String(limit));
  return `/api/v1/incidents?${params}`;
}

/** True when the server would list `incident` under `filters` (same rules as its query). */
export function matchesFilters(incident: Incident, filters: IncidentFilters): boolean {
  if (filters.state === 'open' && !OPEN_STATES.includes(incident.state)) return false;
  if (filters.state !== 'open' && filters.state !== 'all' && incident.state !== filters.state) return false;
  if (filters.severity && incident.severity !== filters.severity) return false;
  if (filters.service && incident.service !== filters.service && !incident.services.includes(filters.service))
    return false;
  return true;
}

/**
 * A list after a live change of `incident`: replaced or added (newest first,
 * as the server orders) when it matches the filters, dropped when it no
 * longer does; the list keeps at most `limit` rows.
 */
export function mergeIntoList(
  list: readonly Incident[],
  incident: Incident,
  filters: IncidentFilters,
  limit: number,
): Incident[] {
  const rest = list.filter((i) => i.id !== incident.id);
  if (!matchesFilters(incident, filters)) return rest;
  return [...rest, incident]
    .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
    .slice(0, Math.max(limit, 0));
}

// ── milestones and durations ──────────────────────────────────────────────

type MilestoneName = keyof Incident['milestones'];

/** Milestones in the order their times keep, with names for people. */
export const MILESTONES: readonly { name: MilestoneName; label: string }[] = [
  { name: 'impactStartedAt', label: 'Impact started' },
  { name: 'detectedAt', label: 'Detected' },
  { name: 'acknowledgedAt', label: 'Acknowledged' },
  { name: 'mitigatedAt', label: 'Mitigated' },
  { name: 'resolvedAt', label: 'Resolved' },
  { name: 'closedAt', label: 'Closed' },
];

/**
 * Time to acknowledge of one incident (its contribution to MTTA): from
 * detection (or, for an incident declared without one, its opening) to the
 * acknowledgement; undefined while unacknowledged.
 */
export function timeToAcknowledge(incident: Incident): number | undefined {
  const { acknowledgedAt, detectedAt } = incident.milestones;
  if (acknowledgedAt === undefined) return undefined;
  return Math.max(0, acknowledgedAt - (detectedAt ?? incident.createdAt));
}

/** The durations of one incident; each undefined until both its ends are known. */
export interface IncidentDurations {
  /** Impact start to detection. */
  toDetect?: number;
  toAcknowledge?: number;
  /** Impact start (else detection) to mitigation. */
  toRecover?: number;
  /** Detection (else opening) to resolution. */
  toResolve?: number;
  /** Opening to resolution, or to `now` while unresolved. */
  open: number;
}

/** The durations behind MTTD, MTTA, MTTR for one incident. */
export function incidentDurations(incident: Incident, now: number): IncidentDurations {
  const m = incident.milestones;
  const span = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || b < a ? undefined : b - a;
  const toDetect = span(m.impactStartedAt, m.detectedAt);
  const toAcknowledge = timeToAcknowledge(incident);
  const toRecover = span(m.impactStartedAt ?? m.detectedAt ?? incident.createdAt, m.mitigatedAt);
  const toResolve = span(m.detectedAt ?? incident.createdAt, m.resolvedAt);
  return {
    ...(toDetect !== undefined ? { toDetect } : {}),
    ...(toAcknowledge !== undefined ? { toAcknowledge } : {}),
    ...(toRecover !== undefined ? { toRecover } : {}),
    ...(toResolve !== undefined ? { toResolve } : {}),
    open: Math.max(0, (m.resolvedAt ?? now) - incident.createdAt),
  };
}

// ── timeline ──────────────────────────────────────────────────────────────

/**
 * Icon and label of each timeline kind; unknown kinds (a newer server) get a
 * neutral one. The icons are plain symbols that common text fonts carry (no
 * emoji font needed).
 */
const TIMELINE_KINDS: Record<string, { icon: string; label: string }> = {
  'alert-firing': { icon: '▲', label: 'alert firing' },
  'alert-resolved': { icon: '✓', label: 'alert resolved' },
  'page-sent': { icon: '✉', label: 'paged' },
  'page-failed': { icon: '⚠', label: 'page failed' },
  'page-acknowledged': { icon: '✔', label: 'page acknowledged' },
  escalated: { icon: '⇧', label: 'escalated' },
  state: { icon: '⇄', label: 'state' },
  milestone: { icon: '⚑', label: 'milestone' },
  note: { icon: '✎', label: 'note' },
  merge: { icon: '⇶', label: 'merge' },
  role: { icon: '◆', label: 'role' },
  task: { icon: '☑', label: 'task' },
  'public-update': { icon: '☰', label: 'public update' },
  chaos: { icon: '⚡', label: 'chaos run' },
  maintenance: { icon: '⚙', label: 'maintenance' },
};

/** How the timeline shows an entry kind. */
export function timelineKind(kind: string): { icon: string; label: string } {
  return TIMELINE_KINDS[kind] ?? { icon: '•', label: kind };
}

/** Timeline entries oldest first (newest last, like a log); ties by id, the order they were written. */
export function sortTimeline(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return [...entries].sort((a, b) => a.at - b.at || a.id - b.id);
}

/** A timeline with new entries added (an entry already present is replaced, not doubled). */
export function mergeTimeline(
  entries: readonly TimelineEntry[],
  added: readonly TimelineEntry[],
): TimelineEntry[] {
  const byId = new Map(entries.map((e) => [e.id, e]));
  for (const e of added) byId.set(e.id, e);
  return sortTimeline([...byId.values()]);
}

/** `YYYY-MM-DD` of `ms` in `timeZone` (the browser's zone when undefined). */
export function dayKey(ms: number, timeZone?: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(ms);
}

/** The timeline in days, oldest day first, each day's entries oldest first. */
export function groupTimelineByDay(
  entries: readonly TimelineEntry[],
  timeZone?: string,
): { day: string; entries: TimelineEntry[] }[] {
  const groups: { day: string; entries: TimelineEntry[] }[] = [];
  for (const e of sortTimeline(entries)) {
    const day = dayKey(e.at, timeZone);
    const last = groups.at(-1);
    if (last?.day === day) last.entries.push(e);
    else groups.push({ day, entries: [e] });
  }
  return groups;
}

/** The detail after a live `incident` event: the incident replaced, its new timeline entries added. */
export function applyIncidentEvent(
  detail: IncidentDetail,
  event: { incident: Incident; entries: readonly TimelineEntry[] },
): IncidentDetail {
  if (detail.incident.id !== event.incident.id) return detail;
  return {
    ...detail,
    incident: event.incident,
    timeline: mergeTimeline(
      detail.timeline,
      event.entries.filter((e) => e.incidentId === event.incident.id),
    ),
  };
}

// ── tasks ─────────────────────────────────────────────────────────────────

/** Tasks (during the incident) and follow-ups (after it), each with open ones first, then by title. */
export function groupTasks(tasks: readonly Task[]): { tasks: Task[]; followUps: Task[] } {
  const rank = { open: 0, done: 1, cancelled: 2 } as const;
  const sorted = [...tasks].sort((a, b) => rank[a.status] - rank[b.status]);
  return {
    tasks: sorted.filter((t) => t.kind === 'task'),
    followUps: sorted.filter((t) => t.kind === 'follow-up'),
  };
}

// ── forms to patches ──────────────────────────────────────────────────────

export type RoleName = 'commander' | 'scribe' | 'communications';
export const ROLES: readonly { name: RoleName; label: string }[] = [
  { name: 'commander', label: 'Commander' },
  { name: 'scribe', label: 'Scribe' },
  { name: 'communications', label: 'Communications' },
];

/** The roles patch from form text: a blank field clears the role (null), unchanged ones are left out. */
export function rolesPatch(
  current: Incident['roles'],
  form: Record<RoleName, string>,
): NonNullable<IncidentPatch['roles']> {
  const patch: NonNullable<IncidentPatch['roles']> = {};
  for (const { name } of ROLES) {
    const value = form[name].trim();
    if (value === (current[name] ?? '')) continue;
    patch[name] = value === '' ? null : value;
  }
  return patch;
}

/** The business-impact form: every field as the text typed. */
export interface ImpactForm {
  customersAffected: string;
  failedTransactions: string;
  value: string;
  currency: string;
  notes: string;
}

/** The form's starting text for an incident's impact. */
export function impactFormOf(impact: Incident['impact']): ImpactForm {
  const text = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    customersAffected: text(impact.customersAffected),
    failedTransactions: text(impact.failedTransactions),
    value: text(impact.value),
    currency: impact.currency ?? '',
    notes: impact.notes ?? '',
  };
}

/**
 * The impact patch from the form, or the problem with it. Blank clears a
 * field (null); counts are whole numbers, the value a number, the currency
 * upper-cased (the server wants an ISO 4217 code and says so otherwise).
 */
export function impactPatch(
  form: ImpactForm,
): { patch: NonNullable<IncidentPatch['impact']> } | { error: string } {
  const patch: NonNullable<IncidentPatch['impact']> = {};
  const counts = [
    ['customersAffected', 'customers affected'],
    ['failedTransactions', 'failed transactions'],
  ] as const;
  for (const [key, label] of counts) {
    const text = form[key].trim().replaceAll(',', '').replaceAll('_', '');
    if (text === '') patch[key] = null;
    else if (/^\d+$/.test(text)) patch[key] = Number(text);
    else return { error: `${label} must be a whole number` };
  }
  const value = form.value.trim().replaceAll(',', '');
  if (value === '') patch.value = null;
  else if (/^\d+(\.\d+)?$/.test(value)) patch.value = Number(value);
  else return { error: 'value must be a number' };
  const currency = form.currency.trim().toUpperCase();
  patch.currency = currency === '' ? null : currency;
  const notes = form.notes.trim();
  patch.notes = notes === '' ? null : notes;
  return { patch };
}

// ── errors ────────────────────────────────────────────────────────────────

/**
 * What the UI says about a refused write: the server's message and its
 * details (a 409 on a move lists the allowed moves as `allowed: …`).
 */
export function describeApiError(status: number, message: string, body?: ApiError): string {
  const details = (body?.details ?? []).map((d) => d.message).filter((m) => m && m !== message);
  return `HTTP ${status}: ${message}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}

// ── on call ───────────────────────────────────────────────────────────────

/** Hues for people: cyan to purple, apart enough to tell neighbours on the calendar apart. */
export const PERSON_HUES: readonly number[] = [210, 280, 175, 245, 310, 190, 260, 225];

/**
 * A stable hue per person, so one name has one colour across schedules. No
 * red, orange or yellow: those mean trouble elsewhere in the UI.
 */
export function userHue(user: string): number {
  let h = 0;
  for (const ch of user) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 9_973;
  return PERSON_HUES[h % PERSON_HUES.length] ?? 210;
}

/** A link the browser or a calendar app opens by itself: neither sends headers, so a token rides in the query. */
export function withAccessToken(path: string, token: string | null): string {
  return token ? `${path}?access_token=${encodeURIComponent(token)}` : path;
}

// ── Markdown ──────────────────────────────────────────────────────────────

/** Escapes text for HTML: every `&`, `<`, `>`, `"` and `'` becomes a character reference. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Escapes Markdown text for HTML, except that character references already
 * in it (`&lt;`, which the postmortem writes for `<`) stay references: a
 * reference can only ever show a character, never open markup.
 */
export function escapeText(text: string): string {
  return text
    .replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});)/g, '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

// Private-use characters hold escaped characters while emphasis is parsed; they are removed from input.
const HOLD_OPEN = '\uE000';
const HOLD_CLOSE = '\uE001';
const ESCAPABLE = /\\([!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~])/g;

/** Links may only go to the web, mail, or this site: never `javascript:` and the like. */
const SAFE_HREF = /^(https?:\/\/|mailto:|\/|#)/i;

/** Inline Markdown (code spans, backslash escapes, strong, emphasis, links) to escaped HTML. */
export function renderInline(text: string): string {
  let out = '';
  // Code spans first: nothing inside them is Markdown.
  const code = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;
  let last = 0;
  for (const m of text.matchAll(code)) {
    out += inlineText(text.slice(last, m.index));
    out += `<code>${escapeHtml((m[2] ?? '').trim())}</code>`;
    last = m.index + m[0].length;
  }
  return out + inlineText(text.slice(last));
}

function inlineText(text: string): string {
  const held: string[] = [];
  let s = text
    .replaceAll(HOLD_OPEN, '')
    .replaceAll(HOLD_CLOSE, '')
    .replace(ESCAPABLE, (_m, ch: string) => `${HOLD_OPEN}${held.push(ch) - 1}${HOLD_CLOSE}`);
  s = escapeText(s);
  s = s
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/\*(?=\S)([\s\S]*?\S)\*/g, '<em>$1</em>')
    // Underscores inside words (snake_case) are not emphasis.
    .replace(/(^|[^\w])_(?=\S)([\s\S]*?\S)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, label: string, href: string) =>
      SAFE_HREF.test(href) ? `<a href="${href}" rel="noopener noreferrer">${label}</a>` : m,
    );
  return s.replace(new RegExp(`${HOLD_OPEN}(\\d+)${HOLD_CLOSE}`, 'g'), (_m, i: string) =>
    escapeHtml(held[Number(i)] ?? ''),
  );
}

/** Splits a table row on `|` that is not backslash-escaped (`\|` stays in the cell, as `\|`). */
export function splitTableRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < row.length; i++) {
    const ch = row[i];
    if (ch === '\\' && i + 1 < row.length) {
      cell += ch + row[i + 1];
      i++;
    } else if (ch === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  // A trailing `|` closes the last cell; text after the last `|` is a cell of its own.
  if (cell.trim() !== '' || !row.trimEnd().endsWith('|')) cells.push(cell.trim());
  return cells;
}

const TABLE_SEPARATOR = /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** A table starts with a row of cells over a separator row (both with pipes, unlike a rule). */
function isTableStart(line: string, next: string | undefined): boolean {
  return line.includes('|') && (next ?? '').includes('|') && TABLE_SEPARATOR.test(next ?? '');
}

function alignOf(spec: string): string {
  const s = spec.trim();
  if (s.startsWith(':') && s.endsWith(':')) return ' style="text-align:center"';
  if (s.endsWith(':')) return ' style="text-align:right"';
  return '';
}

/**
 * Markdown to HTML for the postmortem preview: ATX headings, paragraphs,
 * unordered and ordered lists, tables (with alignment), fenced code,
 * blockquotes, rules, and the inline forms of {@link renderInline}. Every
 * piece of text is escaped, so raw HTML in the source shows as text.
 */
export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const html: string[] = [];
  let i = 0;
  const isBlank = (l: string | undefined) => l === undefined || l.trim() === '';
  const listItem = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;
  const startsBlock = (l: string, next: string | undefined) =>
    /^\s{0,3}(#{1,6}\s|```|~~~|>)/.test(l) ||
    listItem.test(l) ||
    /^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(l) ||
    isTableStart(l, next);
  // Bounded: every branch consumes at least one line.
  while (i < lines.length) {
    const line = lines[i] as string;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (heading) {
      const level = heading[1]?.length ?? 1;
      html.push(`<h${level}>${renderInline(heading[2] ?? '')}</h${level}>`);
      i++;
      continue;
    }
    const fence = /^\s{0,3}(```+|~~~+)/.exec(line);
    if (fence) {
      const marker = fence[1] as string;
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] as string).trim().startsWith(marker))
        body.push(lines[i++] as string);
      i++; // the closing fence (or the end)
      html.push(`<pre><code>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      html.push('<hr>');
      i++;
      continue;
    }
    if (isTableStart(line, lines[i + 1])) {
      const head = splitTableRow(line);
      const aligns = splitTableRow(lines[i + 1] as string).map(alignOf);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && !isBlank(lines[i]) && (lines[i] as string).includes('|'))
        rows.push(splitTableRow(lines[i++] as string));
      const cell = (tag: string, text: string, col: number) =>
        `<${tag}${aligns[col] ?? ''}>${renderInline(text)}</${tag}>`;
      html.push(
        `<table><thead><tr>${head.map((h, c) => cell('th', h, c)).join('')}</tr></thead><tbody>${rows
          .map((r) => `<tr>${head.map((_h, c) => cell('td', r[c] ?? '', c)).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i] as string))
        quoted.push((lines[i++] as string).replace(/^\s{0,3}>\s?/, ''));
      html.push(`<blockquote>${renderMarkdown(quoted.join('\n'))}</blockquote>`);
      continue;
    }
    const item = listItem.exec(line);
    if (item) {
      const ordered = /\d/.test(item[1] ?? '');
      const items: string[] = [];
      while (i < lines.length) {
        const m = listItem.exec(lines[i] as string);
        if (m && /\d/.test(m[1] ?? '') === ordered) {
          items.push(m[2] ?? '');
          i++;
        } else if (!isBlank(lines[i]) && /^\s+\S/.test(lines[i] as string) && items.length > 0) {
          // An indented line continues the item before it.
          items[items.length - 1] += ` ${(lines[i++] as string).trim()}`;
        } else break;
      }
      const tag = ordered ? 'ol' : 'ul';
      html.push(`<${tag}>${items.map((t) => `<li>${renderInline(t)}</li>`).join('')}</${tag}>`);
      continue;
    }
    const para: string[] = [line.trim()];
    i++;
    while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines[i] as string, lines[i + 1]))
      para.push((lines[i++] as string).trim());
    html.push(`<p>${renderInline(para.join(' '))}</p>`);
  }
  return html.join('\n');
}
