/**
 * The network namespaces a fault daemon has applied host faults in, kept in a
 * file. A daemon killed hard leaves its qdiscs and nftables tables in those
 * namespaces; the next daemon reads the file and sweeps exactly them, so it
 * neither misses them nor touches namespaces it never used (another daemon's,
 * a test's). Written ahead of each apply, emptied after a clean stop.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What `ip netns` accepts as a name and what cannot climb out of /run/netns. */
const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

export class NamespaceRecord {
  readonly file: string;
  private names = new Set<string>();

  constructor(file: string) {
    this.file = file;
  }

  /** The recorded names; a missing file is none, a damaged one is named in `problem`. */
  async read(): Promise<{ names: string[]; problem?: string }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { names: [] };
      return { names: [], problem: `${this.file}: ${(err as Error).message}` };
    }
    try {
      const data = JSON.parse(text) as { namespaces?: unknown };
      const list = Array.isArray(data.namespaces) ? data.namespaces : [];
      const names = list.filter((n): n is string => typeof n === 'string' && NETNS_NAME.test(n));
      const skipped = list.length - names.length;
      return skipped > 0 || !Array.isArray(data.namespaces)
        ? { names, problem: `${this.file}: ignored ${skipped || 'a malformed list of'} namespace names` }
        : { names };
    } catch (err) {
      return { names: [], problem: `${this.file}: not JSON (${(err as Error).message})` };
    }
  }

  /** Records `netns` before a fault goes into it; a name seen before costs nothing. */
  async add(netns: string): Promise<void> {
    if (this.names.has(netns) || !NETNS_NAME.test(netns)) return;
    this.names.add(netns);
    await this.write();
  }

  /** Forgets every name: nothing of this daemon's is left in any namespace. */
  async clear(): Promise<void> {
    this.names.clear();
    await this.write();
  }

  private async write(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    // Whole or not at all: a crash mid-write must not lose the names already recorded.
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ namespaces: [...this.names] })}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
  }
}

/** True when `ip netns` still has a namespace of this name. */
export function netnsExists(name: string): boolean {
  return NETNS_NAME.test(name) && existsSync(`/run/netns/${name}`);
}
