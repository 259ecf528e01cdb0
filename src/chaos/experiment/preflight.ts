/**
 * Before anything is applied: asks each fault daemon the method uses whether
 * it would take the method's faults (the proxies exist, the toxics are valid,
 * host faults are on), so a typo in a proxy name is a bad-input exit and not
 * an abort halfway through an experiment.
 */
import { FaultDaemonClient, FaultDaemonError } from '../daemon/index.ts';
import type { ExperimentDefinition } from './model.ts';

const said = (err: unknown) =>
  err instanceof FaultDaemonError ? err.body.error : err instanceof Error ? err.message : String(err);

/** Every reason the daemons would refuse a fault of the method; empty when all would take them. */
export async function preflight(def: ExperimentDefinition): Promise<string[]> {
  const problems: string[] = [];
  const faults = def.method.filter((s) => s.kind === 'fault');
  for (const daemon of new Set(faults.map((s) => s.daemon))) {
    const client = new FaultDaemonClient(daemon, { timeoutMs: 5_000 });
    const here = faults.filter((s) => s.daemon === daemon);
    try {
      await client.version();
    } catch (err) {
      problems.push(
        `cannot reach the fault daemon at ${daemon} (${said(err)}); start it with \`ballast chaos proxy\``,
      );
      continue;
    }
    const toxics = here.filter((s) => s.fault === 'toxic');
    if (toxics.length > 0)
      await client
        .validateToxics(toxics.map((s) => ({ name: s.name, ...s.body }) as never))
        .catch((err: unknown) => {
          const issues =
            ((err as FaultDaemonError).body?.issues as { index: number; error: string }[] | undefined) ?? [];
          if (issues.length === 0) problems.push(`${daemon}: ${said(err)}`);
          for (const i of issues)
            problems.push(`step ${toxics[i.index]?.name}: ${daemon} refuses the toxic: ${i.error}`);
        });
    for (const s of here.filter((x) => x.fault === 'http'))
      await client.httpProxy(String(s.body.proxy)).catch((err: unknown) => {
        problems.push(`step ${s.name}: ${daemon}: ${said(err)}`);
      });
    if (here.some((x) => x.fault === 'host'))
      await client.hostFaults().catch((err: unknown) => {
        problems.push(`${daemon}: host faults: ${said(err)}`);
      });
  }
  return problems;
}
