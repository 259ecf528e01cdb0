/**
 * Where a load command's plans come from: a spec file (`FILE [--specs DIR]`)
 * or the quick form (`--url URL --rate N ...`), then the safety rails (hard
 * caps, allowed targets). Every problem comes back as a printable line;
 * spec problems as `file:line:col: error: ...`.
 */
import path from 'node:path';
import { checkLimits, checkTargets } from '../../load/safety.ts';
import { loadPlansFromFile, type QuickFlags, quickPlan } from '../../load/scenario/index.ts';
import type { LoadPlan } from '../../load/types.ts';
import type { ServiceDefinition, SloDefinition } from '../../slo/model.ts';
import { formatDiagnostic, loadSpecDirectory } from '../../spec/index.ts';

/** The quick-form flags (all optional here: FILE may stand in for `--url`), plus `--specs`. */
export type PlanFlags = Partial<QuickFlags> & { specs?: string };

export interface ResolvedPlans {
  plans: LoadPlan[];
  slos: Map<string, SloDefinition>;
  services: ServiceDefinition[];
  /** Data files of variables are relative to this. */
  baseDir: string;
  /** Printable problems; any means exit 2 and no traffic. */
  errors: string[];
  /** Printable warnings (spec warnings). */
  warnings: string[];
}

/** Flags that only make sense with `--url`: given with FILE they would be silently ignored. */
const QUICK_ONLY: (keyof QuickFlags)[] = [
  'method',
  'header',
  'body',
  'rate',
  'vus',
  'duration',
  'iterations',
];

/** Loads the plans of `FILE` or of `--url`, and checks caps and targets (DNS names resolved, no traffic sent). */
export async function resolvePlans(file: string | undefined, flags: PlanFlags): Promise<ResolvedPlans> {
  const out: ResolvedPlans = {
    plans: [],
    slos: new Map(),
    services: [],
    baseDir: process.cwd(),
    errors: [],
    warnings: [],
  };
  if (file !== undefined && flags.url !== undefined) {
    out.errors.push('give either a LoadTest FILE or --url, not both');
    return out;
  }
  if (file === undefined && flags.url === undefined) {
    out.errors.push('give a LoadTest FILE, or --url URL with --rate N [--duration D] (see --help)');
    return out;
  }
  if (flags.url !== undefined) {
    const r = quickPlan({ ...flags, url: flags.url });
    out.errors.push(...r.errors);
    if (r.plan) out.plans.push(r.plan);
    if (flags.specs !== undefined) await addSpecs(out, flags.specs);
  } else if (file !== undefined) {
    const given = QUICK_ONLY.filter((k) => flags[k] !== undefined);
    if (given.length > 0) {
      out.errors.push(`--${given[0]} belongs to the quick form (--url); set it in the LoadTest file instead`);
      return out;
    }
    const loaded = await loadPlansFromFile(file, flags.specs !== undefined ? { specsDir: flags.specs } : {});
    for (const d of loaded.diagnostics)
      (d.severity === 'error' ? out.errors : out.warnings).push(formatDiagnostic(d));
    out.plans.push(...loaded.plans);
    out.slos = loaded.slos;
    out.services = loaded.services;
    out.baseDir = path.dirname(path.resolve(file));
    for (const plan of out.plans) {
      plan.allowHosts.push(...(flags.allowHost ?? []));
      if (flags.workers !== undefined && Number(flags.workers) >= 1)
        plan.workers = Math.floor(Number(flags.workers));
    }
  }
  if (out.errors.length > 0) return out;
  for (const plan of out.plans) {
    const problems = [...checkLimits(plan), ...(await checkTargets(plan))];
    const prefix = out.plans.length > 1 ? `${plan.name}: ` : '';
    out.errors.push(...problems.map((p) => prefix + p));
  }
  return out;
}

/** `--specs DIR` with the quick form: SLOs for `slo:` thresholds and capacity, services for allowed hosts. */
async function addSpecs(out: ResolvedPlans, dir: string): Promise<void> {
  const bundle = await loadSpecDirectory(dir);
  for (const d of bundle.diagnostics)
    (d.severity === 'error' ? out.errors : out.warnings).push(formatDiagnostic(d));
  out.slos = new Map(bundle.slos.map((s) => [s.name, s]));
  out.services = bundle.services;
}
