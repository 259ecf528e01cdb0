/**
 * Before anything is applied: asks each fault daemon the method uses whether
 * it would take the method's faults (the proxies exist, the toxics are valid,
 * host faults are on), so a typo in a proxy name is a bad-input exit and not
 * an abort halfway through an experiment.
 */
import type { ExperimentDefinition } from './model.ts';

async function ask(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {}
  return { status: res.status, body };
}

/** Every reason the daemons would refuse a fault of the method; empty when all would take them. */
export async function preflight(def: ExperimentDefinition): Promise<string[]> {
  const problems: string[] = [];
  const faults = def.method.filter((s) => s.kind === 'fault');
  const daemons = [...new Set(faults.map((s) => s.daemon))];
  for (const daemon of daemons) {
    const base = daemon.replace(/\/+$/, '');
    const here = faults.filter((s) => s.daemon === daemon);
    try {
      const version = await ask(`${base}/version`);
      if (version.status !== 200) {
        problems.push(`${daemon} answered ${version.status} to /version: is it a Ballast fault daemon?`);
        continue;
      }
      const toxics = here.filter((s) => s.fault === 'toxic');
      if (toxics.length > 0) {
        const r = await ask(`${base}/ballast/v1/validate`, {
          method: 'POST',
          body: JSON.stringify({ toxics: toxics.map((s) => ({ name: s.name, ...s.body })) }),
        });
        if (r.status !== 200) {
          const issues = (r.body.issues as { index: number; error: string }[] | undefined) ?? [];
          if (issues.length === 0) problems.push(`${daemon}: ${String(r.body.error ?? `HTTP ${r.status}`)}`);
          for (const i of issues)
            problems.push(`step ${toxics[i.index]?.name}: ${daemon} refuses the toxic: ${i.error}`);
        }
      }
      for (const s of here.filter((x) => x.fault === 'http')) {
        const proxy = encodeURIComponent(String(s.body.proxy));
        const r = await ask(`${base}/ballast/v1/http-proxies/${proxy}`);
        if (r.status !== 200)
          problems.push(`step ${s.name}: ${daemon}: ${String(r.body.error ?? `HTTP ${r.status}`)}`);
      }
      if (here.some((x) => x.fault === 'host')) {
        const r = await ask(`${base}/ballast/v1/host-faults`);
        if (r.status !== 200)
          problems.push(`${daemon}: host faults: ${String(r.body.error ?? `HTTP ${r.status}`)}`);
      }
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      problems.push(
        `cannot reach the fault daemon at ${daemon} (${cause}); start it with \`ballast chaos proxy\``,
      );
    }
  }
  return problems;
}
