/**
 * Registers the on-call kinds (`User`, `Team`, `Schedule`, `EscalationPolicy`
 * of `ballast.dev/v1`) with the spec loader, and the bundle check for what only
 * the whole spec set can judge: users and schedules named but not defined, and
 * schedules that leave nobody on call in the next 28 days (warnings). Imported
 * for its effect.
 */
import { DateTime } from 'luxon';
import {
  type BundleView,
  type Diagnostic,
  type LoadedDocument,
  registerBundleCheck,
  registerKind,
} from '../../spec/index.ts';
import { gaps } from '../schedule.ts';
import { DAY_MS } from '../zone.ts';
import {
  escalationPolicyFromDocument,
  type KnownNames,
  scheduleFromDocument,
  teamFromDocument,
  unknownName,
} from './map.ts';
import {
  escalationPolicyDocumentSchema,
  scheduleDocumentSchema,
  teamDocumentSchema,
  userDocumentSchema,
} from './schema.ts';

const API_VERSION = 'ballast.dev/v1';
const SCHEMAS = {
  User: userDocumentSchema,
  Team: teamDocumentSchema,
  Schedule: scheduleDocumentSchema,
  EscalationPolicy: escalationPolicyDocumentSchema,
} as const;
type OnCallKind = keyof typeof SCHEMAS;

/** How far ahead the bundle check looks for stretches with nobody on call. */
export const GAP_HORIZON_MS = 28 * DAY_MS;
/** Gaps spelled out per warning; the rest are counted. */
const GAPS_SHOWN = 3;

for (const [kind, schema] of Object.entries(SCHEMAS)) registerKind({ apiVersion: API_VERSION, kind, schema });
registerBundleCheck((bundle) => onCallBundleDiagnostics(bundle, Date.now()));

function isOnCallKind(doc: LoadedDocument): doc is LoadedDocument & { kind: OnCallKind } {
  return doc.apiVersion === API_VERSION && Object.hasOwn(SCHEMAS, doc.kind);
}

/**
 * Reference errors and gap warnings for the on-call documents of a spec set,
 * with the next 28 days counted from `now`. Documents that fail their schema
 * are skipped (their errors are already reported); a User or Schedule that
 * fails still counts as defined, so its name is not reported as unknown too.
 */
export function onCallBundleDiagnostics(bundle: BundleView, now: number): Diagnostic[] {
  const docs = bundle.documents.filter(isOnCallKind);
  const known: KnownNames = {
    users: new Set(docs.filter((d) => d.kind === 'User').map((d) => d.name)),
    schedules: new Set(docs.filter((d) => d.kind === 'Schedule').map((d) => d.name)),
    teams: new Set(docs.filter((d) => d.kind === 'Team').map((d) => d.name)),
  };
  const out: Diagnostic[] = serviceTeamDiagnostics(bundle, known.teams as ReadonlySet<string>);
  for (const doc of docs) {
    if (doc.kind === 'User' || !SCHEMAS[doc.kind].safeParse(doc.body).success) continue;
    if (doc.kind === 'Team') out.push(...teamFromDocument(doc, known).diagnostics);
    else if (doc.kind === 'EscalationPolicy')
      out.push(...escalationPolicyFromDocument(doc, known).diagnostics);
    else {
      const mapped = scheduleFromDocument(doc, known);
      out.push(...mapped.diagnostics);
      // Gaps do not depend on who the users are: report them even when a reference is wrong.
      const schedule = mapped.value ?? scheduleFromDocument(doc).value;
      if (schedule) {
        const warning = gapWarning(schedule.timeZone, gaps(schedule, now, now + GAP_HORIZON_MS));
        if (warning)
          out.push({
            file: doc.file,
            ...doc.locate(['spec', 'layers']),
            severity: 'warning',
            message: warning,
          });
      }
    }
  }
  return out;
}

/**
 * A service belongs to a team through its OpenSLO label `team: NAME`. A label
 * naming no declared Team is a warning, not an error: the label still groups
 * the service's incidents and status page under that name, but a typo would
 * silently drop the service from the team's metrics, so it is pointed out.
 */
function serviceTeamDiagnostics(bundle: BundleView, teams: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const service of bundle.services) {
    const team = service.labels.team;
    if (team === undefined || teams.has(team)) continue;
    const doc = bundle.documents.find((d) => d.kind === 'Service' && d.name === service.name);
    if (!doc) continue;
    out.push({
      file: doc.file,
      ...doc.locate(['metadata', 'labels', 'team']),
      severity: 'warning',
      message: `service ${service.name} belongs to team "${team}", which no Team document declares: ${unknownName('team', team, teams)}`,
    });
  }
  return out;
}

/** `nobody is on call from Mon 2026-03-02 17:00 to Tue 2026-03-03 09:00 (Europe/Berlin)`, and a count of the rest. */
export function gapWarning(
  zone: string,
  found: readonly { start: number; end: number }[],
): string | undefined {
  if (found.length === 0) return undefined;
  const at = (t: number) => DateTime.fromMillis(t, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');
  const shown = found.slice(0, GAPS_SHOWN).map((g) => `from ${at(g.start)} to ${at(g.end)}`);
  const list = shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown[0];
  const rest = found.length - shown.length;
  const more = rest > 0 ? `; ${rest} more gap${rest === 1 ? '' : 's'} in the next 28 days` : '';
  return `nobody is on call ${list} (${zone})${more}`;
}
