import type { UptimeBar } from '../check-data.ts';

/**
 * A strip of one small bar per day, coloured by that day's uptime, with the
 * date and percentage as each bar's tooltip (oldest day on the left).
 */
export function UptimeBars({ bars, testId, large }: { bars: UptimeBar[]; testId: string; large?: boolean }) {
  return (
    <div
      className={`ubars${large ? ' ubars-large' : ''}`}
      data-testid={testId}
      role="img"
      aria-label={summary(bars)}
    >
      {bars.map((b) => (
        <span key={b.day} className={`ubar ubar-${b.level}`} data-level={b.level} title={b.title} />
      ))}
    </div>
  );
}

/** The strip for a screen reader: how many days were fully up, partly up, or had no runs. */
function summary(bars: UptimeBar[]): string {
  const full = bars.filter((b) => b.level === 'full').length;
  const none = bars.filter((b) => b.level === 'none').length;
  return `daily uptime, ${bars.length} days: ${full} fully up, ${bars.length - full - none} with failures, ${none} without runs`;
}
