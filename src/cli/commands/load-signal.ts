/**
 * Ctrl-C during a load run: the first SIGINT (or SIGTERM) asks the run to
 * stop and still summarise; a second one quits at once (exit 130).
 */
export function onInterrupt(stop: () => void): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) stop();
    else process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
