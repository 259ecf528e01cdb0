/**
 * Makes a stress child die with the process that started it. The IPC channel
 * closing (`disconnect`) is the prompt signal; the parent PID changing (the
 * child was re-parented to init or a subreaper) catches a parent killed so
 * hard that the channel close is not noticed.
 */

/** Exits when the parent is gone; call first thing in every worker. */
export function exitWithParent(): void {
  if (typeof process.send !== 'function') {
    console.error('a stress worker must be started by Ballast with an IPC channel');
    process.exit(2);
  }
  const parent = process.ppid;
  process.on('disconnect', () => process.exit(0));
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 250);
}

/** Tells the parent the worker is in effect, with what it measured. */
export function reportReady(extra: Record<string, number> = {}): void {
  process.send?.({ type: 'ready', ...extra });
}
