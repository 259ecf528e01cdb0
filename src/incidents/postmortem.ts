/**
 * A blameless postmortem draft in Markdown, pre-filled from what Ballast
 * recorded: milestones and durations, error budget burnt per affected SLO,
 * alerts, check results, pages, follow-up tasks and the timeline. The parts
 * that need judgement (what happened, root causes, trigger, lessons) are left
 * as visible placeholders, so a draft never passes for a finished document.
 * Pure: evidence in, text out (times in UTC, so the text is the same for every reader).
 */
import type { CheckResult, CheckStatus } from '../checks/index.ts';
import { MILESTONE_LABELS, MILESTONE_ORDER } from './lifecycle.ts';
import type { PageRecord } from './metrics.ts';
import type { AlertRecord, Incident, Task, TimelineEntry } from './types.ts';

/** How one SLO fared during the incident: its remaining error budget (ratio, 1 = untouched) at both ends. */
export interface SloImpact {
  slo: string;
  displayName?: string;
  /** Objective ratio, e.g. 0.999. */
  objective: number;
  /** null: no data then. */
  budgetAtStart: number | null;
  budgetAtEnd: number | null;
}

/** Everything the draft is written from; the caller selects what falls in the incident's window. */
export interface PostmortemEvidence {
  incident: Incident;
  timeline: readonly TimelineEntry[];
  alerts: readonly AlertRecord[];
  checkResults: readonly CheckResult[];
  pages: readonly PageRecord[];
  slos: readonly SloImpact[];
}

/** Marks a section a person must write; the text says what belongs there. */
export function placeholder(what: string): string {
  return `_To be written: ${what}_`;
}

/**
 * The postmortem draft of an incident, following the blameless template:
 * summary, impact, root causes, trigger, resolution, detection, action items
 * (follow-up tasks grouped by type: mitigate, prevent, process), lessons
 * learned (what went well, what went wrong, where we got lucky) and the
 * timeline.
 */
export function postmortemMarkdown(evidence: PostmortemEvidence): string {
  const sections = [
    header(evidence),
    summary(evidence),
    impact(evidence),
    `## Root causes\n\n${placeholder('the conditions in our systems and processes that made this possible (keep asking "why?"; name systems and decisions, not people).')}`,
    `## Trigger\n\n${placeholder('the change or event that set the causes off (a deploy, a configuration push, a traffic spike, a dependency failing).')}`,
    resolution(evidence),
    detection(evidence),
    actionItems(evidence.incident.tasks),
    lessons(),
    timeline(evidence.timeline),
  ];
  return `${sections.join('\n\n')}\n`;
}

// ── sections ──────────────────────────────────────────────────────────────

function header({ incident }: PostmortemEvidence): string {
  const rows: [string, string][] = [
    ['Incident', `#${incident.id}`],
    ['Severity', `${incident.severity} (${incident.urgency} urgency)`],
    ['State', incident.state],
    ['Services', servicesText(incident)],
  ];
  if (incident.escalationPolicy) rows.push(['Escalation policy', incident.escalationPolicy]);
  if (incident.declaredBy) rows.push(['Declared by', incident.declaredBy]);
  rows.push(['Commander', incident.roles.commander ?? '—']);
  rows.push(['Scribe', incident.roles.scribe ?? '—']);
  rows.push(['Communications', incident.roles.communications ?? '—']);
  return [
    `# Postmortem: ${inline(incident.title)} (#${incident.id})`,
    '',
    '_Blameless: this document looks for what in our systems and processes let the incident happen, and how to make them safer; it never looks for someone to blame._',
    '',
    table(['Field', 'Value'], rows),
  ].join('\n');
}

function summary(e: PostmortemEvidence): string {
  const { incident } = e;
  const m = incident.milestones;
  const span = impactWindow(incident);
  const services = affectedServices(incident);
  const affecting = services.length > 0 ? ` affecting ${services.map(inline).join(', ')}` : '';
  const lasted =
    span.end !== undefined
      ? `impact lasted ${humanDuration(span.end - span.start)}`
      : 'impact not mitigated yet';
  const facts = [`${incident.severity} incident${affecting}; ${lasted}.`];
  if (m.detectedAt !== undefined && m.resolvedAt !== undefined)
    facts.push(`Resolved ${humanDuration(m.resolvedAt - m.detectedAt)} after detection.`);
  let evidence = `${capitalise(count(e.alerts.length, 'alert'))} and ${count(e.pages.length, 'page')}`;
  const burnt = e.slos.filter((s) => (consumed(s) ?? 0) > 0).map((s) => inline(s.slo));
  if (burnt.length > 0) evidence += `; error budget consumed on ${burnt.sort().join(', ')}`;
  facts.push(`${evidence}.`);
  return `## Summary\n\n${facts.join(' ')}\n\n${placeholder('what happened, in two or three sentences someone outside the team understands.')}`;
}

function impact(e: PostmortemEvidence): string {
  const { incident } = e;
  const lines: string[] = ['## Impact', ''];
  const span = impactWindow(incident);
  const startLabel = START_LABELS[span.from];
  if (span.end !== undefined && span.to !== undefined) {
    lines.push(
      `- Impact lasted **${humanDuration(span.end - span.start)}**, from ${utc(span.start)} UTC (${startLabel}) to ${utc(span.end)} UTC (${MILESTONE_LABELS[span.to]}).`,
    );
  } else {
    lines.push(`- Impact started ${utc(span.start)} UTC (${startLabel}) and is not mitigated yet.`);
  }
  const business = businessImpact(incident);
  lines.push(
    ...(business.length > 0
      ? business.map((b) => `- ${b}`)
      : [`- ${placeholder('who was affected and how (customers, requests, money).')}`]),
  );

  lines.push('', '### Milestones', '');
  const rows = MILESTONE_ORDER.map((name): [string, string, string] => {
    const at = incident.milestones[name];
    return [
      capitalise(MILESTONE_LABELS[name]),
      at === undefined ? '—' : utc(at),
      at === undefined || at < span.start ? '—' : humanDuration(at - span.start),
    ];
  });
  lines.push(table(['Milestone', 'Time (UTC)', SINCE_HEADINGS[span.from]], rows));
  const m = incident.milestones;
  const durations: [string, number | undefined, number | undefined][] = [
    ['Time to detect', m.impactStartedAt, m.detectedAt],
    ['Time to acknowledge', m.detectedAt, m.acknowledgedAt],
    ['Time to recover', m.impactStartedAt ?? m.detectedAt, m.mitigatedAt],
    ['Time to resolve', m.detectedAt, m.resolvedAt],
  ];
  const known = durations.filter(([, a, b]) => a !== undefined && b !== undefined && b >= a);
  if (known.length > 0) {
    lines.push('');
    for (const [label, a, b] of known) lines.push(`- ${label}: ${humanDuration(b! - a!)}`);
  }

  lines.push('', '### Error budget', '');
  if (e.slos.length === 0) {
    lines.push('No SLO was recorded as affected.');
  } else {
    const sloRows = [...e.slos]
      .sort((a, b) => a.slo.localeCompare(b.slo))
      .map((s): string[] => {
        const c = consumed(s);
        return [
          s.displayName ? `${inline(s.displayName)} (${inline(s.slo)})` : inline(s.slo),
          percent(s.objective, 3),
          s.budgetAtStart === null ? 'no data' : percent(s.budgetAtStart, 1),
          s.budgetAtEnd === null ? 'no data' : percent(s.budgetAtEnd, 1),
          c === undefined
            ? '—'
            : c < 0
              ? `none (${percent(-c, 1)} recovered)`
              : `${percent(c, 1)} of the budget`,
        ];
      });
    lines.push(
      table(['SLO', 'Objective', 'Budget left at start', 'Budget left at end', 'Consumed'], sloRows),
    );
  }
  return lines.join('\n');
}

/** How the start of the impact window is described, by the milestone it came from. */
const START_LABELS: Record<ImpactStart, string> = {
  impactStartedAt: 'impact started',
  detectedAt: 'detected; impact start unknown',
  createdAt: 'incident opened; impact start unknown',
};

const AFTER_START: Record<ImpactStart, string> = {
  impactStartedAt: 'after the impact started',
  detectedAt: 'after detection (impact start unknown)',
  createdAt: 'after the incident opened (impact start unknown)',
};

const SINCE_HEADINGS: Record<ImpactStart, string> = {
  impactStartedAt: 'Since impact started',
  detectedAt: 'Since detection',
  createdAt: 'Since opened',
};

function resolution({ incident }: PostmortemEvidence): string {
  const m = incident.milestones;
  const facts: string[] = [];
  const { start, from } = impactWindow(incident);
  if (m.mitigatedAt !== undefined)
    facts.push(
      `- Mitigated ${utc(m.mitigatedAt)} UTC, ${humanDuration(m.mitigatedAt - start)} ${AFTER_START[from]}.`,
    );
  if (m.resolvedAt !== undefined) {
    const since =
      m.detectedAt !== undefined ? `, ${humanDuration(m.resolvedAt - m.detectedAt)} after detection` : '';
    facts.push(`- Resolved ${utc(m.resolvedAt)} UTC${since}.`);
  }
  if (facts.length === 0) facts.push('- Not mitigated or resolved yet.');
  const done = incident.tasks.filter((t) => t.kind === 'task' && t.status === 'done');
  if (done.length > 0)
    facts.push(`- Tasks done during the incident: ${done.map((t) => inline(t.title)).join('; ')}.`);
  return `## Resolution\n\n${facts.join('\n')}\n\n${placeholder('what was done to mitigate and then resolve, and why it worked.')}`;
}

function detection(e: PostmortemEvidence): string {
  const { incident } = e;
  const m = incident.milestones;
  const lines: string[] = ['## Detection', ''];
  if (m.detectedAt !== undefined) {
    const after =
      m.impactStartedAt !== undefined
        ? `, ${humanDuration(m.detectedAt - m.impactStartedAt)} after the impact started`
        : '';
    lines.push(`- Detected ${utc(m.detectedAt)} UTC${after}.`);
  }
  const alerts = [...e.alerts].sort((a, b) => a.firstSeenAt - b.firstSeenAt || a.id - b.id);
  const firstAlert = alerts[0];
  if (firstAlert)
    lines.push(
      `- First alert: ${inline(firstAlert.summary)} (${firstAlert.origin}, ${utc(firstAlert.firstSeenAt)} UTC).`,
    );
  else if (incident.declaredBy) lines.push(`- No alert: declared by hand by ${inline(incident.declaredBy)}.`);
  const acked = e.pages.filter((p) => p.acknowledgedAt !== undefined);
  if (e.pages.length > 0)
    lines.push(`- ${count(e.pages.length, 'page')} sent, ${acked.length} acknowledged.`);
  lines.push(
    '',
    placeholder(
      'how we noticed, and how we could notice sooner (did the alerts say what we needed to know?).',
    ),
  );

  lines.push('', '### Alerts', '');
  if (alerts.length === 0) lines.push('No alert was linked to this incident.');
  else
    lines.push(
      table(
        ['Alert', 'Origin', 'Severity', 'Service', 'First seen (UTC)', 'Resolved (UTC)'],
        alerts.map((a) => [
          inline(a.summary),
          a.origin,
          a.severity,
          inline(a.service ?? '—'),
          utc(a.firstSeenAt),
          a.resolvedAt === undefined ? `still ${a.status}` : utc(a.resolvedAt),
        ]),
      ),
    );

  lines.push('', '### Check results', '');
  const checks = checkSummaries(e.checkResults);
  if (checks.length === 0) lines.push('No check results in the incident window.');
  else
    lines.push(
      table(
        [
          'Check',
          'Service',
          'Pass',
          'Degraded',
          'Fail',
          'First failure (UTC)',
          'Last failure (UTC)',
          'Most frequent failure',
        ],
        checks.map((c) => [
          inline(c.check),
          inline(c.service),
          String(c.counts.pass),
          String(c.counts.degraded),
          String(c.counts.fail),
          c.firstFailure === undefined ? '—' : utc(c.firstFailure),
          c.lastFailure === undefined ? '—' : utc(c.lastFailure),
          c.reason === undefined ? '—' : inline(c.reason),
        ]),
      ),
    );

  lines.push('', '### Pages', '');
  const pages = [...e.pages].sort((a, b) => a.at - b.at || a.user.localeCompare(b.user));
  if (pages.length === 0) lines.push('Nobody was paged.');
  else
    lines.push(
      table(
        ['Sent (UTC)', 'To', 'Channel', 'Acknowledged'],
        pages.map((p) => [
          utc(p.at),
          inline(p.user),
          inline(p.channel),
          p.acknowledgedAt === undefined ? 'no' : `after ${humanDuration(p.acknowledgedAt - p.at)}`,
        ]),
      ),
    );
  return lines.join('\n');
}

const ACTION_TYPES = [
  ['mitigate', 'Mitigate'],
  ['prevent', 'Prevent'],
  ['process', 'Process'],
] as const;

function actionItems(tasks: readonly Task[]): string {
  const followUps = tasks.filter((t) => t.kind === 'follow-up');
  const lines: string[] = ['## Action items', ''];
  if (followUps.length === 0) {
    lines.push(
      placeholder(
        'follow-up tasks, each of type mitigate, prevent or process, with an owner and a due date.',
      ),
    );
    return lines.join('\n');
  }
  const groups: [string, Task[]][] = ACTION_TYPES.map(([type, title]) => [
    title,
    followUps.filter((t) => t.actionType === type),
  ]);
  const untyped = followUps.filter((t) => t.actionType === undefined);
  if (untyped.length > 0) groups.push(['Not typed yet', untyped]);
  const blocks = groups.map(([title, items]) => {
    const body =
      items.length === 0
        ? '_None yet._'
        : table(
            ['Item', 'Owner', 'Status', 'Due (UTC)'],
            items.map((t) => [
              inline(t.title),
              inline(t.owner ?? '—'),
              t.status,
              t.dueAt === undefined ? '—' : utc(t.dueAt).slice(0, 10),
            ]),
          );
    return `### ${title}\n\n${body}`;
  });
  lines.push(blocks.join('\n\n'));
  return lines.join('\n');
}

function lessons(): string {
  return [
    '## Lessons learned',
    '',
    '### What went well',
    '',
    placeholder('what helped (tools, alerts, runbooks, people knowing whom to call).'),
    '',
    '### What went wrong',
    '',
    placeholder('what slowed us down or made things worse.'),
    '',
    '### Where we got lucky',
    '',
    placeholder('what went right by chance and should not be relied on next time.'),
  ].join('\n');
}

function timeline(entries: readonly TimelineEntry[]): string {
  const sorted = [...entries].sort((a, b) => a.at - b.at || a.id - b.id);
  const body =
    sorted.length === 0
      ? 'Nothing was recorded on the timeline.'
      : table(
          ['Time (UTC)', 'Kind', 'Event', 'By'],
          sorted.map((t) => [utc(t.at), t.kind, inline(t.text), inline(t.actor)]),
        );
  return `## Timeline\n\n${body}`;
}

// ── evidence helpers ──────────────────────────────────────────────────────

/**
 * When the impact started and ended: the impact start (else detection, else
 * creation), to mitigation (else resolution). Names the milestones used.
 */
type ImpactStart = 'impactStartedAt' | 'detectedAt' | 'createdAt';

function impactWindow(incident: Incident): {
  start: number;
  from: ImpactStart;
  end?: number;
  to?: 'mitigatedAt' | 'resolvedAt';
} {
  const m = incident.milestones;
  const [start, from] =
    m.impactStartedAt !== undefined
      ? [m.impactStartedAt, 'impactStartedAt' as const]
      : m.detectedAt !== undefined
        ? [m.detectedAt, 'detectedAt' as const]
        : [incident.createdAt, 'createdAt' as const];
  if (m.mitigatedAt !== undefined) return { start, from, end: m.mitigatedAt, to: 'mitigatedAt' };
  if (m.resolvedAt !== undefined) return { start, from, end: m.resolvedAt, to: 'resolvedAt' };
  return { start, from };
}

/** Share of the whole budget used during the incident (start − end, as ratios of the budget). */
function consumed(s: SloImpact): number | undefined {
  if (s.budgetAtStart === null || s.budgetAtEnd === null) return undefined;
  return s.budgetAtStart - s.budgetAtEnd;
}

function businessImpact(incident: Incident): string[] {
  const i = incident.impact;
  const out: string[] = [];
  if (i.customersAffected !== undefined)
    out.push(`Customers affected: ${i.customersAffected.toLocaleString('en-US')}.`);
  if (i.failedTransactions !== undefined) {
    const value =
      i.value !== undefined
        ? ` (worth ${i.value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${i.currency ? ` ${inline(i.currency)}` : ''})`
        : '';
    out.push(`Failed transactions: ${i.failedTransactions.toLocaleString('en-US')}${value}.`);
  } else if (i.value !== undefined) {
    out.push(
      `Value lost: ${i.value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${i.currency ? ` ${inline(i.currency)}` : ''}.`,
    );
  }
  if (i.notes) out.push(inline(i.notes));
  return out;
}

interface CheckSummary {
  check: string;
  service: string;
  counts: Record<CheckStatus, number>;
  firstFailure?: number;
  lastFailure?: number;
  /** The most frequent failure reason (the earliest seen on a tie). */
  reason?: string;
}

function checkSummaries(results: readonly CheckResult[]): CheckSummary[] {
  const byCheck = new Map<string, { summary: CheckSummary; reasons: Map<string, number> }>();
  for (const r of [...results].sort((a, b) => a.startedAt - b.startedAt)) {
    let entry = byCheck.get(r.check);
    if (!entry) {
      entry = {
        summary: { check: r.check, service: r.service, counts: { pass: 0, degraded: 0, fail: 0 } },
        reasons: new Map(),
      };
      byCheck.set(r.check, entry);
    }
    const s = entry.summary;
    s.counts[r.status]++;
    if (r.status !== 'fail') continue;
    s.firstFailure ??= r.startedAt;
    s.lastFailure = r.startedAt;
    const reason = r.reason ?? r.error?.message;
    if (reason !== undefined) entry.reasons.set(reason, (entry.reasons.get(reason) ?? 0) + 1);
  }
  return [...byCheck.values()]
    .map(({ summary, reasons }) => {
      let best: [string, number] | undefined;
      for (const pair of reasons) if (!best || pair[1] > best[1]) best = pair;
      if (best) summary.reason = best[0];
      return summary;
    })
    .sort((a, b) => a.check.localeCompare(b.check));
}

// ── formatting ────────────────────────────────────────────────────────────

const DURATION_UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/**
 * A duration for people in at most two adjacent units, the smaller one dropped
 * when zero: `45s`, `3m 20s`, `1h 12m`, `2d`, `2d 3h`; under a second `<1s`.
 */
export function humanDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000)) * 1000;
  if (total === 0) return ms > 0 ? '<1s' : '0s';
  const index = DURATION_UNITS.findIndex(([, size]) => total >= size);
  const [bigUnit, bigSize] = DURATION_UNITS[index]!;
  const big = Math.floor(total / bigSize);
  const small = DURATION_UNITS[index + 1];
  if (!small) return `${big}${bigUnit}`;
  const rest = Math.floor((total - big * bigSize) / small[1]);
  return rest === 0 ? `${big}${bigUnit}` : `${big}${bigUnit} ${rest}${small[0]}`;
}

/** `2026-11-23 12:04:05` (UTC; the column or sentence says so). */
function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A ratio as a percentage with up to `digits` decimals: 0.999 → `99.9%`, 0.2 → `20%`. */
function percent(ratio: number, digits: number): string {
  return `${Number((ratio * 100).toFixed(digits))}%`;
}

/** `no alerts`, `1 alert`, `3 alerts`. */
function count(n: number, noun: string): string {
  return `${n === 0 ? 'no' : n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The routing service first, then the others affected. */
function affectedServices(incident: Incident): string[] {
  const services = [...incident.services];
  if (incident.service && !services.includes(incident.service)) services.unshift(incident.service);
  return services;
}

function servicesText(incident: Incident): string {
  const services = affectedServices(incident);
  if (services.length === 0) return '—';
  return services
    .map((s) => (s === incident.service && services.length > 1 ? `${inline(s)} (routed)` : inline(s)))
    .join(', ');
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Text from senders and people on one Markdown line or table cell: control
 * characters and line breaks become spaces, `|` cannot end a cell and `<`
 * cannot open HTML (alert summaries come from outside).
 */
function inline(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
      .replaceAll('\\', '\\\\')
      .replaceAll('|', '\\|')
      .replaceAll('<', '&lt;')
      .trim()
  );
}

function table(headings: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headings), line(headings.map(() => '---')), ...rows.map(line)].join('\n');
}
