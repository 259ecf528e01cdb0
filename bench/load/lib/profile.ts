/**
 * Reads V8 `.cpuprofile` files (from `node --cpu-prof`) and sums self time
 * per function, so the bench can print where a generator's CPU goes.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Coarse area of a sampled frame, to see where a generator's CPU goes. */
export function areaOf(functionName: string, url: string): string {
  if (functionName === '(idle)') return 'idle (waiting in epoll)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'native, not attributed (libuv, V8 runtime)';
  if (functionName === 'writeBuffer' || functionName === 'writev')
    return 'socket write (binding, incl. the syscall)';
  if (/src\/load\/http\/parser/.test(url)) return 'HTTP response parser (src/load/http/parser.ts)';
  if (/src\/load\/http\//.test(url)) return 'HTTP connection and pool (src/load/http)';
  if (/src\/load\/engine\//.test(url)) return 'engine (src/load/engine)';
  if (/src\/load\/(scenario|histogram|schedule)/.test(url)) return 'scenario, histogram, schedule (src/load)';
  if (/hdr-histogram-js/.test(url)) return 'hdr-histogram-js';
  if (/node:internal\/(streams|stream_base_commons)|^node:net$|node:internal\/net/.test(url)) {
    return 'Node streams and net.Socket machinery';
  }
  if (/node:internal\/process\/task_queues|node:internal\/timers|^node:timers/.test(url))
    return 'nextTick, timers';
  if (/modules|amaro|bootstrap|node:internal\/deps/.test(url) || functionName === 'compileFunction')
    return 'start-up (module loading, type stripping)';
  if (functionName === 'postMessage' || /worker/.test(url)) return 'worker messaging';
  return url === '' ? `other native (${functionName})` : 'other JS';
}

export interface FunctionTime {
  name: string;
  selfMs: number;
  share: number;
}

/** Self time per function over every profile in `dir` (main thread and workers). */
export async function topFunctions(
  dir: string,
  limit = 20,
): Promise<{ totalMs: number; top: FunctionTime[]; areas: FunctionTime[]; files: number }> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalMs = 0;
  for (const f of files) {
    const p = JSON.parse(await readFile(join(dir, f), 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < p.samples.length; i++) {
      const node = byId.get(p.samples[i] as number);
      const ms = (p.timeDeltas[i] ?? 0) / 1000;
      if (!node) continue;
      const cf = node.callFrame;
      const where = cf.url
        ? ` ${cf.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`
        : '';
      const key = `${cf.functionName || '(anonymous)'}${where}`;
      self.set(key, (self.get(key) ?? 0) + ms);
      const area = areaOf(cf.functionName, cf.url);
      areas.set(area, (areas.get(area) ?? 0) + ms);
      totalMs += ms;
    }
  }
  const rank = (m: Map<string, number>, n: number): FunctionTime[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / Math.max(1, totalMs) }));
  return { totalMs, top: rank(self, limit), areas: rank(areas, 100), files: files.length };
}
