/**
 * A memory pressure worker: allocates `mb` MiB off the V8 heap, writes every
 * page (so the memory is resident, not just reserved), and holds it. It asks the
 * OOM killer to pick it first, so pressure that goes too far ends the fault and
 * not Ballast or the service under test. Started by `stress.ts` as `memory.ts <mb>`.
 */
import { writeFileSync } from 'node:fs';
import { exitWithParent, reportReady } from './guard.ts';

const MIB = 1024 * 1024;
const CHUNK = 16 * MIB;

exitWithParent();
try {
  writeFileSync('/proc/self/oom_score_adj', '1000');
} catch {
  // Not Linux, or /proc is read-only: the pressure still works, only the OOM preference is lost.
}
const held: Buffer[] = [];
for (let left = Number(process.argv[2]) * MIB; left > 0; left -= CHUNK) {
  const chunk = Buffer.allocUnsafeSlow(Math.min(CHUNK, left));
  chunk.fill(0xa5 ^ (held.length & 0xff));
  held.push(chunk);
}
// Touching the chunks now and then keeps them referenced and their first pages hot.
setInterval(() => {
  for (const chunk of held) chunk[0] = (chunk[0] ?? 0) ^ 1;
}, 1000);
reportReady({ rssBytes: process.memoryUsage.rss() });
