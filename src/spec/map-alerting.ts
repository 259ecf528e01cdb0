/** OpenSLO AlertCondition/AlertPolicy and Ballast's alerting extension → AlertingConfig. */
import { type AlertingConfig, type BurnRateWindowPair, MINUTE_MS } from '../slo/model.ts';
import { defaultAlerting } from './alerting.ts';
import { nested, type Report } from './context.ts';
import { parseDuration } from './duration.ts';
import type { AlertingExtension } from './schemas/common.ts';
import type { AlertConditionSpec, AlertPolicySpec } from './schemas/openslo.ts';

/** Names of declared documents, to check references against. */
export interface AlertIndex {
  conditions: ReadonlyMap<string, BurnRateWindowPair | undefined>;
  targets: ReadonlySet<string>;
}

/**
 * A burnrate condition becomes one window pair: `lookbackWindow` is the long
 * window, `alertAfter` the short one (the Workbook's 1h/5m reads
 * `lookbackWindow: 1h, alertAfter: 5m`); without `alertAfter` the short window
 * is a twelfth of the long one, as in the Workbook's table.
 */
export function mapCondition(
  name: string,
  spec: AlertConditionSpec,
  report: Report,
): BurnRateWindowPair | undefined {
  const c = spec.condition;
  if (c.op === 'lt' || c.op === 'lte') {
    report(
      ['condition', 'op'],
      'error',
      `burn-rate alerts fire above a threshold: use op gt or gte, not ${c.op}`,
    );
    return undefined;
  }
  const longWindowMs = parseDuration(c.lookbackWindow) as number;
  const after = c.alertAfter === undefined ? 0 : (parseDuration(c.alertAfter) as number);
  const shortWindowMs =
    after > 0 ? after : Math.max(MINUTE_MS, Math.round(longWindowMs / 12 / MINUTE_MS) * MINUTE_MS);
  if (shortWindowMs > longWindowMs) {
    report(
      ['condition', 'alertAfter'],
      'error',
      'alertAfter (the short window) must not be longer than lookbackWindow',
    );
    return undefined;
  }
  return { severity: spec.severity ?? name, longWindowMs, shortWindowMs, burnRate: c.threshold };
}

/** Resolves a policy's conditions and targets; undefined when something is wrong (already reported). */
export function mapPolicy(
  spec: AlertPolicySpec,
  report: Report,
  index: AlertIndex,
): BurnRateWindowPair[] | undefined {
  const pairs: BurnRateWindowPair[] = [];
  let ok = true;
  spec.conditions.forEach((c, i) => {
    if ('conditionRef' in c) {
      if (!index.conditions.has(c.conditionRef)) {
        report(['conditions', i, 'conditionRef'], 'error', `unknown AlertCondition "${c.conditionRef}"`);
        ok = false;
        return;
      }
      const pair = index.conditions.get(c.conditionRef);
      if (pair) pairs.push(pair);
      else ok = false;
      return;
    }
    const pair = mapCondition(c.metadata.name, c.spec, nested(report, ['conditions', i, 'spec']));
    if (pair) pairs.push(pair);
    else ok = false;
  });
  spec.notificationTargets?.forEach((t, i) => {
    if ('targetRef' in t && !index.targets.has(t.targetRef)) {
      report(
        ['notificationTargets', i, 'targetRef'],
        'error',
        `unknown AlertNotificationTarget "${t.targetRef}"`,
      );
      ok = false;
    }
  });
  return ok ? pairs : undefined;
}

/** Annotation keys of the extension, for OpenSLO files that must stay free of extra fields. */
export const ANNOTATIONS = {
  minEvents: 'ballast.dev/min-events',
  noDataAfter: 'ballast.dev/no-data-after',
  severityLabel: 'ballast.dev/severity-label',
  alertmanagerUrl: 'ballast.dev/alertmanager-url',
} as const;

/** Reads the extension's scalar settings from annotations; wrong values are reported. */
export function alertingFromAnnotations(
  annotations: Record<string, string> | undefined,
  report: Report,
): AlertingExtension {
  const out: AlertingExtension = {};
  if (!annotations) return out;
  const at = (key: string, message: string) => report(['metadata', 'annotations', key], 'error', message);
  const minEvents = annotations[ANNOTATIONS.minEvents];
  if (minEvents !== undefined) {
    if (/^\d+$/.test(minEvents)) out.minEvents = Number(minEvents);
    else at(ANNOTATIONS.minEvents, `${ANNOTATIONS.minEvents} must be a whole number, got "${minEvents}"`);
  }
  const noData = annotations[ANNOTATIONS.noDataAfter];
  if (noData !== undefined) {
    if ((parseDuration(noData) ?? 0) > 0) out.noDataAfter = noData;
    else at(ANNOTATIONS.noDataAfter, `malformed duration "${noData}" in ${ANNOTATIONS.noDataAfter}`);
  }
  const label = annotations[ANNOTATIONS.severityLabel];
  if (label !== undefined) {
    if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) out.severityLabel = label;
    else
      at(
        ANNOTATIONS.severityLabel,
        `${ANNOTATIONS.severityLabel} must be a Prometheus label name, got "${label}"`,
      );
  }
  const url = annotations[ANNOTATIONS.alertmanagerUrl];
  if (url !== undefined) {
    if (/^https?:\/\//.test(url) && URL.canParse(url)) out.alertmanagerUrl = url;
    else
      at(ANNOTATIONS.alertmanagerUrl, `${ANNOTATIONS.alertmanagerUrl} must be an http(s) URL, got "${url}"`);
  }
  return out;
}

/**
 * Final alerting of an SLO. Windows: `spec.alerting.windows`, else the attached
 * policies' conditions, else the scaled defaults. Scalars: `spec.alerting`,
 * else annotations, else defaults. `severityValues` renames page/ticket.
 */
export function buildAlerting(
  periodMs: number,
  policyPairs: BurnRateWindowPair[],
  ext: AlertingExtension,
  fromAnnotations: AlertingExtension,
): AlertingConfig {
  const base = defaultAlerting(periodMs);
  const windows: BurnRateWindowPair[] = ext.windows
    ? ext.windows.map((w) => ({
        severity: w.severity,
        longWindowMs: parseDuration(w.longWindow) as number,
        shortWindowMs: parseDuration(w.shortWindow) as number,
        burnRate: w.burnRate,
      }))
    : policyPairs.length > 0
      ? policyPairs
      : base.windows;
  const rename = ext.severityValues ?? {};
  const noDataAfter = ext.noDataAfter ?? fromAnnotations.noDataAfter;
  const config: AlertingConfig = {
    windows: windows.map((w) => ({
      ...w,
      severity: Object.hasOwn(rename, w.severity)
        ? (rename[w.severity as 'page' | 'ticket'] as string)
        : w.severity,
    })),
    minEvents: ext.minEvents ?? fromAnnotations.minEvents ?? base.minEvents,
    noDataAfterMs: noDataAfter === undefined ? base.noDataAfterMs : (parseDuration(noDataAfter) as number),
    severityLabel: ext.severityLabel ?? fromAnnotations.severityLabel ?? base.severityLabel,
  };
  const alertmanagerUrl = ext.alertmanagerUrl ?? fromAnnotations.alertmanagerUrl;
  if (alertmanagerUrl !== undefined) config.alertmanagerUrl = alertmanagerUrl;
  return withAlertDecorations(config, ext, rename);
}

/**
 * Copies the extension's alert name, labels and annotations onto `config`.
 * Per-severity keys may name a severity before or after `severityValues`
 * renames it (`page` or `critical`); the renamed key wins where both are given.
 */
export function withAlertDecorations(
  config: AlertingConfig,
  ext: Pick<
    AlertingExtension,
    'alertName' | 'labels' | 'annotations' | 'severityLabels' | 'severityAnnotations'
  >,
  rename: Partial<Record<string, string>> = {},
): AlertingConfig {
  if (ext.alertName !== undefined) config.alertName = ext.alertName;
  if (ext.labels !== undefined) config.labels = { ...ext.labels };
  if (ext.annotations !== undefined) config.annotations = { ...ext.annotations };
  const severityLabels = renameKeys(ext.severityLabels, rename);
  if (severityLabels) config.severityLabels = severityLabels;
  const severityAnnotations = renameKeys(ext.severityAnnotations, rename);
  if (severityAnnotations) config.severityAnnotations = severityAnnotations;
  return config;
}

function renameKeys(
  bySeverity: Record<string, Record<string, string>> | undefined,
  rename: Partial<Record<string, string>>,
): Record<string, Record<string, string>> | undefined {
  if (bySeverity === undefined) return undefined;
  const out: Record<string, Record<string, string>> = {};
  const entries = Object.entries(bySeverity);
  // Original names first, so a map given under the renamed value is merged over them.
  const renamed = entries.filter(([k]) => Object.hasOwn(rename, k));
  const plain = entries.filter(([k]) => !Object.hasOwn(rename, k));
  for (const [key, map] of [...renamed, ...plain]) {
    const target = Object.hasOwn(rename, key) ? (rename[key] as string) : key;
    out[target] = { ...out[target], ...map };
  }
  return out;
}
