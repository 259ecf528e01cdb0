/**
 * Step two of loading: validated documents → domain model. Checks names and
 * references across documents, then maps Services and SLOs.
 */
import type { BurnRateWindowPair, ServiceDefinition, SloDefinition } from '../slo/model.ts';
import { nested, reporter, type ValidDoc } from './context.ts';
import type { Diagnostic } from './diagnostics.ts';
import { mapCondition, mapPolicy } from './map-alerting.ts';
import { mapSliSpec, type SliDraft } from './map-sli.ts';
import { flattenLabels, mapSlo, type SloIndex } from './map-slo.ts';
import { mapSloth, slothSloName } from './map-sloth.ts';
import type { OpenSloDoc, OpenSloKind } from './schemas/openslo.ts';
import type { SlothServiceLevel } from './schemas/sloth.ts';

export interface Model {
  services: ServiceDefinition[];
  slos: SloDefinition[];
}

const isSloth = (d: ValidDoc) => d.kind === 'PrometheusServiceLevel';

/** Maps valid, uniquely named documents; problems go to `diagnostics`, and invalid items are left out. */
export function buildModel(docs: ValidDoc[], diagnostics: Diagnostic[]): Model {
  const unique = docs;
  const of = <K extends OpenSloKind>(kind: K) =>
    unique.filter((d) => d.apiVersion === 'openslo/v1' && d.kind === kind) as ValidDoc<OpenSloDoc<K>>[];
  const report = (d: ValidDoc) => reporter(d.doc, diagnostics);

  const dataSources = new Map<string, string>();
  for (const d of of('DataSource')) {
    dataSources.set(d.name, d.data.spec.type);
    checkDataSource(d, diagnostics);
  }
  const slis = new Map<string, SliDraft | undefined>();
  for (const d of of('SLI'))
    slis.set(d.name, mapSliSpec(d.data.spec, nested(report(d), ['spec']), dataSources));
  const conditions = new Map<string, BurnRateWindowPair | undefined>();
  for (const d of of('AlertCondition'))
    conditions.set(d.name, mapCondition(d.name, d.data.spec, nested(report(d), ['spec'])));
  const targets = new Set(of('AlertNotificationTarget').map((d) => d.name));
  const policies = new Map<string, BurnRateWindowPair[] | undefined>();
  for (const d of of('AlertPolicy')) {
    policies.set(d.name, mapPolicy(d.data.spec, nested(report(d), ['spec']), { conditions, targets }));
  }

  const services = new Map<string, ServiceDefinition>();
  for (const d of of('Service')) {
    const m = d.data.metadata;
    const service: ServiceDefinition = { name: m.name, labels: flattenLabels(m.labels) };
    if (m.displayName !== undefined) service.displayName = m.displayName;
    if (d.data.spec?.description !== undefined) service.description = d.data.spec.description;
    if (d.data.spec?.allowedHosts !== undefined) service.allowedHosts = d.data.spec.allowedHosts;
    services.set(m.name, service);
  }
  const slos: SloDefinition[] = [];
  for (const d of unique.filter(isSloth)) {
    const level = slothLevel(d);
    // A Sloth spec declares its service; an OpenSLO Service of the same name wins.
    if (!services.has(level.service))
      services.set(level.service, { name: level.service, labels: { ...level.labels } });
    slos.push(...mapSloth(level, nested(report(d), d.apiVersion === 'sloth.slok.dev/v1' ? ['spec'] : [])));
  }
  const index: SloIndex = {
    services: new Set(services.keys()),
    slis,
    policies,
    conditions,
    targets,
    dataSources,
  };
  for (const d of of('SLO')) {
    const slo = mapSlo(d.data, report(d), index);
    if (slo) slos.push(slo);
  }
  return { services: [...services.values()], slos: slos.sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

function slothLevel(d: ValidDoc): SlothServiceLevel {
  return d.apiVersion === 'sloth.slok.dev/v1'
    ? (d.data as { spec: SlothServiceLevel }).spec
    : (d.data as SlothServiceLevel);
}

/** A document's claim on a name, checked before schemas so duplicates show even in invalid documents. */
export interface NameClaim {
  doc: ValidDoc['doc'];
  kind: string;
  name: string;
  path: readonly PropertyKey[];
}

/**
 * Names are unique per kind; Sloth SLOs share the SLO namespace under their
 * `<service>-<slo>` id. Returns the documents (by identity) that lost a claim.
 */
export function findDuplicates(claims: NameClaim[], diagnostics: Diagnostic[]): Set<ValidDoc['doc']> {
  const seen = new Map<string, string>();
  const losers = new Set<ValidDoc['doc']>();
  for (const c of claims) {
    const key = `${c.kind}\u0000${c.name}`;
    const pos = c.doc.locate(c.path);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, `${c.doc.file}:${pos.line}:${pos.column}`);
      continue;
    }
    diagnostics.push({
      file: c.doc.file,
      ...pos,
      severity: 'error',
      message: `duplicate ${c.kind} name "${c.name}" (first defined at ${first})`,
    });
    losers.add(c.doc);
  }
  return losers;
}

/** The names a valid Sloth document claims: one per SLO. */
export function slothClaims(d: ValidDoc): NameClaim[] {
  const base = d.apiVersion === 'sloth.slok.dev/v1' ? ['spec'] : [];
  const level = slothLevel(d);
  return level.slos.map((s, i) => ({
    doc: d.doc,
    kind: 'SLO',
    name: slothSloName(level.service, s.name),
    path: [...base, 'slos', i, 'name'],
  }));
}

/** Ballast queries Prometheus data sources itself, so it needs their URL. */
function checkDataSource(d: ValidDoc<OpenSloDoc<'DataSource'>>, diagnostics: Diagnostic[]): void {
  if (d.data.spec.type.toLowerCase() !== 'prometheus') return;
  const details = d.data.spec.connectionDetails;
  const list = Array.isArray(details) ? details : [details];
  const url = list
    .map((x) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>).url : undefined))
    .find((u) => u !== undefined);
  const report = reporter(d.doc, diagnostics, ['spec', 'connectionDetails']);
  if (typeof url !== 'string' || !/^https?:\/\//.test(url) || !URL.canParse(url)) {
    report(
      Array.isArray(details) ? [] : ['url'],
      'error',
      'a Prometheus DataSource needs connectionDetails.url, an http(s) URL such as http://127.0.0.1:9090',
    );
  }
}
