/**
 * A CPU stress worker: in every 100 ms period it spins until it has used
 * `loadPct` % of the period in CPU time, then sleeps out the rest. Counting
 * CPU time rather than wall time keeps the asked load when the core is shared.
 * Started by `stress.ts` as `cpu.ts <loadPct>`.
 */
import { exitWithParent, reportReady } from './guard.ts';

const PERIOD_MS = 100;
const loadPct = Math.min(100, Math.max(1, Number(process.argv[2])));
const busyMicros = (loadPct / 100) * PERIOD_MS * 1000;
let sink = 0;

function period(): void {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (;;) {
    for (let i = 0; i < 20_000; i++) sink = (sink + Math.sqrt(i)) % 1e9;
    const used = process.cpuUsage(cpu0);
    if (used.user + used.system >= busyMicros || performance.now() - start >= PERIOD_MS) break;
  }
  const rest = PERIOD_MS - (performance.now() - start);
  // At 100 % there is no rest; setImmediate still lets the event loop see the parent leave.
  if (rest >= 1) setTimeout(period, rest);
  else setImmediate(period);
}

exitWithParent();
reportReady({ loadPct });
period();
