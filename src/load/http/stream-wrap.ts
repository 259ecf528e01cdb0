/**
 * Node's internal `stream_wrap` binding, which direct-read.ts and direct-write.ts
 * use to skip the stream machinery on plain-TCP sockets. Undefined (and both
 * fall back to `net.Socket`) when `BALLAST_HTTP_STREAM_WRITES=1`, under
 * `--pending-deprecation` (where `process.binding` warns, DEP0111), or when this
 * Node has no `process.binding`.
 */
export function streamWrapBinding(): Record<string, unknown> | undefined {
  if (process.env.BALLAST_HTTP_STREAM_WRITES === '1') return undefined;
  if (process.execArgv.includes('--pending-deprecation') || process.env.NODE_PENDING_DEPRECATION === '1') {
    return undefined;
  }
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding;
  if (typeof binding !== 'function') return undefined;
  try {
    const b = binding.call(process, 'stream_wrap');
    return typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : undefined;
  } catch {
    // Not available (a future Node, or a runtime without process.binding).
    return undefined;
  }
}
