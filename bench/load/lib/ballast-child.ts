/**
 * Child process that runs one Ballast plan through `runLoad` (the engine's
 * public face) and writes the summary plus its own CPU use during the run.
 * The parent runs it under `measure`, pinned to the generator core.
 *
 *   node bench/load/lib/ballast-child.ts PLAN.json SUMMARY.json
 */
import { readFile, writeFile } from 'node:fs/promises';
import module from 'node:module';
import type { LoadPlan } from '../../../src/load/types.ts';

// As bin/ballast.js does: start-up is part of the CPU the benchmark counts.
module.enableCompileCache?.();
const { runLoad } = await import('../../../src/load/engine/index.ts');

const [planFile, outFile] = process.argv.slice(2);
if (!planFile || !outFile) throw new Error('usage: ballast-child.ts PLAN.json SUMMARY.json');
const plan = JSON.parse(await readFile(planFile, 'utf8')) as LoadPlan;
const before = process.cpuUsage();
const summary = await runLoad(plan);
const cpu = process.cpuUsage(before);
await writeFile(
  outFile,
  JSON.stringify({
    summary,
    runCpuS: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
