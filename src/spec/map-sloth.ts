/**
 * Sloth `prometheus/v1` → Ballast. Sloth SLOs are 30-day rolling Occurrences
 * SLOs over PromQL; their name is Sloth's SLO id, `<service>-<slo>`, and the
 * `{{.window}}` placeholder stays in the queries for the engine to substitute.
 */
import { DAY_MS, type SliDefinition, type SloDefinition } from '../slo/model.ts';
import { defaultAlerting } from './alerting.ts';
import { nested, type Report } from './context.ts';
import { withAlertDecorations } from './map-alerting.ts';
import type { AlertingExtension } from './schemas/common.ts';
import type { SlothServiceLevel, SlothSlo } from './schemas/sloth.ts';

const SLOTH_PERIOD_MS = 30 * DAY_MS;

/** Sloth's SLO id, which Ballast uses as the SLO name. */
export function slothSloName(service: string, slo: string): string {
  return `${service}-${slo}`;
}

/** Maps every SLO of a Sloth spec; `report` is based at the spec (the file root, or `spec` in the CRD form). */
export function mapSloth(level: SlothServiceLevel, report: Report): SloDefinition[] {
  const out: SloDefinition[] = [];
  level.slos.forEach((slo, i) => {
    const indicator = slothIndicator(slo, nested(report, ['slos', i, 'sli']));
    if (!indicator) return;
    const alerting = defaultAlerting(SLOTH_PERIOD_MS);
    const disabled = new Set<string>();
    if (slo.alerting?.pageAlert?.disable) disabled.add('page');
    if (slo.alerting?.ticketAlert?.disable) disabled.add('ticket');
    alerting.windows = alerting.windows.filter((w) => !disabled.has(w.severity));
    withAlertDecorations(alerting, slothAlertDecorations(slo));
    const definition: SloDefinition = {
      name: slothSloName(level.service, slo.name),
      service: level.service,
      objective: Number((slo.objective / 100).toPrecision(12)),
      timeWindow: { kind: 'rolling', durationMs: SLOTH_PERIOD_MS },
      budgetingMethod: 'Occurrences',
      indicator,
      alerting,
      labels: { ...level.labels, ...slo.labels },
    };
    if (slo.description !== undefined) definition.description = slo.description;
    out.push(definition);
  });
  return out;
}

/**
 * Sloth's `alerting` block in the extension's terms: `name` names both alerts
 * (the severity label tells page from ticket, as in Sloth), `labels` and
 * `annotations` go on both, `pageAlert`/`ticketAlert` add their own.
 */
function slothAlertDecorations(slo: SlothSlo): AlertingExtension {
  const a = slo.alerting;
  if (!a) return {};
  const out: AlertingExtension = {};
  if (a.name !== undefined) out.alertName = a.name;
  if (a.labels !== undefined) out.labels = a.labels;
  if (a.annotations !== undefined) out.annotations = a.annotations;
  const perSeverity = (pick: 'labels' | 'annotations') => {
    const map: Record<string, Record<string, string>> = {};
    if (a.pageAlert?.[pick] && !a.pageAlert.disable) map.page = a.pageAlert[pick];
    if (a.ticketAlert?.[pick] && !a.ticketAlert.disable) map.ticket = a.ticketAlert[pick];
    return Object.keys(map).length > 0 ? map : undefined;
  };
  const severityLabels = perSeverity('labels');
  if (severityLabels) out.severityLabels = severityLabels;
  const severityAnnotations = perSeverity('annotations');
  if (severityAnnotations) out.severityAnnotations = severityAnnotations;
  return out;
}

function slothIndicator(slo: SlothSlo, report: Report): SliDefinition | undefined {
  const { events, raw, plugin } = slo.sli;
  const given = [events, raw, plugin].filter((x) => x !== undefined).length;
  if (given !== 1) {
    report(
      [],
      'error',
      given === 0 ? 'an SLI needs events or raw' : 'use exactly one of events, raw or plugin',
    );
    return undefined;
  }
  if (plugin) {
    report(['plugin'], 'error', 'Sloth SLI plugins are not supported: write the queries as events or raw');
    return undefined;
  }
  if (events) {
    return {
      type: 'ratio',
      counts: 'bad',
      source: {
        kind: 'prometheus',
        query: { type: 'ratio', bad: events.errorQuery, total: events.totalQuery },
      },
    };
  }
  return {
    type: 'ratio',
    source: {
      kind: 'prometheus',
      query: { type: 'rawErrorRatio', errorRatio: (raw as { errorRatioQuery: string }).errorRatioQuery },
    },
  };
}
